package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import org.enlace.server.evidence.EvidenceText.Lang;
import org.junit.jupiter.api.Test;

/** The per-reader texts: the same keys in Spanish and English, every column in the dictionary. */
class ReaderTextTest {
  @Test
  void spanishAndEnglishHaveTheSameKeys() {
    assertThat(ReaderText.bundle(Lang.EN).keySet())
        .containsExactlyInAnyOrderElementsOf(ReaderText.bundle(Lang.ES).keySet());
  }

  @Test
  void everyColumnHasANameAUnitAndAMeaning() {
    for (Lang lang : Lang.values()) {
      ReaderText rt = ReaderText.of(lang);
      for (var columns :
          java.util.List.of(
              EvidenceTables.ESTABLISHMENT_DAYS,
              EvidenceTables.OUTAGES,
              EvidenceTables.SPEED_TESTS,
              EvidenceTables.LINK_MONTHS,
              EvidenceTables.COMPUTER_DAYS,
              IspReportCsv.COLUMNS)) {
        assertThat(columns.stream().map(c -> rt.t("col." + c))).doesNotHaveDuplicates();
        for (String c : columns) {
          assertThat(rt.t("col." + c)).as(c).matches("[a-z0-9_]+");
          assertThat(rt.t("col." + c + ".unit")).as(c).isNotBlank();
          assertThat(rt.t("col." + c + ".meaning")).as(c).isNotBlank();
        }
      }
    }
  }
}
