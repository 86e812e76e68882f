package org.enlace.server.evidence;

import static org.enlace.server.evidence.EvidenceHtml.esc;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One table of the evidence report, written the same way everywhere: figures tables have a header
 * row of column names and numbers aligned right; key-value tables (the header's facts, the summary)
 * have a label cell at the start of each row. A number cell that reads "no data" is styled as such,
 * so a reader tells a zero from a gap.
 */
final class HtmlTable {
  /** How a cell is set: text to the left, numbers to the right, a hash in a fixed-width font. */
  enum Align {
    TEXT,
    NUM,
    HASH
  }

  record Cell(String text, Align align) {}

  static Cell text(String text) {
    return new Cell(text, Align.TEXT);
  }

  static Cell num(String text) {
    return new Cell(text, Align.NUM);
  }

  static Cell hash(String text) {
    return new Cell(text, Align.HASH);
  }

  private record Row(Optional<String> cssClass, Optional<String> label, List<Cell> cells) {}

  private final String cssClass;
  private final Optional<String> caption;
  private final List<String> columns;
  private final String noData;
  private final List<Row> rows = new ArrayList<>();

  private HtmlTable(
      String cssClass, Optional<String> caption, List<String> columns, String noData) {
    this.cssClass = cssClass;
    this.caption = caption;
    this.columns = columns;
    this.noData = noData;
  }

  /** A table of figures under a header row of {@code columns}. */
  static HtmlTable figures(
      String cssClass, Optional<String> caption, List<String> columns, String noData) {
    return new HtmlTable(cssClass, caption, columns, noData);
  }

  /** A table of label-value rows, with no header row. */
  static HtmlTable keyValue(String cssClass, String noData) {
    return new HtmlTable(cssClass, Optional.empty(), List.of(), noData);
  }

  HtmlTable row(Cell... cells) {
    return row(Optional.empty(), cells);
  }

  HtmlTable row(Optional<String> cssClass, Cell... cells) {
    rows.add(new Row(cssClass, Optional.empty(), List.of(cells)));
    return this;
  }

  HtmlTable labelled(String label, Cell value) {
    rows.add(new Row(Optional.empty(), Optional.of(label), List.of(value)));
    return this;
  }

  HtmlTable labelled(String label, String value) {
    return labelled(label, text(value));
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  void appendTo(StringBuilder out) {
    out.append("<table class=\"").append(cssClass).append("\">\n");
    caption.ifPresent(c -> out.append("<caption>").append(esc(c)).append("</caption>\n"));
    boolean figures = !columns.isEmpty();
    if (figures) {
      out.append("<thead><tr>");
      columns.forEach(c -> out.append("<th scope=\"col\">").append(esc(c)).append("</th>"));
      out.append("</tr></thead>\n<tbody>\n");
    }
    int n = 0;
    for (Row row : rows) {
      // Every second body row is banded by a class, not by :nth-child, which openhtmltopdf
      // matches slower on the 2,500 rows of a large municipality's report.
      String band = figures && ++n % 2 == 0 ? "even" : "";
      String cls = (row.cssClass().orElse("") + " " + band).strip();
      out.append(cls.isEmpty() ? "<tr>" : "<tr class=\"" + cls + "\">");
      row.label().ifPresent(l -> out.append("<th>").append(esc(l)).append("</th>"));
      row.cells().forEach(c -> cell(out, c));
      out.append("</tr>\n");
    }
    if (figures) {
      out.append("</tbody>\n");
    }
    out.append("</table>\n");
  }

  /** The table, or when it has no rows, {@code emptyText} as a note in its place. */
  void appendTo(StringBuilder out, String emptyText) {
    if (isEmpty()) {
      out.append("<p class=\"note\">").append(esc(emptyText)).append("</p>\n");
    } else {
      appendTo(out);
    }
  }

  private void cell(StringBuilder out, Cell c) {
    String cls =
        switch (c.align()) {
          case TEXT -> "";
          case NUM -> c.text().equals(noData) ? "num nodata" : "num";
          case HASH -> "hash";
        };
    out.append(cls.isEmpty() ? "<td>" : "<td class=\"" + cls + "\">")
        .append(esc(c.text()))
        .append("</td>");
  }
}
