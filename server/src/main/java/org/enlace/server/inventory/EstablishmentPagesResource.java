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
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.enlace.server.auth.EnlaceUser;
import org.enlace.server.auth.Role;
import org.enlace.server.domain.OpeningHours;
import org.enlace.server.domain.Sector;
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
 * Establishments and their ISP links as pages: both roles browse them; IT (as in the API) creates
 * and edits them and issues enrollment tokens, shown once. Changes go through the API's own
 * resources, so the pages refuse and record exactly what the API does.
 */
@Path("/web/establishments")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
public final class EstablishmentPagesResource {
  private static final Logger LOG = LoggerFactory.getLogger(EstablishmentPagesResource.class);
  private static final String BASE = "/web/establishments";
  private static final Set<String> ESTABLISHMENT_FIELDS =
      Set.of(
          "code",
          "name",
          "kind",
          "sector",
          "address",
          "officialCode",
          "coordinates.latitude",
          "coordinates.longitude");
  private static final Set<String> LINK_FIELDS =
      Set.of(
          "ispName",
          "technology",
          "contractedDownMbps",
          "contractedUpMbps",
          "monthlyCost",
          "currency",
          "contractStart",
          "contractEnd");

  private final Jdbi jdbi;
  private final EstablishmentsResource establishments;
  private final EstablishmentLinksResource establishmentLinks;
  private final IspLinksResource links;
  private final ComputersResource computersApi;
  private final Pages pages;

