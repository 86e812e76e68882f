package org.enlace.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A scripted October 2026 in El Contadero with known truth, sent through the real report endpoint.
 * Everything the assertions expect follows from the script below:
 *
 * <ul>
 *   <li>ALC (town hall, administration), open Mon–Fri 08:00–12:00 and 14:00–18:00: two office PCs
 *       on 07:00–19:00 on weekdays, off at night and at weekends. On Wednesday 14 October both see
 *       offline from 09:00 to 12:00: a 3-hour outage. PC A2's clock is 2 h fast and it sends no
 *       offset of its own, so the server corrects it from the report's sentAt.
 *   <li>KIO (public kiosk, citizens), no opening hours (judged all day): two kiosks on around the
 *       clock. 5 October 10:00–10:03 both offline: a 3-minute blip. 20 October 10:00–11:00 only K1
 *       offline (K2 online): no outage. 25 October 02:00–04:30 both limited (captive portal): a
 *       150-minute outage. K2 could not reach the server 10–19 October: those days are uploaded
 *       last, newest first. K1 also reports 30 Sep 23:50 to 1 Nov 00:10 (month edges), and its
 *       first week is sent twice.
 * </ul>
 */
public final class SyntheticMonth {
  public static final ZoneId BOGOTA = ZoneId.of("America/Bogota");
  public static final LocalDate FIRST = LocalDate.of(2026, 10, 1);
  public static final LocalDate LAST = LocalDate.of(2026, 10, 31);

  final TestApp app;
  public TestApp.Agent a1;
  public TestApp.Agent a2;
  public TestApp.Agent k1;
  public TestApp.Agent k2;
  public final String alc;
  public final String kio;

  public SyntheticMonth(TestApp app, String prefix) {
    this.app = app;
    this.alc = prefix + "-ALC";
    this.kio = prefix + "-KIO";
  }

  /** Creates the inventory, enrolls the four agents and sends the whole month. */
  public SyntheticMonth load() {
    app.establishment(alc, "administration");
    ObjectNode hours = Api.object();
    for (String d : List.of("monday", "tuesday", "wednesday", "thursday", "friday")) {
      ArrayNode list = hours.putArray(d);
      list.addObject().put("open", "08:00").put("close", "12:00");
      list.addObject().put("open", "14:00").put("close", "18:00");
    }
    Api.Response r = app.it().get("/api/v1/establishments/" + alc);
    ObjectNode e = (ObjectNode) r.body();
    e.set("openingHours", hours);
    for (String f : List.of("createdAt", "updatedAt", "id")) {
      e.remove(f);
    }
    Api.Response put = app.it().put("/api/v1/establishments/" + alc, e);
    assertThat(put.status()).as(put.toString()).isEqualTo(200);
    app.establishment(kio, "citizens");
    Api.Response link =
        app.it()
            .post(
                "/api/v1/establishments/" + kio + "/links",
                Api.object()
                    .put("ispName", "ISP Nariño")
                    .put("technology", "radio")
                    .put("contractedDownMbps", 10)
                    .put("contractedUpMbps", 2)
                    .put("monthlyCost", 500000)
                    .put("currency", "COP"));
    assertThat(link.status()).as(link.toString()).isEqualTo(201);

    a1 = enrollBackdated(alc);
    a2 = enrollBackdated(alc);
    k1 = enrollBackdated(kio);
    k2 = enrollBackdated(kio);

    // ALC: weekdays 07:00-19:00.
    for (TestApp.Agent pc : List.of(a1, a2)) {
      long clockMs = pc.equals(a2) ? 2 * 3_600_000L : 0;
      List<ObjectNode> obs = new ArrayList<>();
      for (LocalDate d = FIRST; !d.isAfter(LAST); d = d.plusDays(1)) {
        if (d.getDayOfWeek() == DayOfWeek.SATURDAY || d.getDayOfWeek() == DayOfWeek.SUNDAY) {
          continue;
        }
        LocalDate day = d;
        addMinutes(
            obs,
            pc,
            d,
            LocalTime.of(7, 0),
            LocalTime.of(19, 0),
            clockMs,
            (t, m) ->
                day.equals(LocalDate.of(2026, 10, 14)) && m >= 9 * 60 && m < 12 * 60
                    ? "offline"
                    : "online");
      }
      send(pc, obs, clockMs);
    }
    // KIO: around the clock.
    List<ObjectNode> k1obs = new ArrayList<>();
    addMinutes(k1obs, k1, FIRST.minusDays(1), LocalTime.of(23, 50), null, 0, (t, m) -> "online");
    for (LocalDate d = FIRST; !d.isAfter(LAST); d = d.plusDays(1)) {
      LocalDate day = d;
      addMinutes(k1obs, k1, d, LocalTime.MIN, null, 0, (t, m) -> kioskStatus(day, m, true));
    }
    addMinutes(
        k1obs, k1, LAST.plusDays(1), LocalTime.MIN, LocalTime.of(0, 10), 0, (t, m) -> "online");
    send(k1, k1obs, 0);
    send(k1, k1obs.subList(0, 7 * 1440), 0); // a retransmitted week

    List<ObjectNode> k2early = new ArrayList<>();
    List<List<ObjectNode>> k2late = new ArrayList<>();
    for (LocalDate d = FIRST; !d.isAfter(LAST); d = d.plusDays(1)) {
      LocalDate day = d;
      boolean late =
          !d.isBefore(LocalDate.of(2026, 10, 10)) && !d.isAfter(LocalDate.of(2026, 10, 19));
      List<ObjectNode> target = late ? new ArrayList<>() : k2early;
      addMinutes(target, k2, d, LocalTime.MIN, null, 0, (t, m) -> kioskStatus(day, m, false));
      if (late) {
        k2late.add(0, target);
      }
    }
    send(k2, k2early, 0);
    for (List<ObjectNode> day : k2late) {
      send(k2, day, 0);
    }
    return this;
  }

