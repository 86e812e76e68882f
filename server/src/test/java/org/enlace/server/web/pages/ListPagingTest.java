package org.enlace.server.web.pages;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The computers and outages pages show a long list a page at a time: the total, which rows, and
 * labelled links to the previous and next pages; each page's rows come from the database.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ListPagingTest {
  static final TestApp APP = TestApp.create();
  static final DropwizardAppExtension<EnlaceConfiguration> EXT = APP.extension();

  private static int rows(String html) {
    Matcher m = Pattern.compile("<tr><th scope=\"row\">").matcher(html);
    int n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }

  @Test
  void computersAndOutagesArePaged() throws Exception {
    APP.establishment("PAG", "citizens");
    YearMonth month = YearMonth.now(ZoneId.of("America/Bogota"));
    APP.jdbi()
        .useHandle(
            h -> {
              long id =
                  h.createQuery("SELECT id FROM establishments WHERE code = 'PAG'")
                      .mapTo(Long.class)
                      .one();
              h.createUpdate(
                      """
                      INSERT INTO computers (establishment_id, machine_id, machine_id_trusted,
                      hostname, role) SELECT :e, 'm-' || i, true, 'pc-' || lpad(i::text, 3, '0'),
                      'kiosk' FROM generate_series(1, 205) i
                      """)
                  .bind("e", id)
                  .execute();
              h.createUpdate(
                      """
                      INSERT INTO outages (establishment_id, started_at, ended_at,
                      duration_minutes, open_minutes, computers, short_blip, cause)
                      SELECT :e, CAST(:start AS timestamptz) + i * interval '2 hours',
                      CAST(:start AS timestamptz) + i * interval '2 hours' + interval '30 minutes',
                      30, 30, 2, false, 'agents' FROM generate_series(1, 250) i
                      """)
                  .bind("e", id)
                  .bind("start", month.atDay(1) + "T00:00:00-05:00")
                  .execute();
            });
    PageClient it = new PageClient(APP.base(), "admin", APP.adminPassword());

    String first = it.get("/web/computers").html();
    assertThat(rows(first)).isEqualTo(200);
    assertThat(first)
        .contains("Filas 1 a 200 de 205 (página 1 de 2)")
        .contains("<div class=\"paging\" role=\"navigation\" aria-label=\"Páginas de la lista\">")
        .contains("rel=\"next\" href=\"/web/computers?page&#61;2&amp;lang&#61;es\"")
        .contains("aria-label=\"Página siguiente: 2 de 2\"")
        .doesNotContain("rel=\"prev\"")
        .contains(">pc-001<")
        .doesNotContain(">pc-201<");
    String second = it.get("/web/computers?page=2").html();
    assertThat(rows(second)).isEqualTo(5);
    assertThat(second)
        .contains("Filas 201 a 205 de 205 (página 2 de 2)")
        .contains("aria-label=\"Página anterior: 1 de 2\"")
        .doesNotContain("rel=\"next\"")
        .contains(">pc-205<")
        .doesNotContain(">pc-001<");
    // Past the end: the last page; not a number: the first.
    assertThat(it.get("/web/computers?page=99").html()).contains("(página 2 de 2)");
    assertThat(it.get("/web/computers?page=x").html()).contains("(página 1 de 2)");
    assertThat(it.get("/web/computers?lang=en").html())
        .contains("Rows 1 to 200 of 205 (page 1 of 2)")
        .contains("aria-label=\"Next page: 2 of 2\"");

    String outages = it.get("/web/outages?month=" + month).html();
    assertThat(rows(outages)).isEqualTo(200);
    assertThat(outages)
        .contains("Filas 1 a 200 de 250 (página 1 de 2)")
        .contains("href=\"/web/outages?month&#61;" + month + "&amp;page&#61;2&amp;lang&#61;es\"");
    String outages2 = it.get("/web/outages?month=" + month + "&page=2").html();
    assertThat(rows(outages2)).isEqualTo(50);
    assertThat(outages2).contains("Filas 201 a 250 de 250 (página 2 de 2)");
  }
}
