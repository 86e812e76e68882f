package org.enlace.server.evidence.chart;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Draws the chart models as SVG strings, sized in CSS px (96 per inch). Every chart reads in black
 * and white: series differ by dash, marker or shade, and values are written beside what they mark.
 * Colours are fixed (see the constants) so that the render checks can look for them.
 */
public final class ChartSvg {
  /** The indicator line and its markers (a blue of its own: headings use #1d4f91). */
  public static final String SERIES = "#3366cc";

  /** The baseline: a solid grey line. */
  public static final String BASELINE = "#555555";

  /** The target and the contracted speed: a dashed orange line. */
  public static final String TARGET = "#d95f02";

  /** Availability bars. */
  public static final String BAR = "#4f8ac9";

  /** The p10–p90 band of the speed tests, and its edge. */
  public static final String SPREAD = "#9ecae1";

  public static final String SPREAD_EDGE = "#2171b5";

  /** The median's diamond. */
  public static final String MEDIAN = "#08306b";

  /** The outage calendar's shades, from under an hour to four hours or more. */
  public static final List<String> OUTAGE = List.of("#ffffff", "#fcbba1", "#fb6a4a", "#a50f15");

  static final String INK = "#222222";
  static final String MUTED = "#666666";
  static final String GRID = "#dddddd";
  static final String FRAME = "#bbbbbb";
  static final double SMALL = 8.5;
  static final double LABEL = 9;

  private ChartSvg() {}

  /** Text of size px is about this wide per character in Helvetica: for fitting labels. */
  static int chars(double widthPx, double size) {
    return (int) Math.max(4, widthPx / (size * 0.52));
  }

  private static String empty(double width, double height, String title, String alt, String text) {
    return new Svg(width, height, title, alt)
        .rect(0.5, 0.5, width - 1, height - 1, "#fafafa", FRAME)
        .text(width / 2, height / 2 + 3, text, "middle", LABEL, false, MUTED)
        .end();
  }

  private static boolean whole(double v) {
    return Math.abs(v - Math.rint(v)) < 1e-9;
  }

  // ---- line chart ----

