package org.enlace.server.evidence.chart;

import java.util.List;

/**
 * A grid of days (columns) by establishments (rows), each cell shaded by the minutes of outage that
 * day in four steps that also differ without colour: none (white), under an hour (light), one to
 * four hours (mid, with a diagonal stroke) and four hours or more (dark).
 *
 * @param columnLabels one per day, "" where no label is written
 * @param levelLabels the legend's four texts, from no outage to the longest
 */
public record CalendarChart(
    String title,
    String alt,
    String empty,
    List<String> columnLabels,
    List<Row> rows,
    List<String> levelLabels) {

  /** minutes: one per column, the outage minutes of that day. */
  public record Row(String label, List<Long> minutes) {}

  /** 0 none, 1 under 60 min, 2 under 240 min, 3 longer. */
  public static int level(long minutes) {
    return minutes <= 0 ? 0 : minutes < 60 ? 1 : minutes < 240 ? 2 : 3;
  }
}
