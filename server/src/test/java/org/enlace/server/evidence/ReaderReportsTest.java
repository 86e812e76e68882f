package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.enlace.server.app.EnlaceApplication;
import org.enlace.server.evidence.EvidenceText.Lang;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.SyntheticMonth;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A report per reader, on the scripted October (see {@link SyntheticMonth}) with two more links at
 * the town hall: one of the kiosk's ISP (spelt in lower case) and one of another ISP. The ISP's
 * report holds its links only and no plan figures; a link's report no plan figures; the data tables
 * read back as CSV state the JSON report's figures.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReaderReportsTest {
  static final TestApp APP = TestApp.create();

  @RegisterExtension
  static final io.dropwizard.testing.junit5.DropwizardAppExtension<?> EXT = APP.extension();

  static final String ISP = "ISP Nariño";
  static final String PERIOD = "2026-10";

  SyntheticMonth month;
  long kioLink;
  long alcSameIsp;
  long alcOtherIsp;
  JsonNode municipality;

  @BeforeAll
  void load() {
    month = new SyntheticMonth(APP, "R").load();
    ((EnlaceApplication) EXT.getApplication()).rollups().drain();
    kioLink =
        APP.it()
            .get("/api/v1/establishments/" + month.kio + "/links")
            .body()
            .get(0)
            .path("id")
            .asLong();
    alcSameIsp = link(month.alc, "isp nariño", 20);
    alcOtherIsp = link(month.alc, "Otra Red S.A.S.", 50);
    Api.Response b =
        APP.it()
            .post(
                "/api/v1/indicators/baseline",
                Api.object()
                    .put("reference", "Plan de desarrollo, línea base")
                    .<com.fasterxml.jackson.databind.node.ObjectNode>set(
                        "administration", Api.object().put("computers", 1).put("establishments", 1))
                    .set("citizens", Api.object().put("computers", 1).put("establishments", 1)));
    assertThat(b.status()).as(b.toString()).isEqualTo(201);
    municipality = json("/api/v1/evidence?period=" + PERIOD + "&format=json");
    // the plan figures are there in the municipality's report, so their absence below is news
    assertThat(municipality.path("indicators").path("baseline").isObject()).isTrue();
  }

  private long link(String code, String isp, int down) {
    Api.Response r =
        APP.it()
            .post(
                "/api/v1/establishments/" + code + "/links",
                Api.object()
                    .put("ispName", isp)
                    .put("technology", "fibra")
                    .put("contractedDownMbps", down)
                    .put("contractedUpMbps", 5)
                    .put("monthlyCost", 900000)
                    .put("currency", "COP"));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.body().path("id").asLong();
  }

  private static JsonNode json(String path) {
    Api.Response r = APP.it().get(path);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.body();
  }

  private static String ispParam() {
    return URLEncoder.encode(ISP, StandardCharsets.UTF_8);
  }

  /** Every field name anywhere in the JSON, lower case. */
  private static Set<String> fieldNames(JsonNode n) {
    Set<String> out = new java.util.HashSet<>();
    if (n.isObject()) {
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        out.add(e.getKey().toLowerCase(java.util.Locale.ROOT));
        out.addAll(fieldNames(e.getValue()));
      }
    } else if (n.isArray()) {
      n.forEach(c -> out.addAll(fieldNames(c)));
    }
    return out;
  }

  private static void assertNoPlanFigures(JsonNode report, String html) {
    assertThat(fieldNames(report))
        .noneMatch(k -> k.contains("indicator") || k.contains("baseline") || k.contains("target"));
    assertThat(html)
        .doesNotContain("Indicadores del plan")
        .doesNotContain("Línea base")
        .doesNotContain("línea base «")
        .doesNotContain("Avance hacia la meta")
        .doesNotContain("Plan de desarrollo");
  }

  private JsonNode municipalityPlace(String code) {
    for (JsonNode e : municipality.path("establishments")) {
      if (e.path("code").asText().equals(code)) {
        return e;
      }
    }
    throw new AssertionError(code);
  }

  @Test
  void ispReportHoldsOnlyItsLinksAndNoPlanFigures() throws Exception {
    JsonNode r =
        json("/api/v1/evidence?period=" + PERIOD + "&scope=isp&isp=" + ispParam() + "&format=json");
    assertThat(r.path("meta").path("scope").asText()).isEqualTo("isp");
    assertThat(r.path("meta").path("isp").asText()).isEqualToIgnoringCase(ISP);
    assertThat(r.path("meta").path("dataSha256").asText()).hasSize(64);
    // the check the guide describes for the municipality's report holds for the ISP's
    String raw =
        new String(
            APP.it()
                .get("/api/v1/evidence?period=" + PERIOD + "&isp=" + ispParam() + "&format=json")
                .raw()
                .body(),
            StandardCharsets.UTF_8);
    String blanked =
        raw.replaceFirst("\"dataSha256\":\"[0-9a-f]{64}\"", "\"dataSha256\":null")
            .replaceFirst("\"generatedAt\":\"[^\"]*\"", "\"generatedAt\":null");
    assertThat(
            java.util.HexFormat.of()
                .formatHex(
                    java.security.MessageDigest.getInstance("SHA-256")
                        .digest(blanked.getBytes(StandardCharsets.UTF_8))))
        .isEqualTo(r.path("meta").path("dataSha256").asText());
    List<Long> links = new ArrayList<>();
    Map<String, JsonNode> places = new HashMap<>();
    for (JsonNode e : r.path("establishments")) {
      places.put(e.path("code").asText(), e);
      e.path("links").forEach(l -> links.add(l.path("id").asLong()));
    }
    assertThat(links).containsExactlyInAnyOrder(kioLink, alcSameIsp); // not Otra Red's
    assertThat(places.get(month.alc).path("linksAtEstablishment").asInt()).isEqualTo(2);
    assertThat(places.get(month.kio).path("linksAtEstablishment").asInt()).isEqualTo(1);
    // the same figures as the municipality's report
    for (String code : List.of(month.alc, month.kio)) {
      assertThat(places.get(code).path("availability"))
          .isEqualTo(municipalityPlace(code).path("availability"));
    }
    JsonNode kio = places.get(month.kio);
    assertThat(kio.path("links").get(0))
        .isEqualTo(municipalityPlace(month.kio).path("links").get(0));
    // outages inside opening hours: the town hall's 3 hours, the kiosk's blip and 150 minutes
    assertThat(places.get(month.alc).path("outages")).hasSize(1);
    assertThat(kio.path("outages")).hasSize(2);
    JsonNode s = r.path("summary");
    assertThat(s.path("links").asInt()).isEqualTo(2);
    assertThat(s.path("establishments").asInt()).isEqualTo(2);
    assertThat(s.path("outages").asLong()).isEqualTo(2);
    assertThat(s.path("shortInterruptions").asLong()).isEqualTo(1);
    assertThat(s.path("outageOpenMinutes").asLong()).isEqualTo(180 + 150);
    assertThat(s.path("speedTests").asLong()).isEqualTo(124);
    assertThat(s.path("linksWithTests").asInt()).isEqualTo(1);

    Api.Response html = APP.it().get("/api/v1/evidence?period=" + PERIOD + "&isp=" + ispParam());
    assertThat(html.status()).as(html.toString()).isEqualTo(200);
    String page = new String(html.raw().body(), StandardCharsets.UTF_8);
    assertNoPlanFigures(r, page);
    assertThat(page)
        .contains("Informe para el proveedor de internet")
        .contains("n.º " + alcSameIsp)
        .doesNotContain("Otra Red")
        .contains("Este establecimiento tiene 2 enlaces");
    // the same plain-Spanish check as the municipality's report
    String text = SpanishOutputTest.htmlText(page);
    assertThat(SpanishOutputTest.found(SpanishOutputTest.ENGLISH, text)).isEmpty();
    assertThat(SpanishOutputTest.found(SpanishOutputTest.PATH, text)).isEmpty();
    assertThat(SpanishOutputTest.found(SpanishOutputTest.ZONE_ID, text)).isEmpty();
    assertThat(html.header("X-Enlace-Data-Sha256"))
        .isEqualTo(r.path("meta").path("dataSha256").asText());
    String en =
        new String(
            APP.it()
                .get("/api/v1/evidence?period=" + PERIOD + "&isp=" + ispParam() + "&lang=en")
                .raw()
                .body(),
            StandardCharsets.UTF_8);
    assertThat(en).contains("Report for the internet service provider").doesNotContain("Informe");

    Api.Response pdf =
        APP.it()
            .get(
                "/api/v1/evidence?period="
                    + PERIOD
                    + "&scope=isp&isp="
                    + ispParam()
                    + "&format=pdf");
    assertThat(pdf.status()).isEqualTo(200);
    assertThat(pdf.header("Content-Disposition"))
        .isEqualTo("attachment; filename=\"enlace-evidencia-2026-10-proveedor-ISP_Nari_o.pdf\"");
    assertThat(new String(pdf.raw().body(), 0, 5, StandardCharsets.ISO_8859_1)).isEqualTo("%PDF-");
    Path out = Path.of(System.getProperty("java.io.tmpdir"), "enlace-isp-report.pdf");
    Files.write(out, pdf.raw().body()); // for a look with pdftoppm
    Files.write(
        out.resolveSibling("enlace-isp-report-en.pdf"),
        APP.it()
            .get("/api/v1/evidence?period=" + PERIOD + "&isp=" + ispParam() + "&format=pdf&lang=en")
            .raw()
            .body());

    List<CSVRecord> csv =
        parse(
            APP.it()
                .get("/api/v1/evidence?period=" + PERIOD + "&isp=" + ispParam() + "&format=csv")
                .raw()
                .body(),
            Lang.ES);
    assertThat(csv).hasSize(2);
    assertThat(csv.get(0).getParser().getHeaderNames()).startsWith("enlace_id", "proveedor");
    Map<String, String> kioRow = row(csv, "enlace_id", Long.toString(kioLink));
    assertThat(kioRow)
        .containsEntry("bajada_pruebas", "124")
        .containsEntry(
            "disponibilidad_pct", tx(kio.path("availability").path("availabilityPct").asDouble()))
        .containsEntry("cortes_en_horario", "1")
        .containsEntry("interrupciones_breves", "1");
  }

  /**
   * A link's or an ISP's report is built without the plan figures it never shows (the indicators,
   * baseline and trend, each computer's minutes, the computers connected): at 10,000 computers they
   * are most of the work. What the ISP reads is unchanged: the municipality's figures.
   */
  @Test
  void anIspsReportDoesNotComputeWhatItDoesNotShow() {
    var config = (org.enlace.server.app.EnlaceConfiguration) EXT.getConfiguration();
    var jdbi = ((EnlaceApplication) EXT.getApplication()).jdbi();
    EvidenceService service =
        new EvidenceService(
            jdbi,
            new org.enlace.server.indicators.IndicatorService(
                jdbi, config.getIndicators(), config.zone()),
            config.getRollups(),
            new org.enlace.server.domain.LocalMinutes(config.zone()),
            EXT.getObjectMapper(),
            config.getMunicipality(),
            java.time.Clock.systemUTC());
    ReportPeriod period = ReportPeriod.parse(PERIOD);
    EvidenceReport whole =
        service.report(new EvidenceQuery(period, Optional.empty(), Optional.empty()));
    assertThat(whole.indicators().periods()).isNotEmpty();
    assertThat(whole.indicators().baseline()).isPresent();
    for (EvidenceQuery q :
        List.of(
            new EvidenceQuery(period, Optional.empty(), Optional.empty(), Optional.of(ISP)),
            new EvidenceQuery(period, Optional.empty(), Optional.of(kioLink)))) {
      EvidenceReport r = service.report(q);
      assertThat(r.indicators().periods()).as(q.toString()).isEmpty();
      assertThat(r.indicators().baseline()).as(q.toString()).isEmpty();
      assertThat(r.trend()).as(q.toString()).isEmpty();
      IspReport isp = IspReports.from(r, Map.of());
      assertThat(isp.establishments()).isNotEmpty();
      for (IspReport.ServedEstablishment e : isp.establishments()) {
        EvidenceReport.EstablishmentEvidence m =
            whole.establishments().stream()
                .filter(x -> x.code().equals(e.code()))
                .findFirst()
                .orElseThrow();
        assertThat(e.availability()).isEqualTo(m.availability());
        assertThat(e.outages()).isEqualTo(m.outages());
        assertThat(e.latency()).isEqualTo(m.latency());
        assertThat(e.links()).isSubsetOf(m.links());
      }
    }
  }

  @Test
  void linkReportHasNoPlanFigures() {
    JsonNode r = json("/api/v1/evidence?period=" + PERIOD + "&link=" + kioLink + "&format=json");
    assertThat(r.path("meta").path("scope").asText()).isEqualTo("link");
    assertThat(r.path("establishments")).hasSize(1);
    assertThat(r.path("establishments").get(0).path("links")).hasSize(1);
    String html =
        new String(
            APP.it().get("/api/v1/evidence?period=" + PERIOD + "&link=" + kioLink).raw().body(),
            StandardCharsets.UTF_8);
    assertNoPlanFigures(r, html);
    assertThat(html).contains("Enlace n.º " + kioLink);
  }

  @Test
  void ispsAndBadScopes() {
    Api.Response isps = APP.it().get("/api/v1/evidence/isps");
    assertThat(isps.status()).as(isps.toString()).isEqualTo(200);
    Map<String, Integer> links = new LinkedHashMap<>();
    isps.body()
        .forEach(
            i ->
                links.put(
                    i.path("name").asText().toLowerCase(java.util.Locale.ROOT),
                    i.path("links").asInt()));
    assertThat(links).containsEntry("isp nariño", 2).containsEntry("otra red s.a.s.", 1);
    EvidenceApiTest.assertInvalid(APP.it().get("/api/v1/evidence?period=2026-10&scope=isp"), "isp");
    EvidenceApiTest.assertInvalid(
        APP.it().get("/api/v1/evidence?period=2026-10&scope=pais"), "scope");
    EvidenceApiTest.assertInvalid(
        APP.it().get("/api/v1/evidence?period=2026-10&isp=x&establishment=" + month.alc), "isp");
    EvidenceApiTest.assertInvalid(
        APP.it().get("/api/v1/evidence?period=2026-10&scope=link"), "link");
    assertThat(APP.it().get("/api/v1/evidence?period=2026-10&isp=Nadie").status()).isEqualTo(404);
  }

  @Test
  void tablesReadBackAsTheJsonReportsFigures() throws Exception {
    Api.Response r = APP.it().get("/api/v1/evidence?period=" + PERIOD + "&format=zip");
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.header("Content-Type")).isEqualTo("application/zip");
    assertThat(r.header("Content-Disposition"))
        .isEqualTo("attachment; filename=\"enlace-evidencia-2026-10.zip\"");
    Map<String, byte[]> files = unzip(r.raw().body());
    assertThat(files.keySet())
        .containsExactly(
            "LEAME.txt",
            "diccionario.csv",
            "establecimientos_dias.csv",
            "cortes.csv",
            "pruebas_velocidad.csv",
            "enlaces_meses.csv",
            "computadores_dias.csv");
    assertThat(new String(files.get("LEAME.txt"), StandardCharsets.UTF_8))
        .contains(municipality.path("meta").path("dataSha256").asText())
        .contains("Las fechas y horas están en hora de Colombia (UTC-5).");
    files.forEach(
        (name, bytes) -> {
          if (name.endsWith(".csv")) {
            assertThat(bytes[0] & 0xff).as(name + " BOM").isEqualTo(0xEF);
          }
        });

    // establishment-days: one row per stored day; the period's sums are the report's
    List<CSVRecord> days = parse(files.get("establecimientos_dias.csv"), Lang.ES);
    assertThat(header(days))
        .containsExactlyElementsOf(names(EvidenceTables.ESTABLISHMENT_DAYS, Lang.ES));
    long stored =
        APP.count(
            "SELECT count(*) FROM establishment_days d JOIN establishments e ON e.id = d.establishment_id"
                + " WHERE e.code IN (?, ?) AND d.day BETWEEN '2026-10-01' AND '2026-10-31'",
            month.alc,
            month.kio);
    assertThat(days).hasSize((int) stored);
    for (String code : List.of(month.alc, month.kio)) {
      JsonNode a = municipalityPlace(code).path("availability");
      assertThat(sum(days, code, "minutos_con_datos"))
          .isEqualTo(a.path("observedMinutes").asLong());
      assertThat(sum(days, code, "minutos_con_conexion")).isEqualTo(a.path("upMinutes").asLong());
      assertThat(sum(days, code, "minutos_en_corte")).isEqualTo(a.path("outageMinutes").asLong());
    }
    Map<String, String> outageDay =
        row(days, "dia", "2026-10-14", "codigo_establecimiento", month.alc);
    assertThat(outageDay).containsEntry("minutos_en_corte", "180");
    // 480 open minutes, 180 in outage: 62,50 %, two decimals and a decimal comma
    assertThat(outageDay).containsEntry("disponibilidad_pct", "62,50");

    // outages: the report's, one row each, those outside opening hours too (en_horario = no)
    List<CSVRecord> outages = parse(files.get("cortes.csv"), Lang.ES);
    int reported = 0;
    int outside = 0;
    for (JsonNode e : municipality.path("establishments")) {
      reported += e.path("outages").size();
      outside += e.path("outagesOutsideOpeningHours").size();
    }
    assertThat(outages).hasSize(reported + outside);
    assertThat(outages.stream().filter(o -> o.get("en_horario").equals("no"))).hasSize(outside);
    assertThat(header(outages)).endsWith("provisional");
    Map<String, String> alcOutage = row(outages, "codigo_establecimiento", month.alc);
    assertThat(alcOutage)
        .containsEntry("inicio", "2026-10-14 09:00:00")
        .containsEntry("duracion_minutos", "180")
        .containsEntry("en_horario", "sí")
        .containsEntry("interrupcion_breve", "no");

    // speed tests: every test, and the ones the report used are its count
    List<CSVRecord> tests = parse(files.get("pruebas_velocidad.csv"), Lang.ES);
    JsonNode kioLinkJson = municipalityPlace(month.kio).path("links").get(0);
    assertThat(tests.stream().filter(t -> t.get("usada_en_informe").equals("sí")).count())
        .isEqualTo(kioLinkJson.path("download").path("tests").asLong());
    assertThat(tests).allMatch(t -> t.get("bajada_mbps").matches("\\d+,\\d\\d"));

    // link-months: one row per link; the month's figures are the report's
    List<CSVRecord> linkMonths = parse(files.get("enlaces_meses.csv"), Lang.ES);
    assertThat(linkMonths).hasSize(3);
    Map<String, String> k = row(linkMonths, "enlace_id", Long.toString(kioLink));
    assertThat(k)
        .containsEntry("mes", "2026-10")
        .containsEntry("bajada_pruebas", "124")
        .containsEntry(
            "bajada_mediana_mbps", tx(kioLinkJson.path("download").path("medianMbps").asDouble()))
        .containsEntry(
            "bajada_p10_mbps", tx(kioLinkJson.path("download").path("p10Mbps").asDouble()))
        .containsEntry(
            "bajada_bajo_contrato_pct",
            tx(kioLinkJson.path("download").path("underContractSharePct").asDouble()))
        .containsEntry(
            "costo_por_mbps_medido",
            kioLinkJson
                .path("costPerMeasuredMbps")
                .decimalValue()
                .stripTrailingZeros()
                .toPlainString()
                .replace('.', ','))
        .containsEntry("uso_p95_bajada_pct", "");
    assertThat(row(linkMonths, "enlace_id", Long.toString(alcOtherIsp)))
        .containsEntry("bajada_pruebas", "0")
        .containsEntry("bajada_mediana_mbps", ""); // no data, never 0

    // computer-days: the four computers, every day of October; minutes by status
    List<CSVRecord> pcs = parse(files.get("computadores_dias.csv"), Lang.ES);
    assertThat(pcs).hasSize(4 * 31);
    for (CSVRecord c : pcs) {
      long expected = Long.parseLong(c.get("minutos_esperados"));
      long parts =
          Long.parseLong(c.get("minutos_en_linea"))
              + Long.parseLong(c.get("minutos_limitada"))
              + Long.parseLong(c.get("minutos_sin_conexion"))
              + Long.parseLong(c.get("minutos_sin_datos"));
      assertThat(parts).as(c.toString()).isEqualTo(expected);
    }
    // A PC of the town hall on a Saturday: off all day, so all 1440 minutes without data
    Map<String, String> saturday =
        row(pcs, "dia", "2026-10-17", "computador_id", Long.toString(month.a1.computerId()));
    assertThat(saturday)
        .containsEntry("minutos_en_linea", "0")
        .containsEntry("minutos_sin_datos", "1440");

    // the dictionary names every column of every table, with its unit and meaning, es then en
    List<CSVRecord> dict = parse(files.get("diccionario.csv"), Lang.ES);
    assertThat(header(dict))
        .containsExactly(
            "tabla",
            "archivo",
            "columna",
            "unidad",
            "significado",
            "table",
            "file",
            "column",
            "unit",
            "meaning");
    int columns = 0;
    for (List<String> t :
        List.of(
            EvidenceTables.ESTABLISHMENT_DAYS,
            EvidenceTables.OUTAGES,
            EvidenceTables.SPEED_TESTS,
            EvidenceTables.LINK_MONTHS,
            EvidenceTables.COMPUTER_DAYS)) {
      columns += t.size();
    }
    assertThat(dict).hasSize(columns);
    assertThat(dict).allMatch(d -> !d.get("unidad").isBlank() && !d.get("meaning").isBlank());
  }

  @Test
  void englishTablesAndAnIspsTables() throws Exception {
    Map<String, byte[]> en =
        unzip(
            APP.it().get("/api/v1/evidence?period=" + PERIOD + "&format=zip&lang=en").raw().body());
    assertThat(en)
        .containsKeys("README.txt", "dictionary.csv", "establishment_days.csv", "link_months.csv");
    List<CSVRecord> linkMonths = parse(en.get("link_months.csv"), Lang.EN);
    assertThat(header(linkMonths)).startsWith("month", "link_id", "isp");
    assertThat(row(linkMonths, "link_id", Long.toString(kioLink)).get("down_median_mbps"))
        .matches("\\d+\\.\\d\\d");

    Map<String, byte[]> isp =
        unzip(
            APP.it()
                .get("/api/v1/evidence?period=" + PERIOD + "&isp=" + ispParam() + "&format=zip")
                .raw()
                .body());
    List<CSVRecord> ispLinks = parse(isp.get("enlaces_meses.csv"), Lang.ES);
    assertThat(ispLinks.stream().map(l -> l.get("enlace_id")))
        .containsExactlyInAnyOrder(Long.toString(kioLink), Long.toString(alcSameIsp));
  }

  // ---- helpers ----

  /** A JSON figure as the Spanish tables write it: two decimals, a decimal comma. */
  private static String tx(double v) {
    return EvidenceText.of(Lang.ES).plain(v, 2);
  }

  private static long sum(List<CSVRecord> rows, String code, String column) {
    return rows.stream()
        .filter(r -> r.get("codigo_establecimiento").equals(code))
        .mapToLong(r -> Long.parseLong(r.get(column)))
        .sum();
  }

  private static List<String> names(List<String> keys, Lang lang) {
    return keys.stream().map(k -> ReaderText.of(lang).t("col." + k)).toList();
  }

  private static List<String> header(List<CSVRecord> rows) {
    return rows.get(0).getParser().getHeaderNames();
  }

  private static Map<String, String> row(List<CSVRecord> rows, String... keyValues) {
    for (CSVRecord r : rows) {
      boolean match = true;
      for (int i = 0; i < keyValues.length; i += 2) {
        match &= r.get(keyValues[i]).equals(keyValues[i + 1]);
      }
      if (match) {
        return r.toMap();
      }
    }
    throw new AssertionError("no row " + List.of(keyValues));
  }

  static List<CSVRecord> parse(byte[] csv, Lang lang) throws IOException {
    assertThat(csv[0] & 0xff).isEqualTo(0xEF);
    try (CSVParser p =
        TablesZip.format(lang)
            .builder()
            .setHeader()
            .setSkipHeaderRecord(true)
            .get()
            .parse(
                new InputStreamReader(
                    new ByteArrayInputStream(csv, 3, csv.length - 3), StandardCharsets.UTF_8))) {
      return p.getRecords();
    }
  }

  static Map<String, byte[]> unzip(byte[] zip) throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    try (ZipInputStream in =
        new ZipInputStream(new ByteArrayInputStream(zip), StandardCharsets.UTF_8)) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        out.put(e.getName(), in.readAllBytes());
      }
    }
    return out;
  }
}
