package org.enlace.server.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * The user-facing text files (report, reader and page labels) read and filled in one way, so a
 * label behaves the same wherever it is shown.
 */
public final class TextBundles {
  private TextBundles() {}

  /**
   * The UTF-8 properties resource {@code name} next to {@code owner}, as an unmodifiable map; a
   * missing file is a packaging error, so it fails at once.
   */
  public static Map<String, String> load(Class<?> owner, String name) {
    try (InputStream in = owner.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      Properties p = new Properties();
      p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
      Map<String, String> m = new HashMap<>();
      p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
      return Collections.unmodifiableMap(m);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The text with {0}, {1}… replaced by the arguments as given (escape afterwards). */
  public static String fill(String text, @Nullable Object... args) {
    String s = text;
    for (int i = 0; i < args.length; i++) {
      s = s.replace("{" + i + "}", String.valueOf(args[i]));
    }
    return s;
  }
}
