package org.enlace.server.web;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * What a secret looks like in text, and the text with it masked: credentials in HTTP headers
 * ({@code Authorization}, {@code Proxy-Authorization}, {@code Cookie}, {@code Set-Cookie}), {@code
 * Basic}/{@code Bearer}/{@code Digest} credentials anywhere, Enlace's own secrets by their prefixes
 * (enrollment tokens {@code enl_}, agent secrets {@code ens_}, speed-test tokens {@code ndt_}), and
 * {@code password}/{@code secret}/{@code token} fields in JSON, query strings and {@code key=value}
 * text.
 */
public final class Redaction {
  public static final String MASK = "[redacted]";

  private static final List<Pattern> PATTERNS =
      List.of(
          // Header lines and HttpField dumps: the whole value, to the end of the line or field.
          Pattern.compile(
              "(?i)((?:proxy-)?authorization|set-cookie|cookie)(\\s*[:=]\\s*)([^\\r\\n,\\]}]+)"),
          Pattern.compile("(?i)(\\b(?:basic|bearer|digest|negotiate))(\\s+)([A-Za-z0-9+/=._~-]+)"),
          Pattern.compile("()()(\\b(?:enl|ens|ndt)_[A-Za-z0-9_-]{16,})"),
          Pattern.compile(
              "(?i)(\"(?:password|secret|token|access_token|community|authPassword|privPassword)\")"
                  + "(\\s*:\\s*)(\"(?:[^\"\\\\]|\\\\.)*\")"),
          Pattern.compile(
              "(?i)(\\b(?:password|secret|token|access_token|community))(=)([^\\s&\"',;]+)"));

  private Redaction() {}

  /** Whether the text may hold a secret (a cheap test before {@link #mask}). */
  public static boolean suspicious(@Nullable String text) {
    if (text == null || text.isEmpty()) {
      return false;
    }
    for (Pattern p : PATTERNS) {
      if (p.matcher(text).find()) {
        return true;
      }
    }
    return false;
  }

  /** The text with every secret replaced by {@link #MASK}. */
  public static String mask(@Nullable String text) {
    if (text == null) {
      return "";
    }
    String out = text;
    for (Pattern p : PATTERNS) {
      Matcher m = p.matcher(out);
      if (m.find()) {
        out = m.replaceAll(r -> Matcher.quoteReplacement(r.group(1) + r.group(2) + MASK));
      }
    }
    return out;
  }
}