  public EstablishmentPagesResource(
      Jdbi jdbi,
      EstablishmentsResource establishments,
      EstablishmentLinksResource establishmentLinks,
      IspLinksResource links,
      ComputersResource computersApi,
      Pages pages) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.establishments = requireNonNull(establishments, "establishments is null");
    this.establishmentLinks = requireNonNull(establishmentLinks, "establishmentLinks is null");
    this.links = requireNonNull(links, "links is null");
    this.computersApi = requireNonNull(computersApi, "computersApi is null");
    this.pages = requireNonNull(pages, "pages is null");
  }

  public record EstablishmentRow(
      String code, String href, String name, String kind, String sector, String address) {}

  @GET
  public Response list(
      @Auth EnlaceUser user,
      @QueryParam("lang") @Nullable String lang,
      @Context HttpHeaders headers) {
    PageContext ctx = pages.context(user.username(), user.role() == Role.IT, lang, headers);
    PageText t = ctx.text();
    List<EstablishmentRow> rows =
        establishments.list().stream()
            .map(
                e ->
                    new EstablishmentRow(
                        e.code(),
                        ctx.href(BASE + "/" + e.code()),
                        e.name(),
                        t.t("kind_" + e.kind().wire()),
                        t.t("sector_" + e.sector().wire()),
                        e.address()))
            .toList();
    Map<String, Object> m = pages.model(ctx);
    m.put("rows", rows);
    m.put("hasRows", !rows.isEmpty());
    m.put("newHref", ctx.href(BASE + "/new"));
    return pages.page(
        ctx, 200, BASE, t.t("est_title"), "inventory/establishments-page.mustache", m);
  }

  public record LinkRow(
      long id,
      String isp,
      String technology,
      String contracted,
      String cost,
      String contract,
      String editHref) {}

  public record ComputerRow(
      String hostname, String href, String status, String lastSeen, String state) {}

  @GET
  @Path("/{code}")
  public Response detail(
      @Auth EnlaceUser user,
      @PathParam("code") String code,
      @QueryParam("lang") @Nullable String lang,
      @Context HttpHeaders headers) {
    PageContext ctx = pages.context(user.username(), user.role() == Role.IT, lang, headers);
    Optional<Establishment> found = jdbi.onDemand(EstablishmentDao.class).find(code);
    if (found.isEmpty()) {
      return notFound(ctx, BASE);
    }
    return detailPage(ctx, found.get());
  }

  private Response detailPage(PageContext ctx, Establishment e) {
    PageText t = ctx.text();
    String path = BASE + "/" + e.code();
    Map<String, Object> m = pages.model(ctx);
    m.put("code", e.code());
    m.put("name", e.name());
    m.put("kind", t.t("kind_" + e.kind().wire()));
    m.put("sector", t.t("sector_" + e.sector().wire()));
    m.put("address", e.address().isEmpty() ? "—" : e.address());
    m.put("officialCode", e.officialCode().isEmpty() ? "—" : e.officialCode());
    m.put(
        "coordinates",
        e.coordinates()
            .map(c -> t.decimal(c.latitude()) + "; " + t.decimal(c.longitude()))
            .orElse("—"));
    m.put("hours", hours(t, e.openingHours()));
    m.put("editHref", ctx.href(path + "/edit"));
    m.put("newLinkHref", ctx.href(path + "/links/new"));
    List<LinkRow> linkRows =
        jdbi.onDemand(IspLinkDao.class).listFor(e.code()).stream()
            .map(l -> linkRow(ctx, l))
            .toList();
    m.put("links", linkRows);
    m.put("hasLinks", !linkRows.isEmpty());
    List<ComputerRow> computers =
        jdbi
            .onDemand(ComputerDao.class)
            .list(e.code(), null, null, null, 0, 1000, computersApi.freshSince())
            .stream()
            .map(c -> ComputerPagesResource.row(ctx, c))
            .toList();
    m.put("computers", computers);
    m.put("hasComputers", !computers.isEmpty());
    m.put("tokenAction", ctx.href(path + "/tokens"));
    m.put("tokensHref", ctx.href(path + "/tokens"));
    // The enrollment token form; the enrollment pages answer it.
    m.put("tokenFields", tokenFields(t, "168", "1"));
    return pages.page(ctx, 200, path, e.name(), "inventory/establishment-page.mustache", m);
  }

  /** The enrollment token form's fields (expiry in hours, uses), with their defaults. */
  public static List<Field> tokenFields(PageText t, String hours, String uses) {
    return List.of(
        Field.number("expiresInHours", t.t("tok_expires"), hours).hint(t.t("tok_expires_hint")),
        Field.number("maxUses", t.t("tok_max_uses"), uses).hint(t.t("tok_max_uses_hint")));
  }

  private static LinkRow linkRow(PageContext ctx, IspLink l) {
    PageText t = ctx.text();
    return new LinkRow(
        l.id(),
        l.ispName(),
        l.technology().isEmpty() ? "—" : l.technology(),
        t.t(
            "link_contracted_value",
            t.decimal(l.contractedDownMbps().doubleValue()),
            t.decimal(l.contractedUpMbps().doubleValue())),
        l.monthlyCost().map(c -> t.decimal(c.doubleValue()) + " " + l.currency()).orElse("—"),
        contract(t, l),
        ctx.href(BASE + "/" + l.establishment() + "/links/" + l.id()));
  }

  /** "1 ene 2026 – 31 dic 2026", "desde …", "hasta …" or "sin fechas registradas". */
  private static String contract(PageText t, IspLink l) {
    if (l.contractStart().isPresent() && l.contractEnd().isPresent()) {
      return t.date(l.contractStart().get()) + " – " + t.date(l.contractEnd().get());
    }
    return l.contractStart()
        .map(d -> t.t("link_contract_from", t.date(d)))
        .or(() -> l.contractEnd().map(d -> t.t("link_contract_until", t.date(d))))
        .orElse(t.t("link_contract_none"));
  }

  private static String hours(PageText t, OpeningHours h) {
    if (h.days().isEmpty()) {
      return t.t("est_hours_always");
    }
    return h.days().entrySet().stream()
        .map(
            d ->
                t.t("day_" + d.getKey())
                    + " "
                    + d.getValue().stream()
                        .map(i -> i.open() + "–" + i.close())
                        .collect(Collectors.joining(", ")))
        .collect(Collectors.joining("; "));
  }

  // ---- IT: establishment forms ----

  @GET
  @Path("/new")
  public Response newForm(
      @Auth EnlaceUser user,
      @QueryParam("lang") @Nullable String lang,
      @Context HttpHeaders headers) {
    PageContext ctx = pages.context(user.username(), user.role() == Role.IT, lang, headers);
    if (!ctx.isIt()) {
      return pages.forbidden(ctx, BASE + "/new", "forbidden_role");
    }
    return establishmentForm(
        ctx, 200, BASE + "/new", null, new MultivaluedHashMap<>(), new FormErrors(ctx.text()));
  }

  @GET
  @Path("/{code}/edit")
  public Response editForm(
      @Auth EnlaceUser user,
      @PathParam("code") String code,
      @QueryParam("lang") @Nullable String lang,
      @Context HttpHeaders headers) {
    PageContext ctx = pages.context(user.username(), user.role() == Role.IT, lang, headers);
    String path = BASE + "/" + code + "/edit";
    if (!ctx.isIt()) {
      return pages.forbidden(ctx, path, "forbidden_role");
    }
    Optional<Establishment> found = jdbi.onDemand(EstablishmentDao.class).find(code);
    if (found.isEmpty()) {
      return notFound(ctx, path);
    }
    Establishment e = found.get();
    MultivaluedMap<String, String> form = new MultivaluedHashMap<>();
    form.putSingle("code", e.code());
    form.putSingle("name", e.name());
    form.putSingle("kind", e.kind().wire());
    form.putSingle("sector", e.sector().wire());
    form.putSingle("address", e.address());
    form.putSingle("officialCode", e.officialCode());
    e.coordinates()
        .ifPresent(
            c -> {
              form.putSingle("coordinates.latitude", c.latitude().toString());
              form.putSingle("coordinates.longitude", c.longitude().toString());
            });
    e.openingHours()
        .days()
        .forEach(
            (day, intervals) ->
                form.putSingle(
                    "hours." + day,
                    intervals.stream()
                        .map(i -> i.open() + "-" + i.close())
                        .collect(Collectors.joining(", "))));
    return establishmentForm(ctx, 200, path, e, form, new FormErrors(ctx.text()));
  }

  @POST
  @Path("/new")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response create(
      @Auth EnlaceUser user,
      @QueryParam("lang") @Nullable String lang,
      @Context HttpHeaders headers,
      MultivaluedMap<String, String> form) {
    return saveEstablishment(user, lang, headers, form, null);
  }

  @POST
  @Path("/{code}/edit")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response update(
      @Auth EnlaceUser user,
      @PathParam("code") String code,
      @QueryParam("lang") @Nullable String lang,
      @Context HttpHeaders headers,
      MultivaluedMap<String, String> form) {
    return saveEstablishment(user, lang, headers, form, code);
  }

  private Response saveEstablishment(
      EnlaceUser user,
      @Nullable String lang,
      HttpHeaders headers,
      MultivaluedMap<String, String> form,
      @Nullable String code) {
    PageContext ctx = pages.context(user.username(), user.role() == Role.IT, lang, headers);
    String path = code == null ? BASE + "/new" : BASE + "/" + code + "/edit";
    Optional<Response> refused = pages.refuseChange(ctx, path, form, headers);
    if (refused.isPresent()) {
      return refused.get();
    }
    Optional<Establishment> existing =
        code == null ? Optional.empty() : jdbi.onDemand(EstablishmentDao.class).find(code);
    if (code != null && existing.isEmpty()) {
      return notFound(ctx, path);
    }
    FormErrors errors = new FormErrors(ctx.text());
    EstablishmentKind kind = null;
    try {
      kind = EstablishmentKind.parse(Pages.value(form, "kind"));
    } catch (IllegalArgumentException e) {
      errors.required("kind");
    }
    Sector sector = null;
    try {
      sector = Sector.parse(Pages.value(form, "sector"));
    } catch (IllegalArgumentException e) {
      errors.required("sector");
    }
    Coordinates coordinates = coordinates(form, errors);
    OpeningHours hours = openingHours(form, errors);
    String newCode = code == null ? Pages.value(form, "code") : code;
    // Every rule is checked at once, so that the person sees all that is wrong in one go.
    if (kind != null && sector != null) {
      EstablishmentRequest req =
          new EstablishmentRequest(
              newCode,
              Pages.value(form, "name"),
              kind,
              sector,
              Pages.value(form, "address"),
              coordinates,
              Pages.value(form, "officialCode"),
              hours);
      errors.validate(pages.validator(), req);
      if (errors.isEmpty()) {
        try {
          if (code == null) {
            establishments.create(req);
          } else {
            establishments.replace(code, req);
          }
          LOG.info(
              "event=establishment_{} code={} by={} via=page",
              code == null ? "created" : "updated",
              newCode,
              user.username());
          return pages.seeOther(ctx, BASE + "/" + newCode);
        } catch (ApiException e) {
          if (e.getResponse().getStatus() == 409) {
            errors.add("code", ctx.text().t("est_code_taken"));
          } else {
            errors.add(e, ESTABLISHMENT_FIELDS, "name");
          }
        }
      }
    }
    return establishmentForm(ctx, 400, path, existing.orElse(null), form, errors);
  }

  /** The week's days in the order the form shows them. */
  static final List<String> WEEK =
      List.of("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday");

  private static final java.util.regex.Pattern INTERVAL =
      java.util.regex.Pattern.compile("(\\d{1,2}:\\d{2})\\s*[-–]\\s*(\\d{1,2}:\\d{2})");

  /**
   * The opening hours from one field per day, "08:00-12:00, 14:00-18:00": every day empty is open
   * all day every day (as the API's empty object), a day left empty among others is closed. Each
   * day is checked by the API's own rules ({@link OpeningHours}), its error shown next to it.
   */
  static OpeningHours openingHours(MultivaluedMap<String, String> form, FormErrors errors) {
    Map<String, List<OpeningHours.Interval>> days = new java.util.LinkedHashMap<>();
    PageText t = errors.text();
    for (String day : WEEK) {
      String field = "hours." + day;
      String v = Pages.value(form, field);
      if (v.isEmpty()) {
        continue;
      }
      List<OpeningHours.Interval> intervals = new ArrayList<>();
      boolean readable = true;
      for (String piece : v.split("[,;]", -1)) {
        java.util.regex.Matcher m = INTERVAL.matcher(piece.strip());
        if (!m.matches()) {
          errors.add(field, t.t("err_hours_format"));
          readable = false;
          break;
        }
        intervals.add(new OpeningHours.Interval(pad(m.group(1)), pad(m.group(2))));
      }
      if (!readable) {
        continue;
      }
      try {
        new OpeningHours(Map.of(day, intervals));
        days.put(day, intervals);
      } catch (IllegalArgumentException e) {
        errors.add(field, hoursMessage(t, day, String.valueOf(e.getMessage())));
      }
    }
    return days.isEmpty() ? OpeningHours.ALWAYS : new OpeningHours(days);
  }

  /** 8:00 as 08:00, as the API writes times. */
  private static String pad(String time) {
    return time.length() == 4 ? "0" + time : time;
  }

  /** The API's message about one day, without the day (the field says it), in the page's words. */
  private static String hoursMessage(PageText t, String day, String english) {
    String m = english.startsWith(day + ": ") ? english.substring(day.length() + 2) : english;
    if (t.lang() == org.enlace.server.web.pages.PageLang.EN) {
      return m;
    }
    java.util.regex.Matcher order =
        java.util.regex.Pattern.compile("open (\\S+) is not before close (\\S+)").matcher(m);
    if (order.matches()) {
      return t.t("err_hours_order", order.group(1), order.group(2));
    }
    if (m.equals("intervals overlap")) {
      return t.t("err_hours_overlap");
    }
    java.util.regex.Matcher time =
        java.util.regex.Pattern.compile("'(.*)' is not a time HH:MM").matcher(m);
    if (time.matches()) {
      return t.t("err_hours_time", time.group(1));
    }
    return m;
  }

  private static @Nullable Coordinates coordinates(
      MultivaluedMap<String, String> form, FormErrors errors) {
    String lat = Pages.value(form, "coordinates.latitude").replace(',', '.');
    String lon = Pages.value(form, "coordinates.longitude").replace(',', '.');
    if (lat.isEmpty() && lon.isEmpty()) {
      return null;
    }
    Double la = null;
    Double lo = null;
    try {
      la = lat.isEmpty() ? null : Double.valueOf(lat);
    } catch (NumberFormatException e) {
      errors.notNumber("coordinates.latitude");
    }
    try {
      lo = lon.isEmpty() ? null : Double.valueOf(lon);
    } catch (NumberFormatException e) {
      errors.notNumber("coordinates.longitude");
    }
    if (la == null) {
      errors.required("coordinates.latitude");
    }
    if (lo == null) {
      errors.required("coordinates.longitude");
    }
    return la == null || lo == null ? null : new Coordinates(la, lo);
  }

  private Response establishmentForm(
      PageContext ctx,
      int status,
      String path,
      @Nullable Establishment existing,
      MultivaluedMap<String, String> form,
      FormErrors errors) {
    PageText t = ctx.text();
    List<Field.Option> kinds = new ArrayList<>();
    for (EstablishmentKind k : EstablishmentKind.values()) {
      kinds.add(new Field.Option(k.wire(), t.t("kind_" + k.wire()), false));
    }
    List<Field> fields = new ArrayList<>();
    if (existing == null) {
      fields.add(
          Field.text("code", t.t("est_code"), Pages.value(form, "code"))
              .mandatory()
              .hint(t.t("est_code_hint")));
    }
    fields.add(Field.text("name", t.t("est_name"), Pages.value(form, "name")).mandatory());
    fields.add(Field.select("kind", t.t("est_kind"), Pages.value(form, "kind"), kinds).mandatory());
    fields.add(
        Field.select(
                "sector",
                t.t("est_sector"),
                Pages.value(form, "sector"),
                List.of(
                    new Field.Option("administration", t.t("sector_administration"), false),
                    new Field.Option("citizens", t.t("sector_citizens"), false)))
            .mandatory()
            .hint(t.t("est_sector_hint")));
    fields.add(Field.text("address", t.t("est_address"), Pages.value(form, "address")));
    fields.add(
        Field.text("officialCode", t.t("est_official_code"), Pages.value(form, "officialCode"))
            .hint(t.t("est_official_code_hint")));
    fields.add(
        Field.decimal(
                "coordinates.latitude",
                t.t("est_latitude"),
                Pages.value(form, "coordinates.latitude"))
            .hint(t.t("est_coordinates_hint")));
    fields.add(
        Field.decimal(
            "coordinates.longitude",
            t.t("est_longitude"),
            Pages.value(form, "coordinates.longitude")));
    fields = fields.stream().map(f -> f.withErrors(errors)).toList();
    List<Field> hourFields = new ArrayList<>();
    for (String day : WEEK) {
      hourFields.add(
          Field.text("hours." + day, t.t("day_" + day), Pages.value(form, "hours." + day))
              .withErrors(errors));
    }
    List<Field> all = new ArrayList<>(fields);
    all.addAll(hourFields);
    Map<String, Object> m = pages.model(ctx);
    m.put("fields", fields);
    m.put("hourFields", hourFields);
    m.put("errors", ErrorLink.summary(all, errors));
    m.put("hasErrors", !errors.isEmpty());
    m.put("action", ctx.href(path));
    m.put("isNew", existing == null);
    m.put(
        "heading",
        existing == null ? t.t("est_new_title") : t.t("est_edit_title", existing.name()));
    m.put("cancelHref", ctx.href(existing == null ? BASE : BASE + "/" + existing.code()));
    return pages.page(
        ctx,
        status,
        path,
        (errors.isEmpty() ? "" : t.t("title_errors_prefix")) + m.get("heading"),
        "inventory/establishment-form.mustache",
        m);
  }

  // ---- IT: links ----

  @GET
  @Path("/{code}/links/{id}")
  public Response linkForm(
      @Auth EnlaceUser user,
      @PathParam("code") String code,
      @PathParam("id") String id,
      @QueryParam("lang") @Nullable String lang,
      @Context HttpHeaders headers) {
    PageContext ctx = pages.context(user.username(), user.role() == Role.IT, lang, headers);
    String path = BASE + "/" + code + "/links/" + id;
    if (!ctx.isIt()) {
      return pages.forbidden(ctx, path, "forbidden_role");
    }
    MultivaluedMap<String, String> form = new MultivaluedHashMap<>();
    if (!id.equals("new")) {
      Optional<IspLink> l = findLink(code, id);
      if (l.isEmpty()) {
        return notFound(ctx, path);
      }
      IspLink link = l.get();
      form.putSingle("ispName", link.ispName());
      form.putSingle("technology", link.technology());
      form.putSingle("contractedDownMbps", link.contractedDownMbps().toPlainString());
      form.putSingle("contractedUpMbps", link.contractedUpMbps().toPlainString());
      link.monthlyCost().ifPresent(c -> form.putSingle("monthlyCost", c.toPlainString()));
      form.putSingle("currency", link.currency());
      link.contractStart().ifPresent(d -> form.putSingle("contractStart", d.toString()));
      link.contractEnd().ifPresent(d -> form.putSingle("contractEnd", d.toString()));
    } else {
      form.putSingle("currency", "COP");
    }
    return linkFormPage(ctx, 200, path, code, id, form, new FormErrors(ctx.text()));
  }

  private Optional<IspLink> findLink(String code, String id) {
    try {
      return jdbi.onDemand(IspLinkDao.class)
          .find(Long.parseLong(id))
          .filter(l -> l.establishment().equals(code));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  @POST
  @Path("/{code}/links/{id}")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response saveLink(
      @Auth EnlaceUser user,
      @PathParam("code") String code,
      @PathParam("id") String id,
      @QueryParam("lang") @Nullable String lang,
      @Context HttpHeaders headers,
      MultivaluedMap<String, String> form) {
    PageContext ctx = pages.context(user.username(), user.role() == Role.IT, lang, headers);
    String path = BASE + "/" + code + "/links/" + id;
    Optional<Response> refused = pages.refuseChange(ctx, path, form, headers);
    if (refused.isPresent()) {
      return refused.get();
    }
    if (jdbi.onDemand(EstablishmentDao.class).find(code).isEmpty()
        || (!id.equals("new") && findLink(code, id).isEmpty())) {
      return notFound(ctx, path);
    }
    FormErrors errors = new FormErrors(ctx.text());
    IspLinkRequest req =
        new IspLinkRequest(
            Pages.value(form, "ispName"),
            emptyToNull(Pages.value(form, "technology")),
            requiredDecimal(form, "contractedDownMbps", errors),
            requiredDecimal(form, "contractedUpMbps", errors),
            decimal(form, "monthlyCost", errors, false),
            emptyToNull(Pages.value(form, "currency")),
            date(form, "contractStart", errors),
            date(form, "contractEnd", errors));
    errors.validate(pages.validator(), req);
    // The one class-level rule of the request, shown next to the contract's end.
    errors.move("contractPeriodValid", "contractEnd");
    if (errors.isEmpty()) {
      try {
        if (id.equals("new")) {
          establishmentLinks.create(code, req);
        } else {
          links.replace(Long.parseLong(id), req);
        }
        LOG.info(
            "event=isp_link_saved establishment={} link={} by={} via=page",
            code,
            id,
            user.username());
        return pages.seeOther(ctx, BASE + "/" + code);
      } catch (ApiException e) {
        errors.add(e, LINK_FIELDS, "ispName");
      }
    }
    return linkFormPage(ctx, 400, path, code, id, form, errors);
  }

  private Response linkFormPage(
      PageContext ctx,
      int status,
      String path,
      String code,
      String id,
      MultivaluedMap<String, String> form,
      FormErrors errors) {
    PageText t = ctx.text();
    List<Field> fields =
        List.of(
                Field.text("ispName", t.t("link_isp"), Pages.value(form, "ispName")).mandatory(),
                Field.text("technology", t.t("link_technology"), Pages.value(form, "technology"))
                    .hint(t.t("link_technology_hint")),
                Field.decimal(
                        "contractedDownMbps",
                        t.t("link_down"),
                        Pages.value(form, "contractedDownMbps"))
                    .mandatory(),
                Field.decimal(
                        "contractedUpMbps", t.t("link_up"), Pages.value(form, "contractedUpMbps"))
                    .mandatory(),
                Field.decimal("monthlyCost", t.t("link_cost"), Pages.value(form, "monthlyCost")),
                Field.text("currency", t.t("link_currency"), Pages.value(form, "currency"))
                    .hint(t.t("link_currency_hint")),
                Field.text("contractStart", t.t("link_start"), Pages.value(form, "contractStart"))
                    .hint(t.t("date_hint")),
                Field.text("contractEnd", t.t("link_end"), Pages.value(form, "contractEnd"))
                    .hint(t.t("date_hint")))
            .stream()
            .map(f -> f.withErrors(errors))
            .toList();
    Map<String, Object> m = pages.model(ctx);
    m.put("fields", fields);
    m.put("errors", ErrorLink.summary(fields, errors));
    m.put("hasErrors", !errors.isEmpty());
    m.put("action", ctx.href(path));
    String heading = id.equals("new") ? t.t("link_new_title", code) : t.t("link_edit_title", code);
    m.put("heading", heading);
    m.put("cancelHref", ctx.href(BASE + "/" + code));
    return pages.page(
        ctx,
        status,
        path,
        (errors.isEmpty() ? "" : t.t("title_errors_prefix")) + heading,
        "inventory/link-form.mustache",
        m);
  }

  // ---- shared ----

  private Response notFound(PageContext ctx, String path) {
    Map<String, Object> m = pages.model(ctx);
    m.put("message", ctx.text().t("forbidden_not_found"));
    m.put("back", ctx.href(BASE));
    return pages.page(
        ctx, 404, path, ctx.text().t("not_found_title"), "web/pages/not-found.mustache", m);
  }

  /** A decimal typed with a comma or a point; required ones answer "is required" when empty. */
  private static @Nullable BigDecimal decimal(
      MultivaluedMap<String, String> form, String name, FormErrors errors, boolean required) {
    String v = Pages.value(form, name).replace(" ", "").replace(',', '.');
    if (v.isEmpty()) {
      if (required) {
        errors.required(name);
      }
      return null;
    }
    try {
      return new BigDecimal(v);
    } catch (NumberFormatException e) {
      errors.notNumber(name);
      return null;
    }
  }

  /** A required decimal; 0 with an error when missing (the request is then not used). */
  private static BigDecimal requiredDecimal(
      MultivaluedMap<String, String> form, String name, FormErrors errors) {
    BigDecimal d = decimal(form, name, errors, true);
    return d == null ? BigDecimal.ZERO : d;
  }

  private static @Nullable LocalDate date(
      MultivaluedMap<String, String> form, String name, FormErrors errors) {
    String v = Pages.value(form, name);
    if (v.isEmpty()) {
      return null;
    }
    try {
      return LocalDate.parse(v);
    } catch (DateTimeParseException e) {
      errors.add(name, errors.text().t("err_date"));
      return null;
    }
  }

  private static @Nullable String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }
}
