package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.enlace.server.evidence.EvidenceText.Lang;
import org.junit.jupiter.api.Test;

class EvidenceTextTest {
  static final String NBSP = "\u00a0";
  static final Pattern PLACEHOLDER = Pattern.compile("\\{\\d}");

  @Test
  void spanishAndEnglishHaveTheSameKeysAndPlaceholders() {
    var es = EvidenceText.bundle(Lang.ES);
    var en = EvidenceText.bundle(Lang.EN);
    assertThat(es.keySet()).containsExactlyInAnyOrderElementsOf(en.keySet());
    for (String k : es.keySet()) {
      assertThat(placeholders(es.get(k))).as(k).isEqualTo(placeholders(en.get(k)));
    }
    for (String c : EvidenceCsv.COLUMNS) {
      assertThat(es).containsKey("csv.col." + c);
    }
  }

  private static Set<String> placeholders(String s) {
    var m = PLACEHOLDER.matcher(s);
    var set = new TreeSet<String>();
    while (m.find()) {
      set.add(m.group());
    }
    return set;
  }

  @Test
  void colombianNumbersAndDates() {
    EvidenceText es = EvidenceText.of(Lang.ES);
    assertThat(es.number(1234.5, 1)).isEqualTo("1.234,5");
    assertThat(es.integer(1234567)).isEqualTo("1.234.567");
    assertThat(es.pct(98.66)).isEqualTo("98,7" + NBSP + "%");
    assertThat(es.signedPct(12.5)).isEqualTo("+12,5" + NBSP + "%");
    assertThat(es.signedPct(-3)).isEqualTo("-3,0" + NBSP + "%");
    assertThat(es.signedPct(-0.01)).isEqualTo("0,0" + NBSP + "%");
    assertThat(es.plain(1234.5, 1)).isEqualTo("1234,5");
    assertThat(es.date(LocalDate.of(2026, 11, 25))).isEqualTo("25 de noviembre de 2026");
    assertThat(es.dateTime(Instant.parse("2026-11-25T19:03:00Z"), ZoneId.of("America/Bogota")))
        .isEqualTo("25 de noviembre de 2026, 14:03");
    assertThat(es.periodName("2026-03")).isEqualTo("marzo de 2026");
    assertThat(es.periodName("2026-Q4")).isEqualTo("4.º trimestre de 2026");
    assertThat(es.periodName("2026")).isEqualTo("Año 2026");
    assertThat(es.duration(45)).isEqualTo("45 min");
    assertThat(es.duration(185)).isEqualTo("3 h 05 min");
    assertThat(es.share(0.8)).isEqualTo("80" + NBSP + "%");
    assertThat(es.opt(Optional.<Double>empty(), es::pct)).isEqualTo("sin datos");
  }

  @Test
  void englishNumbersAndDates() {
    EvidenceText en = EvidenceText.of(Lang.EN);
    assertThat(en.number(1234.5, 1)).isEqualTo("1,234.5");
    assertThat(en.pct(98.66)).isEqualTo("98.7" + NBSP + "%");
    assertThat(en.date(LocalDate.of(2026, 11, 25))).isEqualTo("25 November 2026");
    assertThat(en.periodName("2026-03")).isEqualTo("March 2026");
    assertThat(en.periodName("2026-Q1")).isEqualTo("Q1 2026");
    assertThat(en.opt(Optional.<Double>empty(), en::pct)).isEqualTo("no data");
  }

  @Test
  void timeZonesAreNamedNotGivenByTheirIdentifier() {
    assertThat(EvidenceText.of(Lang.ES).zone(ZoneId.of("America/Bogota")))
        .isEqualTo("hora de Colombia (UTC-5)");
    assertThat(EvidenceText.of(Lang.EN).zone(ZoneId.of("America/Bogota")))
        .isEqualTo("Colombia Time (UTC-5)");
    assertThat(EvidenceText.of(Lang.EN).zone(ZoneId.of("Asia/Kolkata"))).endsWith("(UTC+5:30)");
  }

  @Test
  void languageAndPaperParameters() {
    assertThat(Lang.parse(null)).isEqualTo(Lang.ES);
    assertThat(Lang.parse("EN")).isEqualTo(Lang.EN);
    assertThatThrownBy(() -> Lang.parse("fr")).hasMessage("must be es or en");
    assertThat(Paper.parse(null)).isEqualTo(Paper.A4);
    assertThat(Paper.parse("Letter")).isEqualTo(Paper.LETTER);
    assertThatThrownBy(() -> Paper.parse("a3")).hasMessage("must be a4 or letter");
  }
}