  public static String kioskStatus(LocalDate day, int minute, boolean first) {
    if (day.getDayOfMonth() == 5 && minute >= 600 && minute < 603) {
      return "offline";
    }
    if (first && day.getDayOfMonth() == 20 && minute >= 600 && minute < 660) {
      return "offline";
    }
    if (day.getDayOfMonth() == 25 && minute >= 120 && minute < 270) {
      return "limited";
    }
    return "online";
  }

  private final Map<TestApp.Agent, long[]> seqs = new HashMap<>();

  /** One observation 30 s into every minute from start to end (exclusive; null = midnight). */
  private void addMinutes(
      List<ObjectNode> out,
      TestApp.Agent pc,
      LocalDate day,
      LocalTime start,
      LocalTime end,
      long clockMs,
      BiFunction<Instant, Integer, String> status) {
    long[] seq = seqs.computeIfAbsent(pc, k -> new long[1]);
    int from = start.getHour() * 60 + start.getMinute();
    int to = end == null ? 1440 : end.getHour() * 60 + end.getMinute();
    Instant midnight = day.atStartOfDay(BOGOTA).toInstant();
    for (int m = from; m < to; m++) {
      Instant truth = midnight.plusSeconds(m * 60L + 30);
      ObjectNode o =
          TestApp.observation(++seq[0], truth.plusMillis(clockMs), status.apply(truth, m));
      if (pc.equals(k1)) {
        ((ObjectNode) o.get("checks"))
            .putArray("latency")
            .addObject()
            .put("target", "www.gov.co:443")
            .put("ok", true)
            .put("ms", 50.0);
      }
      if (pc.equals(k1) && m % 360 == 0 && day.getMonthValue() == 10) {
        // four speed tests a day; the 1st of the month measures 9, otherwise day-of-month/4 Mbps
        o.putObject("speedTest")
            .put("method", "ndt7")
            .put("downMbps", day.getDayOfMonth() / 4.0 + testOfDay(m))
            .put("upMbps", 1.5);
      }
      out.add(o);
    }
  }

  private void send(TestApp.Agent pc, List<ObjectNode> obs, long clockMs) {
    for (int i = 0; i < obs.size(); i += 2000) {
      ObjectNode body =
          Api.object()
              .put("protocolVersion", 1)
              .put("sentAt", Instant.now().plusMillis(clockMs).toString());
      ArrayNode arr = body.putArray("observations");
      obs.subList(i, Math.min(obs.size(), i + 2000)).forEach(arr::add);
      if (clockMs != 0) {
        for (var o : arr) {
          ((ObjectNode) o).remove("clockOffsetMs");
        }
      }
      Api.Response r = pc.report(body);
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      assertThat(r.body().path("rejected").size()).as(r.toString()).isZero();
    }
  }

  private TestApp.Agent enrollBackdated(String code) {
    TestApp.Agent a = app.enroll(code);
    app.jdbi()
        .useHandle(
            h ->
                h.createUpdate(
                        """
                        UPDATE agents SET enrolled_at = :t WHERE public_id
                        = CAST(:id AS uuid)
                        """)
                    .bind("t", Instant.parse("2025-12-01T00:00:00Z"))
                    .bind("id", a.id())
                    .execute());
    app.jdbi()
        .useHandle(
            h ->
                h.createUpdate("UPDATE computers SET enrolled_at = :t WHERE id = :id")
                    .bind("t", Instant.parse("2025-12-01T00:00:00Z"))
                    .bind("id", a.computerId())
                    .execute());
    return a;
  }

  /** Which of the day's four speed tests starts at minute m (0 to 3). */
  private static int testOfDay(int m) {
    return m / 360;
  }
}
