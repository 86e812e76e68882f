package org.enlace.server.evidence;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * The words of the per-reader reports (the ISP report, the data tables and their dictionary), in
 * {@code readers_es.properties} and {@code readers_en.properties} beside this class; numbers, dates
 * and the words shared with the municipality's report come from {@link EvidenceText}.
 */
final class ReaderText {
  private static final Map<EvidenceText.Lang, Map<String, String>> BUNDLES =
      new EnumMap<>(EvidenceText.Lang.class);

  private final EvidenceText tx;
  private final Map<String, String> text;

  private ReaderText(EvidenceText.Lang lang) {
    this.tx = EvidenceText.of(lang);
    this.text = bundle(lang);
  }

  static ReaderText of(EvidenceText.Lang lang) {
    return new ReaderText(lang);
  }

  EvidenceText tx() {
    return tx;
  }

  /** The text for key with {0}, {1}... replaced by args (as given: escape afterwards). */
  String t(String key, @Nullable Object... args) {
    String s = text.get(key);
    if (s == null) {
      throw new IllegalArgumentException("no reader text '" + key + "' for " + tx.lang().code());
    }
    for (int i = 0; i < args.length; i++) {
      s = s.replace("{" + i + "}", String.valueOf(args[i]));
    }
    return s;
  }

  static Map<String, String> bundle(EvidenceText.Lang lang) {
    synchronized (BUNDLES) {
      return BUNDLES.computeIfAbsent(lang, ReaderText::load);
    }
  }

  private static Map<String, String> load(EvidenceText.Lang lang) {
    String name = "readers_" + lang.code() + ".properties";
    try (InputStream in = ReaderText.class.getResourceAsStream(name)) {
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
}
