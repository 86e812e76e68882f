package org.enlace.server.evidence.chart;

import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.util.Locale;

/**
 * How a chart writes numbers: es-CO 1.234,5 or English 1,234.5, with fixed symbols (as EvidenceText
 * does) so that the output does not depend on the JDK's locale data.
 */
public record NumberStyle(char decimal, char grouping) {
  public static final NumberStyle ES = new NumberStyle(',', '.');
  public static final NumberStyle EN = new NumberStyle('.', ',');

  /** With grouping and exactly {@code places} decimals; never "-0". */
  public String format(double v, int places) {
    DecimalFormatSymbols s = DecimalFormatSymbols.getInstance(Locale.ROOT);
    s.setDecimalSeparator(decimal);
    s.setGroupingSeparator(grouping);
    s.setMinusSign('-');
    DecimalFormat f = new DecimalFormat(places == 0 ? "#,##0" : "#,##0." + "0".repeat(places), s);
    f.setRoundingMode(RoundingMode.HALF_UP);
    String out = f.format(v);
    return out.matches("-[0.,]+") ? out.substring(1) : out;
  }

  /** 98,7 % with a non-breaking space, as the report's tables write it. */
  public String pct(double v, int places) {
    return format(v, places) + "\u00a0%";
  }
}
