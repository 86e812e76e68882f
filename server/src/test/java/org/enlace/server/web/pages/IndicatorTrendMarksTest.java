package org.enlace.server.web.pages;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The indicators page marks a change against the baseline by the reports' rule: a month with
 * nothing counted and no computer reporting is "no calculable" with its reason (never a bare −100
 * %), a month whose data does not cover it is marked "datos incompletos", and a month whose data
 * covers every day shows its figure as it is.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class IndicatorTrendMarksTest {
  static final TestApp APP = TestApp.create();
  static final DropwizardAppExtension<EnlaceConfiguration> EXT = APP.extension();
  static final ZoneId BOGOTA = ZoneId.of("America/Bogota");

  @Test
  void monthsWithoutDataOrWithPartialDataAreMarkedAsTheReportsMarkThem() throws Exception {
    APP.establishment("T-ALC", "administration");
    Api.Response b =
        APP.it()
            .post(
                "/api/v1/indicators/baseline",
                Api.object()
                    .put("reference", "Diagnóstico")
                    .put("targetIncreasePct", 100)
                    .<com.fasterxml.jackson.databind.node.ObjectNode>set(
                        "administration",
                        Api.object().put("computers", 10).put("establishments", 1))
                    .set("citizens", Api.object().put("computers", 10).put("establishments", 1)));
    assertThat(b.status()).as(b.toString()).isEqualTo(201);
    YearMonth now = YearMonth.now(BOGOTA);
    YearMonth whole = now.minusMonths(5);
    YearMonth half = now.minusMonths(4);
    Api.Response d =
        APP.it()
            .post(
                "/api/v1/indicators/declared",
                Api.object()
                    .put("sector", "citizens")
                    .put("description", "Colegio sin agente")
                    .put("establishments", 1)
                    .put("computers", 5)
                    .put("validFrom", whole.toString())
                    .put("validTo", half.toString())
                    .put("source", "Encuesta"));
    assertThat(d.status()).as(d.toString()).isEqualTo(201);
    // Data on every day of one month, on the first half of the next.
    APP.jdbi()
        .useHandle(
            h -> {
              long id =
                  h.createQuery("SELECT id FROM establishments WHERE code = 'T-ALC'")
                      .mapTo(Long.class)
                      .one();
              for (LocalDate day = whole.atDay(1);
                  !day.isAfter(half.atDay(15));
                  day = day.plusDays(1)) {
                h.createUpdate(
                        """
                        INSERT INTO establishment_days (establishment_id, day, day_minutes,
                        open_minutes, observed_minutes, up_minutes, outage_minutes,
                        observed_open_minutes, up_open_minutes, outage_open_minutes,
                        computers_reporting, computers_online, outage_bits, observed_bits,
                        latency_hist) VALUES
                        (:e, :d, 1440, 1440, 600, 600, 0, 600, 600, 0, 1, 1, B'', B'', '{}')
                        """)
                    .bind("e", id)
                    .bind("d", day)
                    .execute();
              }
            });

    PageClient page = new PageClient(APP.base(), "admin", APP.adminPassword());
    String html = page.get("/web/indicators").html();
    assertThat(html).doesNotContain("−100 %").doesNotContain("-100 %");
    assertThat(change(html, PageLang.ES, whole)).isEqualTo("−75 %");
    assertThat(change(html, PageLang.ES, half)).isEqualTo("−75 % (datos incompletos)");
    assertThat(change(html, PageLang.ES, now.minusMonths(1)))
        .isEqualTo("no calculable: sin agentes ni conteos declarados en el periodo");
    assertThat(change(html, PageLang.ES, now))
        .isEqualTo("no calculable: sin agentes ni conteos declarados en el periodo");
    assertThat(html).contains("se marcan «datos incompletos»");

    String en = page.get("/web/indicators?lang=en").html();
    assertThat(change(en, PageLang.EN, half)).isEqualTo("−75 % (incomplete data)");
    assertThat(change(en, PageLang.EN, now.minusMonths(1)))
        .isEqualTo("not computable: no agents or declared counts in the period");
  }

  /** The computers' change in a month's row of the trend table. */
  private static String change(String html, PageLang lang, YearMonth month) {
    String name = PageText.of(lang, BOGOTA).monthName(month);
    Matcher m =
        Pattern.compile(
                "<tr><th scope=\"row\">"
                    + Pattern.quote(name)
                    + "</th><td class=\"num\">[^<]*</td><td class=\"num\">([^<]*)</td>")
            .matcher(html);
    assertThat(m.find()).as(name + " in " + html).isTrue();
    return m.group(1).replace("&laquo;", "«");
  }
}
