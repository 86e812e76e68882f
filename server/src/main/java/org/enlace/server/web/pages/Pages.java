package org.enlace.server.web.pages;

import static java.util.Objects.requireNonNull;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.MustacheFactory;
import jakarta.validation.Validator;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.enlace.server.web.SecurityHeadersFilter;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every page of the administration shares: the language, the layout (navigation, language
 * switch, who is signed in), Mustache rendering with every value HTML-escaped, the CSRF check of
 * forms, and the response headers (a Content-Security-Policy that allows the layout's one inline
 * style by its hash and no script at all).
 *
 * <p>Templates live beside the classes of their feature, as {@code
 * org/enlace/server/<feature>/<name>.mustache}; forms draw their controls with {@code {{>
 * ../web/pages/field}}}.
 */
public final class Pages {
  private static final Logger LOG = LoggerFactory.getLogger(Pages.class);
  static final String ROOT = "org/enlace/server/";

  /** The pages in the navigation, in order: path, text key, whether only IT sees it. */
  private record NavEntry(String path, String key) {}

  private static final List<NavEntry> NAV =
      List.of(
          new NavEntry("/web/indicators", "nav_indicators"),
          new NavEntry("/web/indicators/baseline", "nav_baseline"),
          new NavEntry("/web/indicators/declared", "nav_declared"),
          new NavEntry("/web/establishments", "nav_establishments"),
          new NavEntry("/web/computers", "nav_computers"),
          new NavEntry("/web/outages", "nav_outages"),
          new NavEntry("/reports", "nav_reports"));

  public record Nav(String href, String label, boolean current) {}

  private final MustacheFactory mustache = new DefaultMustacheFactory();
  private final Csrf csrf;
  private final Validator validator;
  private final ZoneId zone;

  public Pages(Csrf csrf, Validator validator, ZoneId zone) {
    this.csrf = requireNonNull(csrf, "csrf is null");
    this.validator = requireNonNull(validator, "validator is null");
    this.zone = requireNonNull(zone, "zone is null");
  }

  public Validator validator() {
    return validator;
  }

  public ZoneId zone() {
    return zone;
  }

  /** The context of one request: {@code ?lang=} or the browser's language, Spanish by default. */
  public PageContext context(
      String username, boolean isIt, @Nullable String lang, HttpHeaders headers) {
    PageLang l = PageLang.resolve(lang, headers.getHeaderString(HttpHeaders.ACCEPT_LANGUAGE));
    return new PageContext(username, isIt, PageText.of(l, zone), csrf.token(username));
  }

  /** A model with what every template may use: the words, the CSRF token, the role. */
  public Map<String, Object> model(PageContext ctx) {
    Map<String, Object> m = new HashMap<>();
    m.put("t", ctx.text().words());
    m.put("csrf", ctx.csrfToken());
    m.put("csrfField", Csrf.FIELD);
    m.put("lang", ctx.lang().code());
    m.put("isIt", ctx.isIt());
    return m;
  }

