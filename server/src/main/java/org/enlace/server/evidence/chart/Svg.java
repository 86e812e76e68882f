package org.enlace.server.evidence.chart;

import java.util.Locale;

/**
 * A small SVG writer: every text and attribute value is escaped, every coordinate written with a
 * point and at most one decimal. The output is XML, so it goes into the report's XHTML as it is and
 * the PDF's SVG drawer (Batik) reads the very same element.
 */
final class Svg {
  static final String FONT = "Helvetica, Arial, sans-serif";

  private final StringBuilder b = new StringBuilder(8 * 1024);

  /** An SVG of width × height user units (CSS px), its title and text alternative first. */
  Svg(double width, double height, String title, String alt) {
    b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" role=\"img\" width=\"")
        .append(n(width))
        .append("\" height=\"")
        .append(n(height))
        .append("\" viewBox=\"0 0 ")
        .append(n(width))
        .append(' ')
        .append(n(height))
        .append("\" aria-label=\"")
        .append(esc(title))
        .append("\" font-family=\"")
        .append(FONT)
        .append("\"><title>")
        .append(esc(title))
        .append("</title><desc>")
        .append(esc(alt))
        .append("</desc>");
  }

  Svg raw(String markup) {
    b.append(markup);
    return this;
  }

  Svg rect(double x, double y, double w, double h, String fill, String stroke) {
    b.append("<rect x=\"")
        .append(n(x))
        .append("\" y=\"")
        .append(n(y))
        .append("\" width=\"")
        .append(n(Math.max(0, w)))
        .append("\" height=\"")
        .append(n(Math.max(0, h)))
        .append("\" fill=\"")
        .append(fill)
        .append('"');
    if (!stroke.isEmpty()) {
      b.append(" stroke=\"").append(stroke).append("\" stroke-width=\"0.6\"");
    }
    b.append("/>");
    return this;
  }

  /** A line; dash is an SVG dash array ("" for solid). */
  Svg line(double x1, double y1, double x2, double y2, String stroke, double width, String dash) {
    b.append("<line x1=\"")
        .append(n(x1))
        .append("\" y1=\"")
        .append(n(y1))
        .append("\" x2=\"")
        .append(n(x2))
        .append("\" y2=\"")
        .append(n(y2))
        .append("\" stroke=\"")
        .append(stroke)
        .append("\" stroke-width=\"")
        .append(n(width))
        .append('"');
    if (!dash.isEmpty()) {
      b.append(" stroke-dasharray=\"").append(dash).append('"');
    }
    b.append("/>");
    return this;
  }

  Svg polyline(String points, String stroke, double width, String dash) {
    b.append("<polyline fill=\"none\" points=\"")
        .append(points)
        .append("\" stroke=\"")
        .append(stroke)
        .append("\" stroke-width=\"")
        .append(n(width))
        .append("\" stroke-linejoin=\"round\"");
    if (!dash.isEmpty()) {
      b.append(" stroke-dasharray=\"").append(dash).append('"');
    }
    b.append("/>");
    return this;
  }

  Svg circle(double cx, double cy, double r, String fill, String stroke) {
    b.append("<circle cx=\"")
        .append(n(cx))
        .append("\" cy=\"")
        .append(n(cy))
        .append("\" r=\"")
        .append(n(r))
        .append("\" fill=\"")
        .append(fill)
        .append("\" stroke=\"")
        .append(stroke)
        .append("\" stroke-width=\"1\"/>");
    return this;
  }

  /** A diamond centred on cx, cy: the median's marker. */
  Svg diamond(double cx, double cy, double r, String fill) {
    b.append("<path d=\"M")
        .append(n(cx))
        .append(' ')
        .append(n(cy - r))
        .append(" L")
        .append(n(cx + r))
        .append(' ')
        .append(n(cy))
        .append(" L")
        .append(n(cx))
        .append(' ')
        .append(n(cy + r))
        .append(" L")
        .append(n(cx - r))
        .append(' ')
        .append(n(cy))
        .append(" Z\" fill=\"")
        .append(fill)
        .append("\" stroke=\"#ffffff\" stroke-width=\"0.8\"/>");
    return this;
  }

  /** anchor: start, middle or end. */
  Svg text(double x, double y, String text, String anchor, double size, boolean bold, String fill) {
    b.append("<text x=\"")
        .append(n(x))
        .append("\" y=\"")
        .append(n(y))
        .append("\" font-size=\"")
        .append(n(size))
        .append("\" text-anchor=\"")
        .append(anchor)
        .append("\" fill=\"")
        .append(fill)
        .append('"');
    if (bold) {
      b.append(" font-weight=\"bold\"");
    }
    b.append('>').append(esc(text)).append("</text>");
    return this;
  }

  String end() {
    return b.append("</svg>").toString();
  }

  /** A coordinate: a point, at most one decimal, never an exponent. */
  static String n(double v) {
    double r = Math.round(v * 10) / 10.0;
    if (r == Math.rint(r)) {
      return Long.toString((long) r);
    }
    return String.format(Locale.ROOT, "%.1f", r);
  }

  /** Escapes text for XML and drops the characters XML 1.0 does not allow. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder o = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> o.append("&amp;");
        case '<' -> o.append("&lt;");
        case '>' -> o.append("&gt;");
        case '"' -> o.append("&quot;");
        case '\'' -> o.append("&#39;");
        default -> {
          boolean badSurrogate =
              Character.isHighSurrogate(c)
                  ? i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))
                  : Character.isLowSurrogate(c)
                      && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
          if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r')
              || c == 0xFFFE
              || c == 0xFFFF
              || badSurrogate) {
            o.append(' ');
          } else {
            o.append(c);
          }
        }
      }
    }
    return o.toString();
  }

  /** A label cut to max characters with an ellipsis, so a long name cannot run over the plot. */
  static String fit(String s, int max) {
    String t = s == null ? "" : s.strip();
    return t.length() <= max ? t : t.substring(0, Math.max(1, max - 1)).strip() + "…";
  }
}
