package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.enlace.server.app.EnlaceApplication;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Honest periods, through the real server: a new installation is offered the month it is in, not an
 * empty last month; a report of a month with no agents says so instead of a bare -100 %; a month
 * whose agents were enrolled halfway says which days its data covers.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HonestPeriodsTest {
  static final TestApp APP = TestApp.create();

  @RegisterExtension
  static final io.dropwizard.testing.junit5.DropwizardAppExtension<?> EXT = APP.extension();

  static final ZoneId BOGOTA = ZoneId.of("America/Bogota");

  @Test
  @Order(1)
  void aNewInstallationIsOfferedTheCurrentMonthAndLastMonthSaysItHadNoAgents() throws Exception {
    APP.establishment("H-ALC", "administration");
    baseline();
    TestApp.Agent pc = APP.enroll("H-ALC");
    Api.Response sent = pc.report(TestApp.report(1, 2, 3));
    assertThat(sent.status()).as(sent.toString()).isEqualTo(200);
    ((EnlaceApplication) EXT.getApplication()).rollups().drain();

    YearMonth now = YearMonth.now(BOGOTA);
    String page = text(APP.it().get("/reports"));
    assertThat(page)
        .contains("<option value=\"" + now + "\" selected=\"selected\">")
        .doesNotContain("<option value=\"" + now.minusMonths(1) + "\" selected=\"selected\">");

    // The month so far: not over, and the data starts today.
    JsonNode current = APP.it().get("/api/v1/evidence?format=json&period=" + now).body();
    JsonNode cov = current.path("coverage");
    assertThat(cov.path("complete").asBoolean()).isFalse();
    assertThat(cov.path("reasons").toString()).contains("not_over");
    assertThat(cov.path("lastDayWithData").asText()).isEqualTo(LocalDate.now(BOGOTA).toString());
    assertThat(cov.path("daysInPeriod").asLong()).isEqualTo(now.lengthOfMonth());

    // Last month, before any agent: no data, and no -100 % anywhere.
    YearMonth last = now.minusMonths(1);
    JsonNode before = APP.it().get("/api/v1/evidence?format=json&period=" + last).body();
    assertThat(before.path("coverage").path("complete").asBoolean()).isFalse();
    assertThat(before.path("coverage").path("daysWithData").asLong()).isZero();
    assertThat(before.path("coverage").path("reasons").toString()).contains("no_agents");
    String pdf = pdfText(APP.it().get("/api/v1/evidence?format=pdf&period=" + last));
    assertThat(pdf)
        .contains("Atención: los datos no cubren todo el periodo")
        .contains("No hay datos medidos en ninguno de los " + last.lengthOfMonth() + " días")
        .contains("no calculable: sin agentes ni conteos declarados en el periodo")
        .doesNotContain("-100,0")
        .doesNotContain("−100");
  }

  @Test
  @Order(2)
  void aMonthWithAgentsEnrolledHalfwaySaysWhichDaysItCovers() throws Exception {
    APP.establishment("H-KIO", "citizens");
    TestApp.Agent pc = APP.enroll("H-KIO");
    Instant enrolled = LocalDate.of(2026, 10, 16).atTime(9, 0).atZone(BOGOTA).toInstant();
    APP.jdbi()
        .useHandle(
            h -> {
              h.createUpdate(
                      "UPDATE agents SET enrolled_at = :t WHERE public_id = CAST(:id AS uuid)")
                  .bind("t", enrolled)
                  .bind("id", pc.id())
                  .execute();
              h.createUpdate("UPDATE computers SET enrolled_at = :t WHERE id = :id")
                  .bind("t", enrolled)
                  .bind("id", pc.computerId())
                  .execute();
            });
    // Ten minutes a day from 16 to 31 October, all online.
    List<ObjectNode> obs = new ArrayList<>();
    long seq = 0;
    for (LocalDate d = LocalDate.of(2026, 10, 16); d.getMonthValue() == 10; d = d.plusDays(1)) {
      Instant nine = d.atTime(9, 0, 30).atZone(BOGOTA).toInstant();
      for (int m = 0; m < 10; m++) {
        obs.add(TestApp.observation(++seq, nine.plusSeconds(60L * m), "online"));
      }
    }
    ObjectNode body =
        Api.object().put("protocolVersion", 1).put("sentAt", Instant.now().toString());
    obs.forEach(body.putArray("observations")::add);
    Api.Response sent = pc.report(body);
    assertThat(sent.status()).as(sent.toString()).isEqualTo(200);
    ((EnlaceApplication) EXT.getApplication()).rollups().drain();

    Api.Response r =
        APP.it().get("/api/v1/evidence?format=json&period=2026-10&establishment=H-KIO");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonNode cov = r.body().path("coverage");
    assertThat(cov.path("complete").asBoolean()).isFalse();
    assertThat(cov.path("firstDayWithData").asText()).isEqualTo("2026-10-16");
    assertThat(cov.path("lastDayWithData").asText()).isEqualTo("2026-10-31");
    assertThat(cov.path("daysWithData").asLong()).isEqualTo(16);
    assertThat(cov.path("daysCovered").asLong()).isEqualTo(16);
    assertThat(cov.path("daysInPeriod").asLong()).isEqualTo(31);
    assertThat(cov.path("reasons").toString()).isEqualTo("[\"enrolled_mid_period\"]");
    assertThat(cov.path("daysWithoutData").toString())
        .isEqualTo("[{\"first\":\"2026-10-01\",\"last\":\"2026-10-15\"}]");

    String html =
        text(APP.it().get("/api/v1/evidence?format=html&period=2026-10&establishment=H-KIO"));
    assertThat(html)
        .contains(
            "Los datos cubren del 16 de octubre de 2026 al 31 de octubre de 2026: 16 de los 31")
        .contains("Los primeros agentes se instalaron durante el periodo")
        .contains("(datos incompletos)");
    String csv =
        text(APP.it().get("/api/v1/evidence?format=csv&period=2026-10&establishment=H-KIO"));
    assertThat(csv).contains("2026-10-16").contains("16/31");
  }

  private static void baseline() {
    Api.Response b =
        APP.it()
            .post(
                "/api/v1/indicators/baseline",
                Api.JSON
                    .createObjectNode()
                    .put("reference", "Plan de desarrollo, línea base")
                    .<ObjectNode>set(
                        "administration", Api.object().put("computers", 4).put("establishments", 1))
                    .set("citizens", Api.object().put("computers", 2).put("establishments", 1)));
    assertThat(b.status()).as(b.toString()).isEqualTo(201);
  }

  static String text(Api.Response r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return new String(r.raw().body(), StandardCharsets.UTF_8);
  }

  static String pdfText(Api.Response r) throws Exception {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    try (PDDocument doc = Loader.loadPDF(r.raw().body())) {
      // Lines wrap anywhere: compare the words.
      return new PDFTextStripper().getText(doc).replace('\u00a0', ' ').replaceAll("\\s+", " ");
    }
  }
}