  /**
   * A page: the template rendered with the model, inside the layout. {@code path} is the page's own
   * path (for the language switch and the current navigation entry).
   */
  public Response page(
      PageContext ctx,
      int status,
      String path,
      String title,
      String template,
      Map<String, Object> model) {
    String body = render(template, model);
    Map<String, Object> layout = model(ctx);
    layout.put("title", title);
    layout.put("body", body);
    layout.put("langTag", ctx.lang().tag());
    layout.put("otherLangCode", ctx.lang().other().code());
    layout.put("otherLangTag", ctx.lang().other().tag());
    layout.put(
        "otherLangHref",
        path + (path.contains("?") ? "&" : "?") + "lang=" + ctx.lang().other().code());
    layout.put("otherLangLabel", ctx.text().t("other_lang"));
    layout.put("user", ctx.username());
    layout.put("role", ctx.text().t(ctx.isIt() ? "role_it" : "role_administration"));
    String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    List<Nav> nav = new ArrayList<>();
    for (NavEntry e : NAV) {
      nav.add(new Nav(ctx.href(e.path()), ctx.text().t(e.key()), bare.equals(e.path())));
    }
    layout.put("nav", nav);
    String html = render("web/pages/layout.mustache", layout);
    return Response.status(status)
        .entity(html.getBytes(StandardCharsets.UTF_8))
        .type("text/html; charset=UTF-8")
        .header(SecurityHeadersFilter.CSP, SecurityHeadersFilter.policyFor(html))
        // Same-origin, so that the browser names this server as the Origin of a form POST
        // (under no-referrer it would send "null"); nothing leaves for other sites.
        .header(SecurityHeadersFilter.REFERRER_POLICY, "same-origin")
        .header("Cache-Control", "no-store")
        .header("Content-Language", ctx.lang().tag())
        .build();
  }

  /** 403 as a page: a role that may not use this page, or a form refused by the CSRF check. */
  public Response forbidden(PageContext ctx, String path, String messageKey) {
    Map<String, Object> m = model(ctx);
    m.put("message", ctx.text().t(messageKey));
    m.put("back", ctx.href("/web/indicators"));
    return page(ctx, 403, path, ctx.text().t("forbidden_title"), "web/pages/forbidden.mustache", m);
  }

  /** 404 as a page: the thing the path names does not exist; {@code back} is where to go. */
  public Response notFound(PageContext ctx, String path, String back) {
    Map<String, Object> m = model(ctx);
    m.put("message", ctx.text().t("forbidden_not_found"));
    m.put("back", ctx.href(back));
    return page(ctx, 404, path, ctx.text().t("not_found_title"), "web/pages/not-found.mustache", m);
  }

  /**
   * The refusal of a form that changes things, if any: only IT staff may send one, and only from
   * our own page (the CSRF check).
   */
  public Optional<Response> refuseChange(
      PageContext ctx, String path, MultivaluedMap<String, String> form, HttpHeaders headers) {
    if (!ctx.isIt()) {
      return Optional.of(forbidden(ctx, path, "forbidden_role"));
    }
    return refuseForgery(ctx, path, form, headers);
  }

  /**
   * The CSRF check of a form POST: empty when it may go on, else the 403 page to answer with
   * (nothing has been changed).
   */
  public Optional<Response> refuseForgery(
      PageContext ctx, String path, MultivaluedMap<String, String> form, HttpHeaders headers) {
    String token = form.getFirst(Csrf.FIELD);
    String origin = headers.getHeaderString("Origin");
    String referer = headers.getHeaderString("Referer");
    String host = headers.getHeaderString("Host");
    if (csrf.accepts(ctx.username(), token, origin, referer, host)) {
      return Optional.empty();
    }
    LOG.warn(
        "event=page_form_refused reason=csrf path={} user={} tokenPresent={} origin=\"{}\"",
        path,
        ctx.username(),
        token != null,
        origin == null ? "" : origin);
    return Optional.of(forbidden(ctx, path, "forbidden_csrf"));
  }

  /** After a form that worked: 303 to a page, so that reloading it does not send it again. */
  public Response seeOther(PageContext ctx, String path) {
    return Response.seeOther(URI.create(ctx.href(path)))
        .header("Cache-Control", "no-store")
        .build();
  }

  /** A template rendered with a model (HTML-escaped values; {@code {{{x}}}} only for our HTML). */
  public String render(String template, Map<String, Object> model) {
    Mustache m = mustache.compile(ROOT + template);
    StringWriter w = new StringWriter(8 * 1024);
    try {
      m.execute(w, model).flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /** A form value, trimmed; "" when absent. */
  public static String value(MultivaluedMap<String, String> form, String name) {
    String v = form.getFirst(name);
    return v == null ? "" : v.trim();
  }
}
