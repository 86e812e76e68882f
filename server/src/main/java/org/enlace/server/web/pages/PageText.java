package org.enlace.server.web.pages;

import static java.util.Objects.requireNonNull;

import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.enlace.server.web.TextBundles;

/**
 * The pages' words in one language ({@code pages_es.properties}, {@code pages_en.properties} beside
 * this class, same keys, checked by a test) and its number and date formats, with fixed symbols so
 * that they do not depend on the JDK's locale data: es-CO writes 1.234,5, English 1,234.5. Keys use
 * underscores, so that a template reads them as {@code {{t.nav_indicators}}}.
 */
public final class PageText {
  private static final Map<PageLang, Map<String, String>> TEXTS = load();

  private final PageLang lang;
  private final Map<String, String> words;
  private final ZoneId zone;

  private PageText(PageLang lang, ZoneId zone) {
    this.lang = lang;
    this.words = requireNonNull(TEXTS.get(lang), "no words for " + lang);
    this.zone = zone;
  }

  public static PageText of(PageLang lang, ZoneId zone) {
    return new PageText(lang, zone);
  }

  public PageLang lang() {
    return lang;
  }

  public ZoneId zone() {
    return zone;
  }

  /** Every word, for templates. */
  public Map<String, String> words() {
    return words;
  }

  public String t(String key) {
    String s = words.get(key);
    if (s == null) {
      throw new IllegalArgumentException("no page text '" + key + "'");
    }
    return s;
  }

  /** The text of a key with {0}, {1}… replaced by the arguments as given. */
  public String t(String key, Object... args) {
    return TextBundles.fill(t(key), args);
  }

  /** The text of a key if there is one, else the fallback. */
  public String orElse(String key, String fallback) {
    return words.getOrDefault(key, fallback);
  }

  public String integer(long n) {
    return format("#,##0").format(n);
  }

  public String decimal(double d) {
    return format("#,##0.##").format(d);
  }

  /** A signed percentage: +12,5 %. */
  public String percentChange(double d) {
    return (d > 0 ? "+" : "") + decimal(d) + " %";
  }

  public String percent(double d) {
    return decimal(d) + " %";
  }

  public String date(LocalDate d) {
    return d.format(DateTimeFormatter.ofPattern(lang == PageLang.ES ? "dd/MM/yyyy" : "yyyy-MM-dd"));
  }

  /** Date and time in the municipality's time zone. */
  public String dateTime(Instant i) {
    return i.atZone(zone)
        .format(
            DateTimeFormatter.ofPattern(
                lang == PageLang.ES ? "dd/MM/yyyy HH:mm" : "yyyy-MM-dd HH:mm"));
  }

  /** "noviembre de 2026" / "November 2026". */
  public String monthName(java.time.YearMonth m) {
    return t("month_" + m.getMonthValue(), m.getYear());
  }

  private DecimalFormat format(String pattern) {
    DecimalFormatSymbols s = new DecimalFormatSymbols(Locale.ROOT);
    s.setDecimalSeparator(lang == PageLang.ES ? ',' : '.');
    s.setGroupingSeparator(lang == PageLang.ES ? '.' : ',');
    s.setMinusSign('−');
    return new DecimalFormat(pattern, s);
  }

  private static Map<PageLang, Map<String, String>> load() {
    Map<PageLang, Map<String, String>> out = new EnumMap<>(PageLang.class);
    for (PageLang l : PageLang.values()) {
      String name = "pages_" + l.code() + ".properties";
      out.put(l, TextBundles.load(PageText.class, name));
    }
    return out;
  }
}
