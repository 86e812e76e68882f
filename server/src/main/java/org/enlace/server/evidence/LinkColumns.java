package org.enlace.server.evidence;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.enlace.server.evidence.EvidenceReport.LinkEvidence;
import org.enlace.server.evidence.EvidenceReport.SpeedStats;
import org.enlace.server.evidence.EvidenceReport.Utilization;

/**
 * The link columns the report CSV, the data tables and the ISP table share, named and filled in one
 * place so a reader who joins them finds the same column meaning the same thing everywhere.
 */
final class LinkColumns {
  /** Technology, contracted speeds and the measured download and upload speeds. */
  static final List<String> SPEED =
      List.of(
          "technology",
          "contracted_down_mbps",
          "contracted_up_mbps",
          "down_tests",
          "down_median_mbps",
          "down_p10_mbps",
          "down_p90_mbps",
          "down_under_contract_pct",
          "up_tests",
          "up_median_mbps",
          "up_p10_mbps",
          "up_p90_mbps",
          "up_under_contract_pct");

  static final List<String> COST = List.of("monthly_cost", "currency", "cost_per_measured_mbps");

  static final List<String> UTILIZATION =
      List.of(
          "util_p95_in_pct",
          "util_p95_out_pct",
          "util_p95_in_mbps",
          "util_p95_out_mbps",
          "util_minutes_above_80",
          "util_samples",
          "util_gap_minutes");

  private LinkColumns() {}

  /** The lists one after another, as one table's columns. */
  @SafeVarargs
  static List<String> join(List<String>... parts) {
    List<String> all = new ArrayList<>();
    for (List<String> p : parts) {
      all.addAll(p);
    }
    return List.copyOf(all);
  }

  /** Appends the {@link #SPEED} cells. */
  static void speed(List<Object> r, LinkEvidence l) {
    r.add(l.technology());
    r.add(l.contractedDownMbps());
    r.add(l.contractedUpMbps());
    speed(r, l.download());
    speed(r, l.upload());
  }

  /** Appends the {@link #COST} cells. */
  static void cost(List<Object> r, LinkEvidence l) {
    r.add(l.monthlyCost());
    r.add(l.currency());
    r.add(l.costPerMeasuredMbps());
  }

  /** Appends the {@link #UTILIZATION} cells. */
  static void utilization(List<Object> r, Optional<Utilization> u) {
    r.add(new EvidenceTables.Pct(u.map(Utilization::p95InPct)));
    r.add(new EvidenceTables.Pct(u.map(Utilization::p95OutPct)));
    r.add(u.map(Utilization::p95InMbps));
    r.add(u.map(Utilization::p95OutMbps));
    r.add(u.map(Utilization::minutesAbove80Pct));
    r.add(u.map(Utilization::samples));
    r.add(u.map(Utilization::gapMinutes));
  }

  private static void speed(List<Object> r, SpeedStats s) {
    r.add(s.tests());
    r.add(s.medianMbps());
    r.add(s.p10Mbps());
    r.add(s.p90Mbps());
    r.add(new EvidenceTables.Pct(s.underContractSharePct()));
  }
}
