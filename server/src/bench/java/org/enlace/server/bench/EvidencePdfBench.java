package org.enlace.server.bench;

import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * A month's municipality PDF, charts included, at 10,000 computers (issue 18: ≤ 2 s at p95). {@link
 * IndicatorBench} with a month of data instead of a year: it starts the server jar with its
 * embedded PostgreSQL, generates 300 establishments with one ISP link each, 10,000 computers, the
 * month's computer_days (set-based SQL) and a year of speed tests, lets the server's own
 * RollupMaintainer derive that month's establishment_days, outages and computer_months (about 9,300
 * establishment-days: under a minute, so no rollup table is written by hand), sets a baseline, and
 * then times the month's PDF (and its JSON, the data alone) through HTTP: warm-up, N runs,
 * p50/p95/max.
 *
 * <p>{@code mvn -B -Pbench -pl server -am verify -DskipTests -Dbench=EvidencePdfBench}; results in
 * server/target/bench/evidence-pdf.md and one of the PDFs beside it; see docs/performance.md.
 */
public final class EvidencePdfBench {
  private EvidencePdfBench() {}

  public static void main(String[] args) throws Exception {
    int year = LocalDate.now(ZoneOffset.UTC).getYear() - 1;
    String y = System.getProperty("bench.data.year", "");
    if (!y.isBlank()) {
      year = Integer.parseInt(y.trim());
    }
    String month = orDefault("bench.evidence.month", year + "-10");
    System.setProperty("bench.data.year", Integer.toString(year));
    orDefault("bench.data.month", month);
    orDefault("bench.requests", "period=" + month + "&format=(pdf|json)$");
    IndicatorBench.main(args);
  }

  private static String orDefault(String name, String value) {
    String v = System.getProperty(name);
    if (v == null || v.isBlank()) {
      System.setProperty(name, value);
      return value;
    }
    return v.trim();
  }
}
