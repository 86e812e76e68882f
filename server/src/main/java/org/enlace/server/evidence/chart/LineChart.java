package org.enlace.server.evidence.chart;

import java.util.List;
import java.util.Optional;

/**
 * One series of counts per category (a month), with horizontal reference lines (the baseline, the
 * target). An empty value leaves a gap in the line: no data is never drawn as zero.
 *
 * @param xLabels one per value (a month's short name)
 * @param xSubLabels one per value (the year), written under a label where it changes
 * @param empty the text drawn instead of the chart when no value is present
 */
public record LineChart(
    String title,
    String alt,
    NumberStyle numbers,
    String empty,
    List<String> xLabels,
    List<String> xSubLabels,
    List<Optional<Double>> values,
    List<Reference> references) {

  /** A horizontal line across the plot, labelled with its name and value. */
  public record Reference(String label, double value, Kind kind) {}

  /** Baselines are solid grey, targets dashed orange: told apart without colour too. */
  public enum Kind {
    BASELINE,
    TARGET
  }

  public boolean hasData() {
    return values.stream().anyMatch(Optional::isPresent);
  }
}
