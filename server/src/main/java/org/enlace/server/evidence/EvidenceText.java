package org.enlace.server.evidence;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.enlace.server.web.TextBundles;
import org.jspecify.annotations.Nullable;

/**
 * The words and number formats of one report language. Text lives in {@code text_es.properties} and
 * {@code text_en.properties} beside this class (same keys, checked by a test); numbers and dates
 * are formatted here with fixed symbols, so they do not depend on the JDK's locale data: es-CO
 * writes 1.234,5 and 98,7 %, English 1,234.5 and 98.7 %.
 *
 * <p>Not thread-safe (it holds {@link DecimalFormat}s): make one per rendering with {@link #of}.
 */
public final class EvidenceText {
  /** The report languages: Spanish (Colombia) first. */
  public enum Lang {
    ES("es", Locale.forLanguageTag("es-CO")),
    EN("en", Locale.ENGLISH);

    private final String code;
    private final Locale locale;

    Lang(String code, Locale locale) {
      this.code = code;
      this.locale = locale;
    }

    public String code() {
      return code;
    }

    public Locale locale() {
      return locale;
    }

    /** es (the default when absent) or en; anything else is an IllegalArgumentException. */
    public static Lang parse(String s) {
      if (s == null || s.isBlank()) {
        return ES;
      }
      return switch (s.trim().toLowerCase(Locale.ROOT)) {
        case "es", "es-co" -> ES;
        case "en" -> EN;
        default -> throw new IllegalArgumentException("must be es or en");
      };
    }
  }

  private static final Map<Lang, Map<String, String>> BUNDLES = new HashMap<>();
  private static final Pattern QUARTER = Pattern.compile("(\\d{4})-Q([1-4])");
  private static final Pattern MONTH = Pattern.compile("(\\d{4})-(\\d{2})");
  private static final Pattern YEAR = Pattern.compile("\\d{4}");

  /** The non-breaking space between a number and its %, as es-CO writes it. */
  static final String NBSP = "\u00a0";

  private final Lang lang;
  private final Map<String, String> text;
  private final DecimalFormatSymbols symbols;
  private final Map<Integer, DecimalFormat> decimals = new HashMap<>();
  private final DecimalFormat plainInteger;
  private final DateTimeFormatter longDate;
  private final DateTimeFormatter time;
  private final DateTimeFormatter shortDateTime;

