package org.enlace.server.evidence.chart;

import java.util.List;
import java.util.Optional;

/**
 * Measured against contracted speed, one row per ISP link, on an axis of "% of the contracted
 * speed" so that links with different contracts share one scale: the p10–p90 spread of the tests as
 * a band, the median as a diamond, the contract as a dashed line at 100 %, and beside each row the
 * median and the contract in Mbit/s.
 *
 * @param medianLabel legend text for the diamond
 * @param spreadLabel legend text for the band
 * @param contractLabel legend text for the dashed line
 * @param unit the speed unit, e.g. "Mbit/s"
 */
public record RangeChart(
    String title,
    String alt,
    NumberStyle numbers,
    String empty,
    String noData,
    String medianLabel,
    String spreadLabel,
    String contractLabel,
    String unit,
    List<Row> rows) {

  /** Speeds in Mbit/s; p10, median and p90 empty when the link had no test. */
  public record Row(
      String label,
      double contracted,
      Optional<Double> p10,
      Optional<Double> median,
      Optional<Double> p90) {

    Optional<Double> pct(Optional<Double> mbps) {
      return contracted > 0 ? mbps.map(v -> v * 100 / contracted) : Optional.empty();
    }
  }
}
