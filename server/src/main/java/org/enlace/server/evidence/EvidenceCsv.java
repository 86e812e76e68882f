package org.enlace.server.evidence;

import static org.enlace.server.evidence.EvidenceHtml.blank;
import static org.enlace.server.evidence.EvidenceHtml.list;
import static org.enlace.server.evidence.EvidenceHtml.nz;
import static org.enlace.server.evidence.EvidenceHtml.opt;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.QuoteMode;
import org.enlace.server.evidence.EvidenceReport.EstablishmentEvidence;
import org.enlace.server.evidence.EvidenceReport.LinkEvidence;
import org.enlace.server.evidence.EvidenceReport.Meta;
import org.enlace.server.evidence.EvidenceReport.Outage;
import org.enlace.server.evidence.EvidenceReport.SpeedStats;
import org.enlace.server.indicators.IndicatorReport;
import org.enlace.server.indicators.IndicatorReport.Counts;
import org.enlace.server.indicators.IndicatorReport.SectorFigures;

/**
 * The evidence report as one CSV table for spreadsheets.
 *
 * <p>Layout: UTF-8 with a byte-order mark (so that Excel reads the accents), then a few comment
 * lines starting with {@code #} (municipality, period, scope, generation time, SHA-256, how to read
 * the file), then one header row and the data rows. Every row has every column; the first column,
 * {@code registro}/{@code record}, says what the row is: an indicator (one per period and sector),
 * an establishment, an outage of that establishment, or an ISP link of it. Columns that do not
 * apply to a row are empty; a figure that has no measurements reads "sin datos"/"no data", never 0.
 * Outages outside opening hours have rows of their own record type, apart from the outages that
 * count, and a computer row carries that computer's whole minutes by status (all day, as the JSON's
 * {@code computers}), so every count of an establishment row equals its rows below it.
 *
 * <p>es: {@code ;} between fields and a decimal comma (Excel in Colombia); en: {@code ,} and a
 * decimal point. No thousands separators. Dates and times: {@code yyyy-MM-dd HH:mm} in the report's
 * time zone. To read it back with Commons CSV: strip the BOM, comment marker {@code #}, the same
 * delimiter, first record as header.
 */
public final class EvidenceCsv {
  /** Column keys in order; header labels are {@code csv.col.KEY} in the language. */
  static final List<String> COLUMNS =
      LinkColumns.join(
          List.of(
              "record",
              "period",
              "sector",
              "establishment_code",
              "establishment_name",
              "kind",
              "computers_enrolled",
              "computers_connected",
              "open_minutes",
              "observed_minutes",
              "up_minutes",
              "outage_minutes",
              "availability_pct",
              "completeness_pct",
              "gap_pcs_off_minutes",
              "gap_link_down_minutes",
              "gap_no_data_minutes",
              "outages",
              "short_blips",
              "latency_samples",
              "latency_p50_ms",
              "latency_p90_ms",
              "outage_start",
              "outage_end",
              "outage_duration_minutes",
              "outage_open_minutes",
              "outage_computers",
              "outage_short_blip",
              "outage_cause",
              "link_id",
              "isp"),
          LinkColumns.SPEED,
          LinkColumns.COST,
          LinkColumns.UTILIZATION,
          List.of(
              "util_peak_hours",
              "computers_measured",
              "computers_declared",
              "computers_combined",
              "computers_baseline",
              "computers_change_pct",
              "computers_progress_pct",
              "establishments_measured",
              "establishments_declared",
              "establishments_combined",
              "establishments_baseline",
              "establishments_change_pct",
              "establishments_progress_pct"),
          // Added after the rest, so that existing sheets keep their columns where they were.
          List.of(
              "outages_outside_hours",
              "outages_provisional",
              "outage_inside_hours",
              "outage_provisional",
              "computer_id",
              "computer_hostname",
              "computer_expected_minutes",
              "computer_online_minutes",
              "computer_limited_minutes",
              "computer_offline_minutes",
              "computer_no_data_minutes"));

