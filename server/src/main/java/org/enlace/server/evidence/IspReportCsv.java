package org.enlace.server.evidence;

import java.util.ArrayList;
import java.util.List;
import org.enlace.server.evidence.EvidenceReport.LinkEvidence;
import org.enlace.server.evidence.EvidenceReport.Outage;
import org.enlace.server.evidence.EvidenceReport.Utilization;
import org.enlace.server.evidence.IspReport.ServedEstablishment;

/**
 * The ISP report as one CSV table: a row per link with its establishment's availability and outages
 * inside opening hours. Written like the data tables ({@link TablesZip}); the column names and
 * meanings are in their data dictionary.
 */
public final class IspReportCsv {
  static final List<String> COLUMNS =
      LinkColumns.join(
          List.of("link_id", "isp", "establishment_code", "establishment_name"),
          LinkColumns.SPEED,
          List.of(
              "links_at_establishment",
              "availability_pct",
              "outages_in_hours",
              "outages_open_minutes",
              "short_blips"),
          LinkColumns.COST,
          List.of("util_p95_in_pct", "util_p95_out_pct", "util_minutes_above_80"));

  private IspReportCsv() {}

  public static byte[] render(IspReport report, EvidenceText.Lang lang) {
    return TablesZip.csv(table(report), lang, zone(report));
  }

  static EvidenceTables.Table table(IspReport report) {
    List<List<Object>> rows = new ArrayList<>();
    for (ServedEstablishment e : report.establishments()) {
      for (LinkEvidence l : e.links()) {
        List<Object> r = new ArrayList<>();
        r.add(l.id());
        r.add(l.isp());
        r.add(e.code());
        r.add(e.name());
        LinkColumns.speed(r, l);
        r.add((long) e.linksAtEstablishment());
        r.add(new EvidenceTables.Pct(e.availability().availabilityPct()));
        r.add(e.outages().stream().filter(o -> !o.shortBlip()).count());
        r.add(
            e.outages().stream().filter(o -> !o.shortBlip()).mapToLong(Outage::openMinutes).sum());
        r.add(e.outages().stream().filter(Outage::shortBlip).count());
        LinkColumns.cost(r, l);
        r.add(new EvidenceTables.Pct(l.utilization().map(Utilization::p95InPct)));
        r.add(new EvidenceTables.Pct(l.utilization().map(Utilization::p95OutPct)));
        r.add(l.utilization().map(Utilization::minutesAbove80Pct));
        rows.add(r);
      }
    }
    return new EvidenceTables.Table("isp_links", COLUMNS, row -> rows.forEach(row));
  }

  private static java.time.ZoneId zone(IspReport r) {
    try {
      return java.time.ZoneId.of(r.meta().timeZone());
    } catch (RuntimeException e) {
      return EvidenceHtml.DEFAULT_ZONE;
    }
  }
}
