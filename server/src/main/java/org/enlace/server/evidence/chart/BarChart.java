package org.enlace.server.evidence.chart;

import java.util.List;
import java.util.Optional;

/**
 * Horizontal bars of a percentage (0–100), one per row, each with its value written beside it; rows
 * are drawn in the order given. A row without a value reads {@code noData}, never 0.
 */
public record BarChart(
    String title, String alt, NumberStyle numbers, String empty, String noData, List<Bar> bars) {

  public record Bar(String label, Optional<Double> pct) {}
}
