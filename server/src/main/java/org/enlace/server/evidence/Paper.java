package org.enlace.server.evidence;

import java.util.Locale;

/** The page size a report is laid out for: A4 by default, US Letter on request. */
public enum Paper {
  A4("A4", 210f, 297f),
  LETTER("letter", 215.9f, 279.4f);

  private final String css;
  private final float widthMm;
  private final float heightMm;

  Paper(String css, float widthMm, float heightMm) {
    this.css = css;
    this.widthMm = widthMm;
    this.heightMm = heightMm;
  }

  /** The CSS {@code @page size} value. */
  public String css() {
    return css;
  }

  public float widthMm() {
    return widthMm;
  }

  public float heightMm() {
    return heightMm;
  }

  /** a4 (the default when absent) or letter; anything else is an IllegalArgumentException. */
  public static Paper parse(String s) {
    if (s == null || s.isBlank()) {
      return A4;
    }
    return switch (s.trim().toLowerCase(Locale.ROOT)) {
      case "a4" -> A4;
      case "letter", "carta" -> LETTER;
      default -> throw new IllegalArgumentException("must be a4 or letter");
    };
  }
}
