package org.enlace.server.evidence;

import static java.util.Objects.requireNonNull;

import io.dropwizard.auth.Auth;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.enlace.server.auth.EnlaceUser;
import org.enlace.server.auth.Role;
import org.enlace.server.web.pages.Field;
import org.enlace.server.web.pages.PageContext;
import org.enlace.server.web.pages.PageText;
import org.enlace.server.web.pages.Pages;
import org.enlace.server.web.pages.Paging;
import org.jdbi.v3.core.Jdbi;
import org.jspecify.annotations.Nullable;

/**
 * {@code /web/outages}: the outages of a month as the rollups found them (the same rows the
 * evidence reports count), each with its place, start and end, minutes inside opening hours and
 * cause; outages entirely outside opening hours are marked as such.
 */
@Path("/web/outages")
@Produces(MediaType.TEXT_HTML)
@RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
public final class OutagesPageResource {
  static final int PAGE_SIZE = 200;
  static final int MONTHS = 24;

  private final Jdbi jdbi;
  private final Pages pages;
  private final Clock clock;

  public OutagesPageResource(Jdbi jdbi, Pages pages, Clock clock) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.pages = requireNonNull(pages, "pages is null");
    this.clock = requireNonNull(clock, "clock is null");
  }

  public record Row(
      String establishment,
      String href,
      String start,
      String end,
      String duration,
      String open,
      String computers,
      String cause,
      boolean outsideHours) {}

  @GET
  public Response outages(
      @Auth EnlaceUser user,
      @QueryParam("lang") @Nullable String lang,
      @QueryParam("month") @Nullable String month,
      @QueryParam("page") @Nullable String page,
      @Context HttpHeaders headers) {
    PageContext ctx = pages.context(user.username(), user.role() == Role.IT, lang, headers);
    PageText t = ctx.text();
    YearMonth now = YearMonth.now(clock.withZone(pages.zone()));
    YearMonth m = now;
    if (month != null && !month.isBlank()) {
      try {
        m = YearMonth.parse(month.trim());
      } catch (DateTimeParseException e) {
        m = now;
      }
    }
    YearMonth chosen = m;
    Instant from = chosen.atDay(1).atStartOfDay(pages.zone()).toInstant();
    Instant to = chosen.plusMonths(1).atDay(1).atStartOfDay(pages.zone()).toInstant();
    OutageListDao dao = jdbi.onDemand(OutageListDao.class);
    long total = dao.count(from, to);
    int shown = Paging.clamp(Paging.requested(page), total, PAGE_SIZE);
    List<OutageListDao.OutageRow> found =
        dao.between(from, to, PAGE_SIZE, Paging.offset(shown, PAGE_SIZE));
    List<Row> rows = new ArrayList<>();
    for (OutageListDao.OutageRow o : found) {
      rows.add(
          new Row(
              o.establishmentName(),
              ctx.href("/web/establishments/" + o.establishmentCode()),
              t.dateTime(o.startedAt()),
              t.dateTime(o.endedAt()),
              t.t("minutes", t.integer(o.durationMinutes())),
              t.t("minutes", t.integer(o.openMinutes())),
              t.integer(o.computers()),
              t.t("cause_" + o.cause()),
              o.openMinutes() == 0));
    }
    List<Field.Option> months = new ArrayList<>();
    for (int i = 0; i < MONTHS; i++) {
      YearMonth y = now.minusMonths(i);
      months.add(new Field.Option(y.toString(), t.monthName(y), false));
    }
    Map<String, Object> model = pages.model(ctx);
    model.put("month", List.of(Field.select("month", t.t("out_month"), chosen.toString(), months)));
    model.put("monthName", t.monthName(chosen));
    model.put("rows", rows);
    model.put("hasRows", !rows.isEmpty());
    String path = "/web/outages?month=" + chosen;
    model.put("paging", Paging.of(ctx, path, shown, PAGE_SIZE, total));
    model.put("action", "/web/outages");
    return pages.page(
        ctx,
        200,
        shown == 1 ? path : path + "&page=" + shown,
        t.t("out_title"),
        "evidence/outages-page.mustache",
        model);
  }
}
