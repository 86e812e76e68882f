package org.enlace.server.web.pages;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class PageTextTest {
  private static final ZoneId BOGOTA = ZoneId.of("America/Bogota");

  @Test
  void bothLanguagesHaveTheSameWords() {
    assertThat(PageText.of(PageLang.EN, BOGOTA).words().keySet())
        .isEqualTo(PageText.of(PageLang.ES, BOGOTA).words().keySet());
  }

  @Test
  void numbersAreWrittenAsEachLanguageWritesThem() {
    PageText es = PageText.of(PageLang.ES, BOGOTA);
    PageText en = PageText.of(PageLang.EN, BOGOTA);
    assertThat(es.integer(1234567)).isEqualTo("1.234.567");
    assertThat(en.integer(1234567)).isEqualTo("1,234,567");
    assertThat(es.percentChange(12.5)).isEqualTo("+12,5 %");
    assertThat(es.percentChange(-100)).isEqualTo("−100 %");
    assertThat(es.monthName(java.time.YearMonth.of(2026, 11))).isEqualTo("noviembre de 2026");
  }

  @Test
  void theLanguageIsTheParameterThenTheBrowsersThenSpanish() {
    assertThat(PageLang.resolve("en", "es-CO")).isEqualTo(PageLang.EN);
    assertThat(PageLang.resolve("xx", "en-US,en;q=0.9")).isEqualTo(PageLang.EN);
    assertThat(PageLang.resolve(null, "es-CO,es;q=0.9,en;q=0.8")).isEqualTo(PageLang.ES);
    assertThat(PageLang.resolve(null, "fr-FR")).isEqualTo(PageLang.ES);
    assertThat(PageLang.resolve(null, ";;;")).isEqualTo(PageLang.ES);
    assertThat(PageLang.resolve(null, null)).isEqualTo(PageLang.ES);
  }
}
