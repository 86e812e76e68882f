package org.enlace.server.evidence;

import java.util.EnumMap;
import java.util.Map;
import org.enlace.server.web.TextBundles;
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
    return TextBundles.fill(s, args);
  }

  static Map<String, String> bundle(EvidenceText.Lang lang) {
    synchronized (BUNDLES) {
      return BUNDLES.computeIfAbsent(lang, ReaderText::load);
    }
  }

  private static Map<String, String> load(EvidenceText.Lang lang) {
    String name = "readers_" + lang.code() + ".properties";
    return TextBundles.load(ReaderText.class, name);
  }
}
