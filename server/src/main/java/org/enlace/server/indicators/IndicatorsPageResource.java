package org.enlace.server.indicators;

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
import java.time.Clock;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.enlace.server.auth.EnlaceUser;
import org.enlace.server.auth.Role;
import org.enlace.server.indicators.IndicatorReport.Baseline;
import org.enlace.server.indicators.IndicatorReport.SectorFigures;
import org.enlace.server.web.ApiException;
import org.enlace.server.web.pages.ErrorLink;
import org.enlace.server.web.pages.Field;
import org.enlace.server.web.pages.FormErrors;
import org.enlace.server.web.pages.PageContext;
import org.enlace.server.web.pages.PageText;
import org.enlace.server.web.pages.Pages;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The administration's pages for the plan's indicators: the figures of the month to date by sector
 * against the baseline and the target, their trend month by month, and the forms that set the
 * baseline and record declared counts. The forms build the API's own request records and go through
 * the same validation and the same service, so a page refuses exactly what the API refuses.
 */
@Path("/web/indicators")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
public final class IndicatorsPageResource {
  private static final Logger LOG = LoggerFactory.getLogger(IndicatorsPageResource.class);
  static final int TREND_MONTHS = 12;
  private static final String BASE = "/web/indicators";
  private static final Set<String> BASELINE_FIELDS =
      Set.of(
          "reference",
          "administration.computers",
          "administration.establishments",
          "citizens.computers",
          "citizens.establishments",
          "fromPeriod",
          "targetIncreasePct",
          "note");
  private static final Set<String> DECLARATION_FIELDS =
      Set.of(
          "sector", "description", "establishments", "computers", "validFrom", "validTo", "source");

  private final IndicatorService service;
  private final IndicatorsResource api;
  private final Pages pages;
  private final Clock clock;
  private final PartialMonths partialMonths;