  static final char BOM = '\uFEFF';
  private static final DateTimeFormatter DATE_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);

  private final EvidenceReport report;
  private final EvidenceText tx;
  private final ZoneId zone;

  private final CSVFormat minimal;
  private final CSVFormat quoted;

  private EvidenceCsv(EvidenceReport report, EvidenceText.Lang lang) {
    this.report = report;
    this.tx = EvidenceText.of(lang);
    this.zone = EvidenceHtml.zone(report.meta());
    this.minimal = format(lang);
    this.quoted = minimal.builder().setQuoteMode(QuoteMode.ALL).get();
  }

  /** The CSV format of a language: the delimiter; # for comments; CRLF as RFC 4180 says. */
  public static CSVFormat format(EvidenceText.Lang lang) {
    return CSVFormat.RFC4180
        .builder()
        .setDelimiter(lang == EvidenceText.Lang.ES ? ';' : ',')
        .setCommentMarker('#')
        .setQuoteMode(QuoteMode.MINIMAL)
        .get();
  }

  public static byte[] render(EvidenceReport report, EvidenceText.Lang lang) {
    return new EvidenceCsv(report, lang).csv().getBytes(StandardCharsets.UTF_8);
  }

  private String csv() {
    StringWriter w = new StringWriter(16 * 1024);
    w.write(BOM);
    try (CSVPrinter p = new CSVPrinter(w, format(tx.lang()))) {
      comments(p);
      p.printRecord(COLUMNS.stream().map(c -> tx.t("csv.col." + c)).toList());
      indicators(p);
      for (EstablishmentEvidence e : list(report.establishments())) {
        establishment(p, e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  private void comments(CSVPrinter p) throws IOException {
    Meta m = report.meta();
    p.printComment(tx.t("csv.comment.title"));
    p.printComment(tx.t("csv.comment.municipality", nz(m.municipality())));
    p.printComment(tx.t("csv.comment.period", nz(m.period()), tx.range(m.firstDay(), m.lastDay())));
    p.printComment(tx.t("csv.comment.scope", scope()));
    p.printComment(
        tx.t(
            "csv.comment.generated",
            m.generatedAt() == null ? tx.noData() : DATE_TIME.format(m.generatedAt().atZone(zone)),
            tx.zone(zone)));
    String sha = m.dataSha256();
    p.printComment(tx.t("csv.comment.sha", sha == null || blank(sha) ? tx.noData() : sha));
    coverageComment(p);
    p.printComment(tx.t("csv.comment.format"));
  }

  /** How much of the period the data covers, as the PDF's box says it (absent: no line). */
  private void coverageComment(CSVPrinter p) throws IOException {
    EvidenceReport.Coverage c = report.coverage();
    if (c == null) {
      return;
    }
    p.printComment(
        tx.t(
            "csv.comment.coverage",
            c.firstDayWithData().map(LocalDate::toString).orElse(tx.noData()),
            c.lastDayWithData().map(LocalDate::toString).orElse(tx.noData()),
            c.daysCovered() + "/" + c.daysInPeriod(),
            c.complete() ? tx.t("csv.yes") : tx.t("csv.no"),
            c.reasons().isEmpty()
                ? "-"
                : String.join(
                    ", ", c.reasons().stream().map(r -> tx.tOr("covr." + r, r)).toList())));
  }

  private String scope() {
    Meta m = report.meta();
    return switch (nz(m.scope())) {
      case "establishment" -> tx.t("scope.establishment", nz(m.scopeId()));
      case "link" -> tx.t("scope.link", nz(m.scopeId()));
      default -> tx.t("scope.municipality");
    };
  }

  private Map<String, String> row(String record) {
    Map<String, String> r = new HashMap<>();
    r.put("record", tx.t("csv.record." + record));
    return r;
  }

  private void print(CSVPrinter p, Map<String, String> row) throws IOException {
    for (String key : row.keySet()) {
      if (!COLUMNS.contains(key)) {
        throw new IllegalStateException("no CSV column " + key);
      }
    }
    Appendable out = p.getOut();
    boolean first = true;
    for (String c : COLUMNS) {
      String cell = row.getOrDefault(c, "");
      String safe = neutralised(cell);
      // A neutralised cell is also quoted, as OWASP advises; the rest keep minimal quoting.
      (safe.equals(cell) ? minimal : quoted).print(safe, out, first);
      first = false;
    }
    minimal.println(out);
  }

  private static final java.util.regex.Pattern NUMBER =
      java.util.regex.Pattern.compile("-?[0-9]+(?:[.,][0-9]+)?");

  /**
   * A cell that a spreadsheet would read as a formula ({@code =}, {@code +}, {@code -}, {@code @},
   * tab or carriage return first, OWASP's list), written as text with a leading single quote:
   * establishment and ISP names come from people, and administration staff open this file in Excel.
   * A negative number (e.g. {@code -12,5}) is left as it is.
   */
  static String neutralised(String cell) {
    if (cell.isEmpty()) {
      return cell;
    }
    char c = cell.charAt(0);
    boolean formula =
        c == '='
            || c == '+'
            || c == '@'
            || c == '\t'
            || c == '\r'
            || (c == '-' && !NUMBER.matcher(cell).matches());
    return formula ? "'" + cell : cell;
  }

  private void indicators(CSVPrinter p) throws IOException {
    IndicatorReport ind = report.indicators();
    if (ind == null) {
      return;
    }
    for (IndicatorReport.Period period : list(ind.periods())) {
      for (SectorFigures s : list(period.sectors())) {
        Map<String, String> r = row("indicator");
        r.put("period", nz(period.period()));
        r.put("sector", tx.sector(s.sector()));
        counts(r, "computers", s, true);
        counts(r, "establishments", s, false);
        if (s.completeness() != null) {
          r.put("computers_enrolled", count(s.completeness().computersEnrolled()));
        }
        print(p, r);
      }
    }
  }

  private void counts(Map<String, String> r, String prefix, SectorFigures s, boolean computers) {
    r.put(prefix + "_measured", count(s.measured(), computers));
    r.put(prefix + "_declared", count(s.declared(), computers));
    r.put(prefix + "_combined", count(s.combined(), computers));
    r.put(
        prefix + "_baseline", opt(s.baseline()).map(c -> count(c, computers)).orElse(tx.noData()));
    r.put(
        prefix + "_change_pct",
        num(computers ? s.computersChangePct() : s.establishmentsChangePct(), 2));
    r.put(
        prefix + "_progress_pct",
        num(computers ? s.computersProgressPct() : s.establishmentsProgressPct(), 2));
  }

  private String count(Counts c, boolean computers) {
    return c == null ? tx.noData() : count(computers ? c.computers() : c.establishments());
  }

  private String count(long v) {
    return Long.toString(v);
  }

  private Map<String, String> place(String record, EstablishmentEvidence e) {
    Map<String, String> r = row(record);
    r.put("period", nz(report.meta().period()));
    r.put("sector", tx.sector(e.sector()));
    r.put("establishment_code", nz(e.code()));
    r.put("establishment_name", nz(e.name()));
    r.put("kind", tx.kind(e.kind()));
    return r;
  }

  private void establishment(CSVPrinter p, EstablishmentEvidence e) throws IOException {
    Map<String, String> r = place("establishment", e);
    r.put("computers_enrolled", count(e.computersEnrolled()));
    r.put("computers_connected", count(e.computersConnected()));
    var a = e.availability();
    if (a == null) {
      for (String k :
          List.of(
              "open_minutes",
              "observed_minutes",
              "up_minutes",
              "outage_minutes",
              "availability_pct",
              "completeness_pct",
              "gap_pcs_off_minutes",
              "gap_link_down_minutes",
              "gap_no_data_minutes")) {
        r.put(k, tx.noData());
      }
    } else {
      r.put("open_minutes", count(a.openMinutes()));
      r.put("observed_minutes", count(a.observedMinutes()));
      r.put("up_minutes", count(a.upMinutes()));
      r.put("outage_minutes", count(a.outageMinutes()));
      // Percentages with 2 decimals, as the JSON report and the documentation state them.
      r.put("availability_pct", num(a.availabilityPct(), 2));
      r.put("completeness_pct", num(a.completenessPct(), 2));
      r.put("gap_pcs_off_minutes", count(a.pcsOffMinutes()));
      r.put("gap_link_down_minutes", count(a.linkDownMinutes()));
      r.put("gap_no_data_minutes", count(a.noDataMinutes()));
    }
    List<Outage> outages = list(e.outages());
    r.put("outages", count(outages.stream().filter(o -> !o.shortBlip()).count()));
    r.put("short_blips", count(outages.stream().filter(Outage::shortBlip).count()));
    if (e.latency() == null) {
      r.put("latency_samples", tx.noData());
      r.put("latency_p50_ms", tx.noData());
      r.put("latency_p90_ms", tx.noData());
    } else {
      r.put("latency_samples", count(e.latency().samples()));
      r.put("latency_p50_ms", num(e.latency().p50Ms(), 1));
      r.put("latency_p90_ms", num(e.latency().p90Ms(), 1));
    }
    List<Outage> outside = list(e.outagesOutsideOpeningHours());
    r.put("outages_outside_hours", count(outside.size()));
    r.put("outages_provisional", count(outages.stream().filter(Outage::provisional).count()));
    print(p, r);
    for (Outage o : outages) {
      print(p, outage("outage", e, o));
    }
    for (Outage o : outside) {
      print(p, outage("outage_outside_hours", e, o));
    }
    for (EvidenceReport.ComputerMinutes c : list(e.computers())) {
      print(p, computer(e, c));
    }
    for (LinkEvidence l : list(e.links())) {
      Map<String, String> lr = place("link", e);
      lr.put("link_id", Long.toString(l.id()));
      lr.put("isp", nz(l.isp()));
      lr.put("technology", nz(l.technology()));
      lr.put("contracted_down_mbps", dec(l.contractedDownMbps(), 3));
      lr.put("contracted_up_mbps", dec(l.contractedUpMbps(), 3));
      speed(lr, "down", l.download());
      speed(lr, "up", l.upload());
      lr.put("monthly_cost", opt(l.monthlyCost()).map(c -> dec(c, 2)).orElse(tx.noData()));
      lr.put("currency", nz(l.currency()));
      lr.put(
          "cost_per_measured_mbps",
          opt(l.costPerMeasuredMbps()).map(c -> dec(c, 2)).orElse(tx.noData()));
      var u = opt(l.utilization());
      lr.put("util_p95_in_pct", u.map(x -> tx.plain(x.p95InPct(), 2)).orElse(tx.noData()));
      lr.put("util_p95_out_pct", u.map(x -> tx.plain(x.p95OutPct(), 2)).orElse(tx.noData()));
      lr.put("util_minutes_above_80", u.map(x -> count(x.minutesAbove80Pct())).orElse(tx.noData()));
      lr.put("util_samples", u.map(x -> count(x.samples())).orElse(tx.noData()));
      lr.put("util_p95_in_mbps", u.map(x -> tx.plain(x.p95InMbps(), 2)).orElse(tx.noData()));
      lr.put("util_p95_out_mbps", u.map(x -> tx.plain(x.p95OutMbps(), 2)).orElse(tx.noData()));
      lr.put("util_gap_minutes", u.map(x -> count(x.gapMinutes())).orElse(tx.noData()));
      lr.put(
          "util_peak_hours",
          u.map(
                  x ->
                      String.join(
                          " ",
                          list(x.peakHours()).stream()
                              .map(h -> String.format(Locale.ROOT, "%02d", h.hour()))
                              .toList()))
              .orElse(tx.noData()));
      print(p, lr);
    }
  }

  /**
   * An outage row; record says whether it is one of those that count (inside opening hours) or one
   * listed apart (outside them).
   */
  private Map<String, String> outage(String record, EstablishmentEvidence e, Outage o) {
    Map<String, String> out = place(record, e);
    out.put("outage_start", time(o.start()));
    out.put("outage_end", time(o.end()));
    out.put("outage_duration_minutes", count(o.durationMinutes()));
    out.put("outage_open_minutes", count(o.openMinutes()));
    out.put("outage_computers", count(o.computers()));
    out.put("outage_short_blip", yesNo(o.shortBlip()));
    out.put("outage_cause", tx.cause(o.cause()));
    out.put("outage_inside_hours", yesNo(o.openMinutes() > 0));
    out.put("outage_provisional", yesNo(o.provisional()));
    return out;
  }

  /** A computer's whole minutes in the period: expected = online + limited + offline + no data. */
  private Map<String, String> computer(EstablishmentEvidence e, EvidenceReport.ComputerMinutes c) {
    Map<String, String> r = place("computer", e);
    r.put("computer_id", Long.toString(c.computerId()));
    r.put("computer_hostname", nz(c.hostname()));
    r.put("computer_expected_minutes", count(c.expectedMinutes()));
    r.put("computer_online_minutes", count(c.onlineMinutes()));
    r.put("computer_limited_minutes", count(c.limitedMinutes()));
    r.put("computer_offline_minutes", count(c.offlineMinutes()));
    r.put("computer_no_data_minutes", count(c.noDataMinutes()));
    return r;
  }

  private String yesNo(boolean b) {
    return tx.t(b ? "csv.yes" : "csv.no");
  }

  private void speed(Map<String, String> r, String prefix, SpeedStats s) {
    if (s == null) {
      for (String k :
          List.of("tests", "median_mbps", "p10_mbps", "p90_mbps", "under_contract_pct")) {
        r.put(prefix + "_" + k, tx.noData());
      }
      return;
    }
    r.put(prefix + "_tests", count(s.tests()));
    r.put(prefix + "_median_mbps", num(s.medianMbps(), 2));
    r.put(prefix + "_p10_mbps", num(s.p10Mbps(), 2));
    r.put(prefix + "_p90_mbps", num(s.p90Mbps(), 2));
    r.put(prefix + "_under_contract_pct", num(s.underContractSharePct(), 2));
  }

  private String num(Optional<Double> v, int places) {
    return opt(v).map(x -> tx.plain(x, places)).orElse(tx.noData());
  }

  /** A decimal as stored, trailing zeros dropped, with the language's separator. */
  private String dec(BigDecimal v, int maxPlaces) {
    if (v == null) {
      return tx.noData();
    }
    BigDecimal s =
        v.setScale(Math.min(Math.max(v.scale(), 0), maxPlaces), RoundingMode.HALF_UP)
            .stripTrailingZeros();
    String plain = s.scale() < 0 ? s.setScale(0).toPlainString() : s.toPlainString();
    return tx.lang() == EvidenceText.Lang.ES ? plain.replace('.', ',') : plain;
  }

  private String time(Instant t) {
    return t == null ? tx.noData() : DATE_TIME.format(t.atZone(zone));
  }
}
