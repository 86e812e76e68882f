package org.enlace.server.web.pages;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** The pages' languages: Spanish (Colombia) first, English on request. */
public enum PageLang {
  ES("es", "es-CO"),
  EN("en", "en");

  private final String code;
  private final String tag;

  PageLang(String code, String tag) {
    this.code = code;
    this.tag = tag;
  }

  /** es or en, as in {@code ?lang=}. */
  public String code() {
    return code;
  }

  /** The value of the page's {@code lang} attribute and of Content-Language. */
  public String tag() {
    return tag;
  }

  public PageLang other() {
    return this == ES ? EN : ES;
  }

  /**
   * {@code ?lang=} when it names a language, else the browser's first preference between the two
   * (Accept-Language), else Spanish.
   */
  public static PageLang resolve(@Nullable String param, @Nullable String acceptLanguage) {
    if (param != null) {
      for (PageLang l : values()) {
        if (l.code.equalsIgnoreCase(param.trim())) {
          return l;
        }
      }
    }
    if (acceptLanguage != null && !acceptLanguage.isBlank()) {
      try {
        for (Locale.LanguageRange r : Locale.LanguageRange.parse(acceptLanguage)) {
          String range = r.getRange().toLowerCase(Locale.ROOT);
          if (r.getWeight() > 0 && (range.equals("en") || range.startsWith("en-"))) {
            return EN;
          }
          if (r.getWeight() > 0 && (range.equals("es") || range.startsWith("es-"))) {
            return ES;
          }
        }
      } catch (IllegalArgumentException e) {
        return ES; // a malformed header: the default language
      }
    }
    return ES;
  }
}