  public IndicatorsPageResource(
      IndicatorService service,
      IndicatorsResource api,
      Pages pages,
      Clock clock,
      PartialMonths partialMonths) {
    this.service = requireNonNull(service, "service is null");
    this.api = requireNonNull(api, "api is null");
    this.pages = requireNonNull(pages, "pages is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.partialMonths = requireNonNull(partialMonths, "partialMonths is null");
  }

  /** A row of a figures table, already in the page's words and number format. */
  public record FigureRow(
      String sector,
      String measured,
      String declared,
      String combined,
      String baseline,
      String change,
      String progress) {}

  public record TrendRow(
      String month,
      String computers,
      String computersChange,
      String establishments,
      String establishmentsChange,
      String reporting) {}

  @GET
  public Response indicators(
      @Auth EnlaceUser user,
      @QueryParam("lang") @Nullable String lang,
      @QueryParam("saved") @Nullable String saved,
      @Context HttpHeaders headers) {
    PageContext ctx = pages.context(user.username(), user.role() == Role.IT, lang, headers);
    PageText t = ctx.text();
    YearMonth now = YearMonth.now(clock.withZone(pages.zone()));
    IndicatorReport report =
        service.report(now.minusMonths(TREND_MONTHS - 1L), now, Granularity.MONTH);
    IndicatorReport.Period current = report.periods().get(report.periods().size() - 1);
    Set<YearMonth> partial = partialMonths.partial(now.minusMonths(TREND_MONTHS - 1L), now);
    Map<String, Object> m = pages.model(ctx);
    m.put("month", t.monthName(now));
    m.put("asOf", t.date(java.time.LocalDate.now(clock.withZone(pages.zone()))));
    m.put("computers", rows(t, current, true, partial.contains(now)));
    m.put("establishments", rows(t, current, false, partial.contains(now)));
    List<TrendRow> trend = new ArrayList<>();
    boolean anyMarked = partial.contains(now);
    for (IndicatorReport.Period p : report.periods()) {
      SectorFigures total = p.sectors().get(p.sectors().size() - 1);
      boolean monthPartial = partial.contains(YearMonth.parse(p.period()));
      anyMarked |= monthPartial || nothingMeasured(total, true) || nothingMeasured(total, false);
      trend.add(
          new TrendRow(
              t.monthName(YearMonth.parse(p.period())),
              t.integer(total.combined().computers()),
              change(t, total.computersChangePct(), true, total, true, monthPartial),
              t.integer(total.combined().establishments()),
              change(t, total.establishmentsChangePct(), true, total, false, monthPartial),
              t.t(
                  "ind_reporting_of",
                  t.integer(total.completeness().computersReporting()),
                  t.integer(total.completeness().computersEnrolled()))));
    }
    m.put("trend", trend);
    m.put("anyMarked", anyMarked && report.baseline().isPresent());
    report.baseline().ifPresent(b -> m.put("baseline", baselineFacts(t, b)));
    m.put("noBaseline", report.baseline().isEmpty());
    m.put("baselineHref", ctx.href(BASE + "/baseline"));
    m.put("declaredHref", ctx.href(BASE + "/declared"));
    m.put("minOnlineDays", t.integer(report.definition().minOnlineDays()));
    if ("baseline".equals(saved)) {
      m.put("saved", t.t("ind_saved_baseline"));
    } else if ("declared".equals(saved)) {
      m.put("saved", t.t("ind_saved_declared"));
    }
    return pages.page(ctx, 200, BASE, t.t("ind_title"), "indicators/indicators-page.mustache", m);
  }

  /**
   * A change or progress figure by the reports' rule (evidence FrontMatter.changeCell): "—" when
   * absent; not computable, with the reason, when nothing was counted and no computer reported (a
   * bare −100 % would read as a collapse); marked when the month's data is partial.
   */
  static String change(
      PageText t,
      Optional<Double> value,
      boolean signed,
      SectorFigures s,
      boolean computers,
      boolean partial) {
    if (value.isEmpty()) {
      return "—";
    }
    if (nothingMeasured(s, computers)) {
      return t.t(
          "ind_notcomputable",
          t.t(
              s.completeness().computersEnrolled() == 0
                  ? "ind_reason_noagents"
                  : "ind_reason_noreports"));
    }
    String v = signed ? t.percentChange(value.get()) : t.percent(value.get());
    return partial ? t.t("ind_partial", v) : v;
  }

  /** Nothing counted and nobody to count it: the figure is absent, not zero. */
  static boolean nothingMeasured(SectorFigures s, boolean computers) {
    long combined = computers ? s.combined().computers() : s.combined().establishments();
    return combined == 0 && s.completeness().computersReporting() == 0;
  }

  private static List<FigureRow> rows(
      PageText t, IndicatorReport.Period p, boolean computers, boolean partial) {
    List<FigureRow> rows = new ArrayList<>();
    for (SectorFigures f : p.sectors()) {
      rows.add(
          new FigureRow(
              t.t("sector_" + f.sector()),
              t.integer(computers ? f.measured().computers() : f.measured().establishments()),
              t.integer(computers ? f.declared().computers() : f.declared().establishments()),
              t.integer(computers ? f.combined().computers() : f.combined().establishments()),
              f.baseline()
                  .map(b -> t.integer(computers ? b.computers() : b.establishments()))
                  .orElse("—"),
              change(
                  t,
                  computers ? f.computersChangePct() : f.establishmentsChangePct(),
                  true,
                  f,
                  computers,
                  partial),
              change(
                  t,
                  computers ? f.computersProgressPct() : f.establishmentsProgressPct(),
                  false,
                  f,
                  computers,
                  partial)));
    }
    return rows;
  }

  public record BaselineFacts(
      String reference,
      String target,
      String setBy,
      String setAt,
      String note,
      boolean hasNote,
      String adminComputers,
      String adminEstablishments,
      String citizensComputers,
      String citizensEstablishments) {}

  private static BaselineFacts baselineFacts(PageText t, Baseline b) {
    return new BaselineFacts(
        b.reference(),
        t.percentChange(b.targetIncreasePct()),
        b.setBy(),
        t.dateTime(b.setAt()),
        b.note(),
        !b.note().isEmpty(),
        t.integer(b.administration().computers()),
        t.integer(b.administration().establishments()),
        t.integer(b.citizens().computers()),
        t.integer(b.citizens().establishments()));
  }

  // ---- baseline ----

  @GET
  @Path("/baseline")
  public Response baselineForm(
      @Auth EnlaceUser user,
      @QueryParam("lang") @Nullable String lang,
      @Context HttpHeaders headers) {
    PageContext ctx = pages.context(user.username(), user.role() == Role.IT, lang, headers);
    return baselinePage(ctx, 200, new MultivaluedHashMap<>(), new FormErrors(ctx.text()));
  }

  @POST
  @Path("/baseline")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response setBaseline(
      @Auth EnlaceUser user,
      @QueryParam("lang") @Nullable String lang,
      @Context HttpHeaders headers,
      MultivaluedMap<String, String> form) {
    PageContext ctx = pages.context(user.username(), user.role() == Role.IT, lang, headers);
    Optional<Response> refused = pages.refuseForgery(ctx, BASE + "/baseline", form, headers);
    if (refused.isPresent()) {
      return refused.get();
    }
    FormErrors errors = new FormErrors(ctx.text());
    BaselineRequest req = baselineRequest(form, errors);
    errors.validate(pages.validator(), req);
    if (errors.isEmpty()) {
      try {
        if (req.fromPeriod() != null) {
          IndicatorsResource.month("fromPeriod", req.fromPeriod());
        }
        Baseline b = service.setBaseline(req, user.username());
        LOG.info(
            "event=baseline_set id={} by={} reference=\"{}\" targetPct={} via=page",
            b.id(),
            user.username(),
            b.reference(),
            b.targetIncreasePct());
        return pages.seeOther(ctx, BASE + "?saved=baseline");
      } catch (ApiException e) {
        errors.add(e, BASELINE_FIELDS, "administration.computers");
      }
    }
    return baselinePage(ctx, 400, form, errors);
  }

  /**
   * The counts are all four or none: none means the baseline is taken from {@code fromPeriod} (or,
   * with neither, the service says which to give).
   */
  private static BaselineRequest baselineRequest(
      MultivaluedMap<String, String> form, FormErrors errors) {
    String[] counts = {
      "administration.computers",
      "administration.establishments",
      "citizens.computers",
      "citizens.establishments"
    };
    boolean anyCount = false;
    for (String c : counts) {
      anyCount |= !Pages.value(form, c).isEmpty();
    }
    int[] values = new int[counts.length];
    if (anyCount) {
      for (int i = 0; i < counts.length; i++) {
        values[i] = integer(form, counts[i], errors, true);
      }
    }
    Double target = null;
    String targetText = Pages.value(form, "targetIncreasePct");
    if (!targetText.isEmpty()) {
      try {
        target = Double.valueOf(targetText.replace(',', '.'));
      } catch (NumberFormatException e) {
        errors.notNumber("targetIncreasePct");
      }
    }
    return new BaselineRequest(
        Pages.value(form, "reference"),
        anyCount ? new BaselineRequest.SectorBaseline(values[0], values[1]) : null,
        anyCount ? new BaselineRequest.SectorBaseline(values[2], values[3]) : null,
        emptyToNull(Pages.value(form, "fromPeriod")),
        target,
        emptyToNull(Pages.value(form, "note")));
  }

  private Response baselinePage(
      PageContext ctx, int status, MultivaluedMap<String, String> form, FormErrors errors) {
    PageText t = ctx.text();
    Map<String, Object> m = pages.model(ctx);
    List<Field> counts =
        List.of(
            Field.number(
                "administration.computers",
                t.t("bl_admin_computers"),
                Pages.value(form, "administration.computers")),
            Field.number(
                "administration.establishments",
                t.t("bl_admin_establishments"),
                Pages.value(form, "administration.establishments")),
            Field.number(
                "citizens.computers",
                t.t("bl_citizens_computers"),
                Pages.value(form, "citizens.computers")),
            Field.number(
                "citizens.establishments",
                t.t("bl_citizens_establishments"),
                Pages.value(form, "citizens.establishments")));
    List<Field> reference = withErrors(List.of(reference(t, form)), errors);
    List<Field> others =
        withErrors(
            List.of(
                Field.text("fromPeriod", t.t("bl_from_period"), Pages.value(form, "fromPeriod"))
                    .hint(t.t("bl_from_period_hint")),
                Field.decimal(
                        "targetIncreasePct",
                        t.t("bl_target"),
                        Pages.value(form, "targetIncreasePct"))
                    .hint(
                        t.t(
                            "bl_target_hint",
                            t.decimal(service.config().getDefaultTargetIncreasePct()))),
                Field.text("note", t.t("bl_note"), Pages.value(form, "note"))),
            errors);
    counts = withErrors(counts, errors);
    m.put("reference", reference);
    m.put("counts", counts);
    m.put("others", others);
    List<Field> all = new ArrayList<>(reference);
    all.addAll(counts);
    all.addAll(others);
    m.put("errors", ErrorLink.summary(all, errors));
    m.put("hasErrors", !errors.isEmpty());
    m.put("action", ctx.href(BASE + "/baseline"));
    List<BaselineFacts> history =
        api.baselines().history().stream().map(b -> baselineFacts(t, b)).toList();
    m.put("history", history);
    m.put("hasHistory", !history.isEmpty());
    return pages.page(
        ctx,
        status,
        BASE + "/baseline",
        (errors.isEmpty() ? "" : t.t("title_errors_prefix")) + t.t("bl_title"),
        "indicators/baseline-page.mustache",
        m);
  }

  private static Field reference(PageText t, MultivaluedMap<String, String> form) {
    return Field.text("reference", t.t("bl_reference"), Pages.value(form, "reference"))
        .mandatory()
        .hint(t.t("bl_reference_hint"));
  }

  // ---- declarations ----

  public record DeclarationRow(
      long id,
      String sector,
      String description,
      String establishments,
      String computers,
      String validFrom,
      String validTo,
      String source,
      String declared,
      boolean withdrawn,
      String withdrawnText,
      String withdrawLabel) {}

  @GET
  @Path("/declared")
  public Response declarations(
      @Auth EnlaceUser user,
      @QueryParam("lang") @Nullable String lang,
      @QueryParam("saved") @Nullable String saved,
      @Context HttpHeaders headers) {
    PageContext ctx = pages.context(user.username(), user.role() == Role.IT, lang, headers);
    return declarationsPage(
        ctx, 200, new MultivaluedHashMap<>(), new FormErrors(ctx.text()), "1".equals(saved));
  }

  @POST
  @Path("/declared")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response declare(
      @Auth EnlaceUser user,
      @QueryParam("lang") @Nullable String lang,
      @Context HttpHeaders headers,
      MultivaluedMap<String, String> form) {
    PageContext ctx = pages.context(user.username(), user.role() == Role.IT, lang, headers);
    Optional<Response> refused = pages.refuseForgery(ctx, BASE + "/declared", form, headers);
    if (refused.isPresent()) {
      return refused.get();
    }
    FormErrors errors = new FormErrors(ctx.text());
    DeclarationRequest req =
        new DeclarationRequest(
            Pages.value(form, "sector"),
            Pages.value(form, "description"),
            integer(form, "establishments", errors, true),
            integer(form, "computers", errors, true),
            Pages.value(form, "validFrom"),
            emptyToNull(Pages.value(form, "validTo")),
            Pages.value(form, "source"));
    errors.validate(pages.validator(), req);
    if (errors.isEmpty()) {
      try {
        Declaration d = service.declare(req, user.username());
        LOG.info(
            "event=declared id={} by={} sector={} establishments={} computers={} via=page",
            d.id(),
            user.username(),
            d.sector(),
            d.establishments(),
            d.computers());
        return pages.seeOther(ctx, BASE + "/declared?saved=1");
      } catch (ApiException e) {
        errors.add(e, DECLARATION_FIELDS, "validFrom");
      }
    }
    return declarationsPage(ctx, 400, form, errors, false);
  }

  @POST
  @Path("/declared/{id}/withdraw")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  public Response withdraw(
      @Auth EnlaceUser user,
      @PathParam("id") long id,
      @QueryParam("lang") @Nullable String lang,
      @Context HttpHeaders headers,
      MultivaluedMap<String, String> form) {
    PageContext ctx = pages.context(user.username(), user.role() == Role.IT, lang, headers);
    Optional<Response> refused = pages.refuseForgery(ctx, BASE + "/declared", form, headers);
    if (refused.isPresent()) {
      return refused.get();
    }
    try {
      api.withdraw(user, id);
    } catch (ApiException e) {
      // Already withdrawn or gone: the list shows how it stands.
      LOG.info("event=declaration_withdraw_refused id={} by={} via=page", id, user.username());
    }
    return pages.seeOther(ctx, BASE + "/declared");
  }

  private Response declarationsPage(
      PageContext ctx,
      int status,
      MultivaluedMap<String, String> form,
      FormErrors errors,
      boolean saved) {
    PageText t = ctx.text();
    Map<String, Object> m = pages.model(ctx);
    if (saved) {
      m.put("saved", t.t("ind_saved_declared"));
    }
    String sector = Pages.value(form, "sector");
    List<Field> fields =
        List.of(
            Field.select(
                    "sector",
                    t.t("dc_sector"),
                    sector.isEmpty() ? "citizens" : sector,
                    List.of(
                        new Field.Option("administration", t.t("sector_administration"), false),
                        new Field.Option("citizens", t.t("sector_citizens"), false)))
                .mandatory(),
            Field.text("description", t.t("dc_description"), Pages.value(form, "description"))
                .mandatory()
                .hint(t.t("dc_description_hint")),
            Field.number(
                    "establishments", t.t("dc_establishments"), Pages.value(form, "establishments"))
                .mandatory(),
            Field.number("computers", t.t("dc_computers"), Pages.value(form, "computers"))
                .mandatory(),
            Field.text("validFrom", t.t("dc_valid_from"), Pages.value(form, "validFrom"))
                .mandatory()
                .hint(t.t("month_hint")),
            Field.text("validTo", t.t("dc_valid_to"), Pages.value(form, "validTo"))
                .hint(t.t("dc_valid_to_hint")),
            Field.text("source", t.t("dc_source"), Pages.value(form, "source"))
                .mandatory()
                .hint(t.t("dc_source_hint")));
    fields = withErrors(fields, errors);
    m.put("fields", fields);
    m.put("errors", ErrorLink.summary(fields, errors));
    m.put("hasErrors", !errors.isEmpty());
    m.put("action", ctx.href(BASE + "/declared"));
    List<DeclarationRow> rows = new ArrayList<>();
    for (Declaration d : api.declarations(true)) {
      rows.add(
          new DeclarationRow(
              d.id(),
              t.t("sector_" + d.sector()),
              d.description(),
              t.integer(d.establishments()),
              t.integer(d.computers()),
              t.monthName(YearMonth.from(d.validFrom())),
              d.validTo().map(v -> t.monthName(YearMonth.from(v))).orElse(t.t("dc_open_ended")),
              d.source(),
              t.t("dc_declared_by", d.declaredBy(), t.dateTime(d.declaredAt())),
              d.withdrawnAt().isPresent(),
              d.withdrawnAt()
                  .map(w -> t.t("dc_withdrawn_by", d.withdrawnBy().orElse("?"), t.dateTime(w)))
                  .orElse(""),
              t.t("dc_withdraw_label", d.description())));
    }
    m.put("declarations", rows);
    m.put("hasDeclarations", !rows.isEmpty());
    m.put("withdrawBase", BASE + "/declared/");
    return pages.page(
        ctx,
        status,
        BASE + "/declared",
        (errors.isEmpty() ? "" : t.t("title_errors_prefix")) + t.t("dc_title"),
        "indicators/declared-page.mustache",
        m);
  }

  // ---- shared ----

  /** A whole number from a form; 0 (and an error) when empty or not a number. */
  private static int integer(
      MultivaluedMap<String, String> form, String name, FormErrors errors, boolean required) {
    String v = Pages.value(form, name).replace(".", "").replace(" ", "");
    if (v.isEmpty()) {
      if (required) {
        errors.required(name);
      }
      return 0;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      errors.notInteger(name);
      return 0;
    }
  }

  private static @Nullable String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }

  private static List<Field> withErrors(List<Field> fields, FormErrors errors) {
    return fields.stream().map(f -> f.withErrors(errors)).toList();
  }
}
