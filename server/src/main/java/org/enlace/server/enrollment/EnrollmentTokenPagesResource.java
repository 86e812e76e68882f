package org.enlace.server.enrollment;

import static java.util.Objects.requireNonNull;

import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.enlace.server.auth.EnlaceUser;
import org.enlace.server.auth.Role;
import org.enlace.server.inventory.Establishment;
import org.enlace.server.inventory.EstablishmentDao;
import org.enlace.server.inventory.EstablishmentPagesResource;
import org.enlace.server.web.ApiException;
import org.enlace.server.web.pages.ErrorLink;
import org.enlace.server.web.pages.Field;
import org.enlace.server.web.pages.FormErrors;
import org.enlace.server.web.pages.PageContext;
import org.enlace.server.web.pages.PageText;
import org.enlace.server.web.pages.Pages;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answer to the enrollment-token form of an establishment's page (IT only, as in the API): the
 * new token, shown once on a page that is not stored by the browser, or the form again with its
 * errors; and the establishment's tokens, each still valid one with a button that revokes it. The
 * token is made and revoked by the API's own resource.
 */
@Path("/web/establishments/{code}/tokens")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
public final class EnrollmentTokenPagesResource {
  private static final Logger LOG = LoggerFactory.getLogger(EnrollmentTokenPagesResource.class);

  private final Jdbi jdbi;
  private final EnrollmentTokensResource tokens;
  private final Pages pages;
  private final Clock clock;

