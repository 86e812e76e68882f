package org.enlace.server.inventory;

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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.enlace.server.auth.EnlaceUser;
import org.enlace.server.auth.Role;
import org.enlace.server.web.pages.PageContext;
import org.enlace.server.web.pages.PageText;
import org.enlace.server.web.pages.Pages;
import org.enlace.server.web.pages.Paging;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;

/**
 * The computers with an agent, as pages: both roles browse them; IT decommissions one (its agents
 * revoked, its history kept), through the API's own resource.
 */
@Path("/web/computers")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
public final class ComputerPagesResource {
  private static final String BASE = "/web/computers";
  static final int PAGE_SIZE = 200;

  private final Jdbi jdbi;
  private final ComputersResource api;
  private final Pages pages;

  public ComputerPagesResource(Jdbi jdbi, ComputersResource api, Pages pages) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.api = requireNonNull(api, "api is null");
    this.pages = requireNonNull(pages, "pages is null");
  }

  public record Row(
      String hostname,
      String href,
      String establishment,
      String status,
      String lastSeen,
      String state) {}

  static EstablishmentPagesResource.ComputerRow row(PageContext ctx, Computer c) {
    PageText t = ctx.text();
    return new EstablishmentPagesResource.ComputerRow(
        c.hostname(),
        ctx.href(BASE + "/" + c.id()),
        c.lastStatus().map(s -> t.t("status_" + s)).orElse(t.t("status_none")),
        c.lastSeenAt().map(t::dateTime).orElse("—"),
        t.t("state_" + c.state()));
  }

  @GET
  public Response list(
      @Auth EnlaceUser user,
      @QueryParam("lang") @Nullable String lang,
      @QueryParam("page") @Nullable String page,
      @Context HttpHeaders headers) {
    PageContext ctx = pages.context(user.username(), user.role() == Role.IT, lang, headers);
    PageText t = ctx.text();
    Map<String, String> names = establishmentNames();
    ComputerDao dao = jdbi.onDemand(ComputerDao.class);
    long total = dao.countAll();
    int shown = Paging.clamp(Paging.requested(page), total, PAGE_SIZE);
    List<Computer> computers =
        dao.page(PAGE_SIZE, Paging.offset(shown, PAGE_SIZE), api.freshSince());
    List<Row> rows =
        computers.stream()
            .map(
                c -> {
                  EstablishmentPagesResource.ComputerRow r = row(ctx, c);
                  return new Row(
                      r.hostname(),
                      r.href(),
                      names.getOrDefault(c.establishment(), c.establishment()),
                      r.status(),
                      r.lastSeen(),
                      r.state());
                })
            .toList();
    Map<String, Object> m = pages.model(ctx);
    m.put("rows", rows);
    m.put("hasRows", !rows.isEmpty());
    m.put("paging", Paging.of(ctx, BASE, shown, PAGE_SIZE, total));
    return pages.page(
        ctx,
        200,
        shown == 1 ? BASE : BASE + "?page=" + shown,
        t.t("comp_title"),
        "inventory/computers-page.mustache",
        m);
  }

  private Map<String, String> establishmentNames() {
    Map<String, String> names = new java.util.HashMap<>();
    jdbi.onDemand(EstablishmentDao.class).list().forEach(e -> names.put(e.code(), e.name()));
    return names;
  }

  @GET
  @Path("/{id}")
  public Response detail(
      @Auth EnlaceUser user,
      @PathParam("id") long id,
      @QueryParam("lang") @Nullable String lang,
      @QueryParam("done") @Nullable String done,
      @Context HttpHeaders headers) {
    PageContext ctx = pages.context(user.username(), user.role() == Role.IT, lang, headers);
    PageText t = ctx.text();
    String path = BASE + "/" + id;
    Optional<Computer> found = jdbi.onDemand(ComputerDao.class).find(id, api.freshSince());
    if (found.isEmpty()) {
      Map<String, Object> m = pages.model(ctx);
      m.put("message", t.t("forbidden_not_found"));
      m.put("back", ctx.href(BASE));
      return pages.page(ctx, 404, path, t.t("not_found_title"), "web/pages/not-found.mustache", m);
    }
    Computer c = found.get();
    Map<String, Object> m = pages.model(ctx);
    m.put("hostname", c.hostname());
    m.put("establishment", establishmentNames().getOrDefault(c.establishment(), c.establishment()));
    m.put("establishmentHref", ctx.href("/web/establishments/" + c.establishment()));
    m.put("role", t.orElse("comp_role_" + c.role(), c.role()));
    m.put("os", (c.os() + " " + c.osVersion()).trim());
    m.put("agentVersion", c.agentVersion());
    m.put("status", c.lastStatus().map(s -> t.t("status_" + s)).orElse(t.t("status_none")));
    m.put("lastSeen", c.lastSeenAt().map(t::dateTime).orElse("—"));
    m.put("enrolled", t.dateTime(c.enrolledAt()));
    m.put("state", t.t("state_" + c.state()));
    m.put("decommissioned", c.decommissionedAt().map(t::dateTime).orElse(""));
    m.put("isDecommissioned", c.decommissionedAt().isPresent());
    m.put("canDecommission", ctx.isIt() && c.decommissionedAt().isEmpty());
    m.put("decommissionAction", ctx.href(path + "/decommission"));
    m.put("done", "1".equals(done));
    return pages.page(ctx, 200, path, c.hostname(), "inventory/computer-page.mustache", m);
  }

  @POST
  @Path("/{id}/decommission")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response decommission(
      @Auth EnlaceUser user,
      @PathParam("id") long id,
      @QueryParam("lang") @Nullable String lang,
      @Context HttpHeaders headers,
      MultivaluedMap<String, String> form) {
    PageContext ctx = pages.context(user.username(), user.role() == Role.IT, lang, headers);
    String path = BASE + "/" + id + "/decommission";
    Optional<Response> refused = pages.refuseChange(ctx, path, form, headers);
    if (refused.isPresent()) {
      return refused.get();
    }
    api.decommission(user, id);
    return pages.seeOther(ctx, BASE + "/" + id + "?done=1");
  }
}