  public static String line(LineChart c, double width, double height) {
    if (!c.hasData()) {
      return empty(width, Math.min(height, 60), c.title(), c.alt(), c.empty());
    }
    double left = 38;
    double right = 8;
    double top = 8;
    double bottom = 28;
    double plotW = width - left - right;
    double plotH = height - top - bottom;
    double max = 0;
    for (Optional<Double> v : c.values()) {
      max = Math.max(max, v.orElse(0.0));
    }
    for (LineChart.Reference r : c.references()) {
      max = Math.max(max, r.value());
    }
    Ticks ticks = Ticks.nice(0, max * 1.08, 4, true);
    LinearScale y = new LinearScale(ticks.min(), ticks.max(), top + plotH, top);
    int n = c.values().size();
    double slot = plotW / Math.max(1, n);
    Svg s = new Svg(width, height, c.title(), c.alt());
    for (double t : ticks.values()) {
      double ty = y.at(t);
      s.line(left, ty, left + plotW, ty, GRID, 0.6, "");
      s.text(left - 4, ty + 3, c.numbers().format(t, ticks.decimals()), "end", SMALL, false, MUTED);
    }
    s.line(left, top + plotH, left + plotW, top + plotH, MUTED, 0.8, "");
    // Every other month when twelve do not fit; the last month always labelled, and the year
    // under the first labelled month and wherever it changes.
    int every = slot < 22 ? 2 : 1;
    String year = "";
    for (int i = 0; i < n; i++) {
      if ((n - 1 - i) % every != 0) {
        continue;
      }
      double x = left + (i + 0.5) * slot;
      s.text(x, top + plotH + 11, c.xLabels().get(i), "middle", SMALL, false, INK);
      String y2 = i < c.xSubLabels().size() ? c.xSubLabels().get(i) : "";
      if (!y2.isEmpty() && !y2.equals(year)) {
        s.text(x, top + plotH + 21, y2, "middle", SMALL, false, MUTED);
        year = y2;
      }
    }
    for (LineChart.Reference r : c.references()) {
      double ry = y.at(r.value());
      boolean target = r.kind() == LineChart.Kind.TARGET;
      s.line(
          left,
          ry,
          left + plotW,
          ry,
          target ? TARGET : BASELINE,
          target ? 1.4 : 1.1,
          target ? "5 3" : "");
    }
    // The line, broken where a month has no value.
    StringBuilder points = new StringBuilder();
    List<String> runs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Optional<Double> v = c.values().get(i);
      if (v.isPresent()) {
        points
            .append(points.length() == 0 ? "" : " ")
            .append(Svg.n(left + (i + 0.5) * slot))
            .append(',')
            .append(Svg.n(y.at(v.get())));
      } else if (points.length() > 0) {
        runs.add(points.toString());
        points.setLength(0);
      }
    }
    if (points.length() > 0) {
      runs.add(points.toString());
    }
    runs.forEach(p -> s.polyline(p, SERIES, 2, ""));
    int last = -1;
    for (int i = 0; i < n; i++) {
      Optional<Double> v = c.values().get(i);
      if (v.isPresent()) {
        s.circle(left + (i + 0.5) * slot, y.at(v.get()), 2.8, SERIES, "#ffffff");
        last = i;
      }
    }
    // Reference labels last, over the series, each on a white ground.
    for (LineChart.Reference r : c.references()) {
      double ry = y.at(r.value());
      boolean target = r.kind() == LineChart.Kind.TARGET;
      String label = r.label() + " " + c.numbers().format(r.value(), whole(r.value()) ? 0 : 1);
      // A white ground under the label keeps it legible where the series crosses it.
      s.rect(left + 1, ry - 11, label.length() * SMALL * 0.52 + 4, 10, "#ffffff", "");
      s.text(left + 3, ry - 3, label, "start", SMALL, false, target ? "#8a3b00" : BASELINE);
    }
    if (last >= 0) {
      double v = c.values().get(last).orElse(0.0);
      double lx = left + (last + 0.5) * slot;
      double ly = y.at(v) - 6;
      s.text(lx, Math.max(top + 8, ly), c.numbers().format(v, 0), "middle", LABEL, true, SERIES);
    }
    return s.end();
  }

  // ---- bars ----

  public static String bars(BarChart c, double width) {
    if (c.bars().isEmpty()) {
      return empty(width, 50, c.title(), c.alt(), c.empty());
    }
    double row = 14;
    double labelW = Math.min(230, width * 0.36);
    double valueW = 52;
    double top = 16;
    double left = labelW + 6;
    double plotW = width - left - valueW;
    double height = top + row * c.bars().size() + 6;
    LinearScale x = new LinearScale(0, 100, left, left + plotW);
    Svg s = new Svg(width, height, c.title(), c.alt());
    double bottom = top + row * c.bars().size();
    for (int t = 0; t <= 100; t += 25) {
      s.line(x.at(t), top - 2, x.at(t), bottom, GRID, 0.6, "");
      s.text(x.at(t), top - 5, c.numbers().pct(t, 0), "middle", SMALL, false, MUTED);
    }
    int fit = chars(labelW, SMALL);
    for (int i = 0; i < c.bars().size(); i++) {
      BarChart.Bar b = c.bars().get(i);
      double ry = top + i * row;
      s.text(labelW, ry + row / 2 + 3, Svg.fit(b.label(), fit), "end", SMALL, false, INK);
      if (b.pct().isPresent()) {
        double v = b.pct().get();
        s.rect(left, ry + 2, x.clamped(v) - left, row - 4, BAR, "");
        s.text(
            left + plotW + 4, ry + row / 2 + 3, c.numbers().pct(v, 1), "start", SMALL, true, INK);
      } else {
        s.text(left + 4, ry + row / 2 + 3, c.noData(), "start", SMALL, false, MUTED);
      }
    }
    s.line(left, top - 2, left, bottom, MUTED, 0.8, "");
    return s.end();
  }

  // ---- measured against contracted speed ----

  public static String ranges(RangeChart c, double width) {
    if (c.rows().isEmpty()) {
      return empty(width, 50, c.title(), c.alt(), c.empty());
    }
    double row = 18;
    double labelW = Math.min(210, width * 0.32);
    double valueW = 104;
    double top = 34;
    double left = labelW + 6;
    double plotW = width - left - valueW;
    double bottom = top + row * c.rows().size();
    double height = bottom + 6;
    double maxPct = 100;
    for (RangeChart.Row r : c.rows()) {
      maxPct = Math.max(maxPct, r.pct(r.p90()).orElse(0.0));
      maxPct = Math.max(maxPct, r.pct(r.median()).orElse(0.0));
    }
    Ticks ticks = Ticks.nice(0, Math.min(maxPct, 300) * 1.05, 5, true);
    LinearScale x = new LinearScale(ticks.min(), ticks.max(), left, left + plotW);
    Svg s = new Svg(width, height, c.title(), c.alt());
    // The legend: diamond, band, dashed line.
    double lx = left;
    s.diamond(lx + 4, 7, 4.5, MEDIAN);
    s.text(lx + 12, 10, c.medianLabel(), "start", SMALL, false, INK);
    lx += 24 + c.medianLabel().length() * SMALL * 0.62;
    s.rect(lx, 3, 18, 8, SPREAD, SPREAD_EDGE);
    s.text(lx + 22, 10, c.spreadLabel(), "start", SMALL, false, INK);
    lx += 34 + c.spreadLabel().length() * SMALL * 0.62;
    s.line(lx, 7, lx + 18, 7, TARGET, 1.6, "4 2");
    s.text(lx + 22, 10, c.contractLabel(), "start", SMALL, false, INK);
    for (double t : ticks.values()) {
      s.line(x.at(t), top - 4, x.at(t), bottom, GRID, 0.6, "");
      s.text(x.at(t), top - 7, c.numbers().pct(t, ticks.decimals()), "middle", SMALL, false, MUTED);
    }
    int fit = chars(labelW, SMALL);
    for (int i = 0; i < c.rows().size(); i++) {
      RangeChart.Row r = c.rows().get(i);
      double cy = top + i * row + row / 2;
      s.text(labelW, cy + 3, Svg.fit(r.label(), fit), "end", SMALL, false, INK);
      Optional<Double> median = r.pct(r.median());
      String contract = c.numbers().format(r.contracted(), r.contracted() % 1 == 0 ? 0 : 1);
      if (median.isEmpty()) {
        s.text(left + 4, cy + 3, c.noData(), "start", SMALL, false, MUTED);
        s.text(
            left + plotW + 6,
            cy + 3,
            "– / " + contract + " " + c.unit(),
            "start",
            SMALL,
            false,
            MUTED);
        continue;
      }
      double p10 = r.pct(r.p10()).orElse(median.get());
      double p90 = r.pct(r.p90()).orElse(median.get());
      double x0 = x.clamped(Math.min(p10, p90));
      double x1 = x.clamped(Math.max(p10, p90));
      s.rect(x0, cy - 4, Math.max(1.5, x1 - x0), 8, SPREAD, SPREAD_EDGE);
      s.diamond(x.clamped(median.get()), cy, 5, MEDIAN);
      s.text(
          left + plotW + 6,
          cy + 3,
          c.numbers().format(r.median().orElse(0.0), 1) + " / " + contract + " " + c.unit(),
          "start",
          SMALL,
          true,
          INK);
    }
    s.line(x.at(100), top - 4, x.at(100), bottom, TARGET, 1.6, "4 2");
    s.line(left, top - 4, left, bottom, MUTED, 0.8, "");
    return s.end();
  }

  // ---- outage calendar ----

  public static String calendar(CalendarChart c, double width) {
    if (c.rows().isEmpty() || c.columnLabels().isEmpty()) {
      return empty(width, 50, c.title(), c.alt(), c.empty());
    }
    int days = c.columnLabels().size();
    double row = 12;
    double labelW = Math.min(190, width * 0.28);
    double left = labelW + 6;
    double top = 14;
    double cell = (width - left - 4) / days;
    double bottom = top + row * c.rows().size();
    double height = bottom + 24;
    Svg s = new Svg(width, height, c.title(), c.alt());
    for (int d = 0; d < days; d++) {
      String label = c.columnLabels().get(d);
      if (!label.isEmpty()) {
        s.text(left + (d + 0.5) * cell, top - 4, label, "middle", 7.5, false, MUTED);
      }
    }
    int fit = chars(labelW, SMALL);
    for (int i = 0; i < c.rows().size(); i++) {
      CalendarChart.Row r = c.rows().get(i);
      double ry = top + i * row;
      s.text(labelW, ry + row / 2 + 3, Svg.fit(r.label(), fit), "end", SMALL, false, INK);
      s.rect(left, ry, cell * days, row, OUTAGE.get(0), "");
      for (int d = 0; d < days && d < r.minutes().size(); d++) {
        int level = CalendarChart.level(r.minutes().get(d));
        if (level == 0) {
          continue;
        }
        double cx = left + d * cell;
        s.rect(cx, ry, cell, row, OUTAGE.get(level), "");
        if (level == 2) {
          s.line(cx, ry + row, cx + cell, ry, "#4a0000", 0.8, "");
        }
      }
    }
    // Thin grid lines over the cells: days and rows stay countable.
    if (cell >= 4) {
      for (int d = 0; d <= days; d++) {
        s.line(left + d * cell, top, left + d * cell, bottom, FRAME, 0.4, "");
      }
    }
    for (int i = 0; i <= c.rows().size(); i++) {
      s.line(left, top + i * row, left + cell * days, top + i * row, FRAME, 0.4, "");
    }
    double lx = left;
    double ly = bottom + 8;
    for (int level = 0; level < 4 && level < c.levelLabels().size(); level++) {
      s.rect(lx, ly, 12, 9, OUTAGE.get(level), MUTED);
      if (level == 2) {
        s.line(lx, ly + 9, lx + 12, ly, "#4a0000", 0.8, "");
      }
      String label = c.levelLabels().get(level);
      s.text(lx + 16, ly + 8, label, "start", SMALL, false, INK);
      lx += 30 + label.length() * SMALL * 0.62;
    }
    return s.end();
  }
}