  private EvidenceText(Lang lang) {
    this.lang = lang;
    this.text = bundle(lang);
    symbols = DecimalFormatSymbols.getInstance(Locale.ROOT);
    symbols.setDecimalSeparator(lang == Lang.ES ? ',' : '.');
    symbols.setGroupingSeparator(lang == Lang.ES ? '.' : ',');
    symbols.setMinusSign('-');
    plainInteger = new DecimalFormat("0", symbols);
    longDate =
        lang == Lang.ES
            ? DateTimeFormatter.ofPattern("d 'de' MMMM 'de' yyyy", lang.locale())
            : DateTimeFormatter.ofPattern("d MMMM yyyy", lang.locale());
    time = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);
    shortDateTime =
        lang == Lang.ES
            ? DateTimeFormatter.ofPattern("dd/MM/yyyy HH:mm", Locale.ROOT)
            : DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);
  }

  public static EvidenceText of(Lang lang) {
    return new EvidenceText(lang);
  }

  public Lang lang() {
    return lang;
  }

  /** Every key of a language, for the test that keeps es and en in step. */
  static Map<String, String> bundle(Lang lang) {
    synchronized (BUNDLES) {
      return BUNDLES.computeIfAbsent(lang, EvidenceText::load);
    }
  }

  private static Map<String, String> load(Lang lang) {
    String name = "text_" + lang.code() + ".properties";
    return TextBundles.load(EvidenceText.class, name);
  }

  /** The text for key with {0}, {1}... replaced by args (as given: escape afterwards). */
  public String t(String key, @Nullable Object... args) {
    String s = text.get(key);
    if (s == null) {
      throw new IllegalArgumentException("no text '" + key + "' for " + lang.code());
    }
    return TextBundles.fill(s, args);
  }

  /** The text for key, or fallback when the bundle has none (enum values we do not know yet). */
  public String tOr(String key, String fallback) {
    return text.getOrDefault(key, fallback);
  }

  public String noData() {
    return t("nodata");
  }

  // ---- numbers ----

  /** With grouping and exactly {@code places} decimals: 1.234,5 (es) or 1,234.5 (en). */
  public String number(double v, int places) {
    DecimalFormat f =
        decimals.computeIfAbsent(
            places,
            p -> {
              DecimalFormat d =
                  new DecimalFormat(p == 0 ? "#,##0" : "#,##0." + "0".repeat(p), symbols);
              d.setRoundingMode(RoundingMode.HALF_UP);
              return d;
            });
    String s = f.format(v);
    // -0,0 reads as a figure that was negative; it was zero.
    return s.matches("-[0.,]+") ? s.substring(1) : s;
  }

  public String number(BigDecimal v, int places) {
    return number(v.doubleValue(), places);
  }

  /** A count with grouping: 1.234 (es), 1,234 (en). */
  public String integer(long v) {
    return number((double) v, 0);
  }

  /** For CSV: no grouping, the language's decimal separator, places decimals. */
  public String plain(double v, int places) {
    if (places == 0) {
      return plainInteger.format(Math.round(v));
    }
    DecimalFormat d = new DecimalFormat("0." + "0".repeat(places), symbols);
    d.setRoundingMode(RoundingMode.HALF_UP);
    String s = d.format(v);
    return s.matches("-[0.,]+") ? s.substring(1) : s;
  }

  /** 98,7 % (es) or 98.7 % (en): one decimal and a non-breaking space. */
  public String pct(double v) {
    return number(v, 1) + NBSP + "%";
  }

  /** +12,5 % or -3,0 %: a change, always signed. */
  public String signedPct(double v) {
    String n = number(v, 1);
    return (n.startsWith("-") || isZero(n) ? n : "+" + n) + NBSP + "%";
  }

  private static boolean isZero(String n) {
    return n.matches("[0.,]+");
  }

  /** A share given as 0..1 (0,8 → 80 %), without decimals when whole. */
  public String share(double fraction) {
    double pct = fraction * 100;
    return (Math.abs(pct - Math.rint(pct)) < 1e-9 ? number(pct, 0) : number(pct, 1)) + NBSP + "%";
  }

  public String mbps(double v) {
    return t("unit.mbps", number(v, 1));
  }

  public String mbps(BigDecimal v) {
    return t("unit.mbps", contractNumber(v));
  }

  /** A contracted speed without its unit: 20 or 2,5 (no ",0" on a whole number). */
  public String contractNumber(BigDecimal v) {
    return v.stripTrailingZeros().scale() <= 0 ? number(v, 0) : number(v, 1);
  }

  /** "1 día", "3 días": a count of days in a sentence, never "día(s)". */
  public String days(long n) {
    return n == 1 ? t("unit.day.one") : t("unit.days", integer(n));
  }

  /** "1 minuto", "10 minutos". */
  public String minutes(long n) {
    return n == 1 ? t("unit.minute.one") : t("unit.minutes.many", integer(n));
  }

  public String ms(double v) {
    return t("unit.ms", number(v, 1));
  }

  /**
   * An amount of money: whole pesos for COP (and other currencies without cents), else 2 places.
   */
  public String money(BigDecimal v, String currency) {
    return moneyNumber(v, currency) + (currency == null ? "" : NBSP + currency);
  }

  /** The amount alone, with the currency's usual decimals. */
  public String moneyNumber(BigDecimal v, String currency) {
    return number(v, moneyPlaces(currency));
  }

  static int moneyPlaces(String currency) {
    return currency == null
            || currency.equals("COP")
            || currency.equals("CLP")
            || currency.equals("JPY")
        ? 0
        : 2;
  }

  /** 45 min, 3 h 05 min, 50 h 00 min. */
  public String duration(long minutes) {
    if (minutes < 60) {
      return t("unit.minutes", integer(minutes));
    }
    return t("unit.hours", integer(minutes / 60), String.format(Locale.ROOT, "%02d", minutes % 60));
  }

  /** The value formatted, or "sin datos"/"no data": an empty Optional is never written as 0. */
  public <T> String opt(Optional<T> v, Function<T, String> format) {
    return v.map(format).orElseGet(this::noData);
  }

  // ---- dates ----

  /** 25 de noviembre de 2026 (es), 25 November 2026 (en). */
  public String date(LocalDate d) {
    return longDate.format(d);
  }

  /**
   * The time zone as a reader names it, "hora de Colombia (UTC-5)": an identifier such as
   * America/Bogota means nothing to a mayor's office. The standard offset, since Colombia keeps no
   * daylight saving time and a zone that does is named by its name first.
   */
  public String zone(ZoneId zone) {
    String name = zone.getDisplayName(TextStyle.FULL, lang.locale());
    int seconds = zone.getRules().getStandardOffset(Instant.now()).getTotalSeconds();
    int minutes = Math.abs(seconds) / 60;
    String offset =
        // An ASCII minus, as in every figure (see symbols): U+2212 is not in the PDF's base fonts.
        (seconds < 0 ? "-" : "+")
            + minutes / 60
            + (minutes % 60 == 0 ? "" : String.format(Locale.ROOT, ":%02d", minutes % 60));
    return t("zone.name", name, seconds == 0 ? "" : offset);
  }

  /** 25 de noviembre de 2026, 14:03 in the given zone. */
  public String dateTime(Instant at, ZoneId zone) {
    var z = at.atZone(zone);
    return date(z.toLocalDate()) + ", " + time.format(z);
  }

  /** 03/03/2026 10:15 (es) or 2026-03-03 10:15 (en), for tables. */
  public String shortDateTime(Instant at, ZoneId zone) {
    return shortDateTime.format(at.atZone(zone));
  }

  public String monthName(int month) {
    // marzo in Spanish, March in English.
    return Month.of(month).getDisplayName(TextStyle.FULL, lang.locale());
  }

  /** marzo de 2026, 1.º trimestre de 2026, Año 2026; the label itself when not one of those. */
  public String periodName(String label) {
    if (label == null) {
      return noData();
    }
    Matcher q = QUARTER.matcher(label);
    if (q.matches()) {
      return t("period.quarter", q.group(2), q.group(1));
    }
    Matcher m = MONTH.matcher(label);
    if (m.matches()) {
      int month = Integer.parseInt(m.group(2));
      if (month >= 1 && month <= 12) {
        return t("period.month", monthName(month), m.group(1));
      }
    }
    if (YEAR.matcher(label).matches()) {
      return t("period.year", label);
    }
    return label;
  }

  /** del 1 de marzo de 2026 al 31 de marzo de 2026. */
  public String range(LocalDate first, LocalDate last) {
    if (first == null || last == null) {
      return noData();
    }
    return t("period.range", date(first), date(last));
  }

  public String sector(String sector) {
    return sector == null ? noData() : tOr("sector." + sector, sector);
  }

  public String kind(String kind) {
    return kind == null ? noData() : tOr("kind." + kind, kind);
  }

  public String cause(String cause) {
    return cause == null ? noData() : tOr("cause." + cause, cause);
  }
}