  public EnrollmentTokenPagesResource(
      Jdbi jdbi, EnrollmentTokensResource tokens, Pages pages, Clock clock) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.tokens = requireNonNull(tokens, "tokens is null");
    this.pages = requireNonNull(pages, "pages is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  /** One token as the list shows it; the revoke button only for one not revoked yet. */
  public record TokenRow(
      long id,
      String prefix,
      String created,
      String expires,
      String uses,
      String state,
      boolean revocable,
      String revokeAction,
      String revokeLabel) {}

  /** The establishment's tokens (IT only, as the API's list). */
  @GET
  public Response list(
      @Auth EnlaceUser user,
      @PathParam("code") String code,
      @QueryParam("lang") @Nullable String lang,
      @QueryParam("revoked") @Nullable String revoked,
      @Context HttpHeaders headers) {
    PageContext ctx = pages.context(user.username(), user.role() == Role.IT, lang, headers);
    String path = "/web/establishments/" + code + "/tokens";
    if (!ctx.isIt()) {
      return pages.forbidden(ctx, path, "forbidden_role");
    }
    Optional<Establishment> e = jdbi.onDemand(EstablishmentDao.class).find(code);
    if (e.isEmpty()) {
      return pages.notFound(ctx, path, "/web/establishments");
    }
    PageText t = ctx.text();
    Instant now = clock.instant();
    List<TokenRow> rows = new ArrayList<>();
    for (EnrollmentTokenDao.Row r : jdbi.onDemand(EnrollmentTokenDao.class).listFor(code)) {
      EnrollmentToken token = r.toApi();
      String state = token.state(now);
      rows.add(
          new TokenRow(
              token.id(),
              token.prefix() + "…",
              t.t("tok_created_by", token.createdBy(), t.dateTime(token.createdAt())),
              t.dateTime(token.expiresAt()),
              t.t("tok_uses_of", t.integer(token.uses()), t.integer(token.maxUses())),
              token
                  .revokedAt()
                  .map(at -> t.t("tok_state_revoked_at", t.dateTime(at)))
                  .orElse(t.t("tok_state_" + state)),
              // Used up, expired or revoked: nothing left to refuse, so no button.
              "active".equals(state),
              ctx.href(path + "/" + token.id() + "/revoke"),
              t.t("tok_revoke_label", token.prefix() + "…")));
    }
    Map<String, Object> m = pages.model(ctx);
    m.put("name", e.get().name());
    m.put("tokens", rows);
    m.put("hasTokens", !rows.isEmpty());
    m.put("back", ctx.href("/web/establishments/" + code));
    rows.stream()
        .filter(r -> Long.toString(r.id()).equals(revoked))
        .findFirst()
        .ifPresent(r -> m.put("revoked", t.t("tok_revoked_notice", r.prefix())));
    return pages.page(
        ctx,
        200,
        path,
        t.t("tok_list_heading") + ": " + e.get().name(),
        "enrollment/token-list.mustache",
        m);
  }

  /**
   * Revokes a token through the API's endpoint (IT only; unknown token 404; revoking one already
   * revoked changes nothing), then back to the list, which says so.
   */
  @POST
  @Path("/{id}/revoke")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response revoke(
      @Auth EnlaceUser user,
      @PathParam("code") String code,
      @PathParam("id") long id,
      @QueryParam("lang") @Nullable String lang,
      @Context HttpHeaders headers,
      MultivaluedMap<String, String> form) {
    PageContext ctx = pages.context(user.username(), user.role() == Role.IT, lang, headers);
    String path = "/web/establishments/" + code + "/tokens";
    Optional<Response> refused = pages.refuseChange(ctx, path, form, headers);
    if (refused.isPresent()) {
      return refused.get();
    }
    try {
      tokens.revoke(user, code, id);
    } catch (ApiException ex) {
      LOG.info(
          "event=enrollment_token_revoke_refused establishment={} id={} by={} via=page",
          code,
          id,
          user.username());
      return pages.notFound(ctx, path, path);
    }
    return pages.seeOther(ctx, path + "?revoked=" + id);
  }

  @POST
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response issue(
      @Auth EnlaceUser user,
      @PathParam("code") String code,
      @QueryParam("lang") @Nullable String lang,
      @Context HttpHeaders headers,
      MultivaluedMap<String, String> form) {
    PageContext ctx = pages.context(user.username(), user.role() == Role.IT, lang, headers);
    String path = "/web/establishments/" + code + "/tokens";
    Optional<Response> refused = pages.refuseChange(ctx, path, form, headers);
    if (refused.isPresent()) {
      return refused.get();
    }
    Optional<Establishment> e = jdbi.onDemand(EstablishmentDao.class).find(code);
    if (e.isEmpty()) {
      return pages.forbidden(ctx, path, "forbidden_not_found");
    }
    PageText t = ctx.text();
    FormErrors errors = new FormErrors(t);
    Integer hours = optionalInteger(form, "expiresInHours", errors);
    Integer uses = optionalInteger(form, "maxUses", errors);
    EnrollmentTokenRequest req = new EnrollmentTokenRequest(hours, uses);
    errors.validate(pages.validator(), req);
    Map<String, Object> m = pages.model(ctx);
    m.put("name", e.get().name());
    m.put("back", ctx.href("/web/establishments/" + code));
    m.put("action", ctx.href(path));
    if (!errors.isEmpty()) {
      List<Field> fields =
          EstablishmentPagesResource.tokenFields(
                  t, Pages.value(form, "expiresInHours"), Pages.value(form, "maxUses"))
              .stream()
              .map(f -> f.withErrors(errors))
              .toList();
      m.put("fields", fields);
      m.put("errors", ErrorLink.summary(fields, errors));
      return pages.page(
          ctx,
          400,
          path,
          t.t("title_errors_prefix") + t.t("tok_heading") + ": " + e.get().name(),
          "enrollment/token-page.mustache",
          m);
    }
    EnrollmentToken token = (EnrollmentToken) tokens.create(user, code, req).getEntity();
    m.put("token", token.token().orElse(""));
    m.put(
        "tokenFacts",
        t.t("tok_issued_facts", t.dateTime(token.expiresAt()), t.integer(token.maxUses())));
    return pages.page(
        ctx,
        201,
        path,
        t.t("tok_issued_heading") + ": " + e.get().name(),
        "enrollment/token-page.mustache",
        m);
  }

  private static @Nullable Integer optionalInteger(
      MultivaluedMap<String, String> form, String name, FormErrors errors) {
    String v = Pages.value(form, name).replace(".", "");
    if (v.isEmpty()) {
      return null;
    }
    try {
      return Integer.valueOf(v);
    } catch (NumberFormatException e) {
      errors.notInteger(name);
      return null;
    }
  }
}
