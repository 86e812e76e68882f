package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.enlace.server.evidence.EvidenceFixtures.MUNICIPALITY;
import static org.enlace.server.evidence.EvidenceFixtures.TRICKY_NAME;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dropwizard.jackson.Jackson;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.common.PDRectangle;
import org.apache.pdfbox.text.PDFTextStripper;
import org.enlace.server.evidence.EvidenceText.Lang;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.xml.sax.InputSource;

class EvidenceRenderersTest {
  static final String NBSP = "\u00a0";
  static ObjectMapper mapper;
  static EvidenceReport report;

  @BeforeAll
  static void setUp() throws IOException {
    mapper = appMapper();
    report = EvidenceHash.withHash(EvidenceFixtures.sample(), mapper);
    // The samples stay in target/ for a person to look at.
    Path dir = Path.of("target", "evidence-samples");
    Files.createDirectories(dir);
    for (Lang lang : Lang.values()) {
      Files.writeString(
          dir.resolve("sample-" + lang.code() + ".html"),
          EvidenceHtml.render(report, lang, Paper.A4));
      Files.write(
          dir.resolve("sample-" + lang.code() + ".pdf"),
          EvidencePdf.render(report, lang, Paper.A4));
      Files.write(dir.resolve("sample-" + lang.code() + ".csv"), EvidenceCsv.render(report, lang));
    }
    Files.write(dir.resolve("sample.json"), EvidenceHash.canonicalJson(report, mapper));
  }

  /** Dropwizard's mapper as EnlaceApplication configures it. */
  static ObjectMapper appMapper() {
    ObjectMapper m = Jackson.newObjectMapper();
    m.disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(com.fasterxml.jackson.core.JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
    return m;
  }

  static String html(Lang lang) {
    return EvidenceHtml.render(report, lang, Paper.A4);
  }

  static String fact(String label, String noData) {
    return "<span class=\"k\">" + label + ":</span> <span class=\"nodata\">" + noData + "</span>";
  }

  @Nested
  class Html {
    @Test
    void isWellFormedXhtml() throws Exception {
      for (Lang lang : Lang.values()) {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        var doc = factory.newDocumentBuilder().parse(new InputSource(new StringReader(html(lang))));
        assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("html");
      }
    }

    @Test
    void spanishTitleDatesAndNumbers() {
      String h = html(Lang.ES);
      assertThat(h)
          .contains("lang=\"es-CO\"")
          .contains("<h1>Municipio de El Contadero, Nariño</h1>")
          .contains("marzo de 2026")
          .contains("del 1 de marzo de 2026 al 31 de marzo de 2026")
          // generated 13:42 UTC is 08:42 in Bogotá
          .contains("1 de abril de 2026, 08:42")
          .contains("hora de Colombia (UTC-5)")
          // counts with a thousands dot, percentages with a decimal comma and a space
          .contains(">1.234<")
          .contains("97,9" + NBSP + "%")
          .contains("87,5" + NBSP + "%")
          .contains("+105,7" + NBSP + "%")
          .contains("87,3 Mbit/s")
          .contains("1.450.000" + NBSP + "COP")
          .contains("16.619 COP por Mbit/s")
          .contains("p50 35,3 ms, p90 120,0 ms (8.000 muestras)")
          // outage in local time, its duration, the blip flagged
          .contains("04/03/2026 10:15")
          .contains("04/03/2026 13:15")
          .contains("3 h 00 min")
          .contains("Interrupción breve (&lt; 5 min)")
          .contains("Proveedor Regional de Internet S.A.S.")
          .contains(report.meta().dataSha256())
          .contains("@page { size: A4;");
    }

    @Test
    void englishWithLangEn() {
      String h = html(Lang.EN);
      assertThat(h)
          .contains("lang=\"en\"")
          .contains("<h1>Municipio de El Contadero, Nariño</h1>")
          .contains("March 2026")
          .contains("1 April 2026, 08:42")
          .contains(">1,234<")
          .contains("97.9" + NBSP + "%")
          .contains("+105.7" + NBSP + "%")
          .contains("1,450,000" + NBSP + "COP")
          .contains("Short blip (&lt; 5 min)")
          .contains("no data")
          .doesNotContain("sin datos");
    }

    @Test
    void emptyOptionalsReadSinDatosNeverZero() {
      String h = html(Lang.ES);
      // The school has no availability, completeness or latency; the satellite link no tests,
      // no cost, no utilization; the total has no change vs baseline.
      String school = h.substring(h.indexOf("<h3>Escuela"), h.indexOf("<h3>Escuela") + 2500);
      assertThat(school)
          .contains(fact("Disponibilidad", "sin datos"))
          .contains(fact("Completitud", "sin datos"))
          .contains("p50 sin datos, p90 sin datos");
      assertThat(school).doesNotContain("0,0" + NBSP + "%");
      String satellite = h.substring(h.indexOf("Enlace n.º 9"));
      assertThat(satellite)
          .contains(fact("Costo mensual", "sin datos"))
          .contains(fact("Uso del enlace (medido en el enrutador)", "sin datos"))
          .contains(fact("Tecnología", "sin datos"));
      // Its row of the speeds table: contracted figures, then "sin datos" (never 0,0) for the
      // measured ones, since it had no tests.
      String row = h.substring(h.indexOf("<td>n.º 9:"));
      row = row.substring(0, row.indexOf("</tr>"));
      assertThat(row).contains("<td class=\"num nodata\">sin datos</td>").doesNotContain("0,0");
      // computers: no change, no progress; establishments: +100 % and 100 %
      // The plan tables' total rows (banded or not), not the executive summary's.
      java.util.regex.Matcher total =
          java.util.regex.Pattern.compile("<tr class=\"total( even)?\">").matcher(h);
      assertThat(total.find()).isTrue();
      int first = total.start();
      String computersTotal = h.substring(first, h.indexOf("</tr>", first));
      assertThat(total.find()).isTrue();
      int second = total.start();
      String establishmentsTotal = h.substring(second, h.indexOf("</tr>", second));
      assertThat(computersTotal)
          .endsWith(
              "<td class=\"num nodata\">sin datos</td><td class=\"num nodata\">sin datos</td>");
      assertThat(establishmentsTotal)
          .contains("+100,0" + NBSP + "%")
          .endsWith("<td class=\"num\">100,0" + NBSP + "%</td>");
    }

    @Test
    void namesAreEscaped() {
      String h = html(Lang.ES);
      assertThat(h)
          .contains("Escuela &lt;Niño&gt; &amp; &quot;Señora&quot; &#39;Peña&#39;")
          .contains("Satélite &amp; Cía")
          .doesNotContain("<Niño>")
          .doesNotContain("Satélite & Cía");
    }

    @Test
    void escapingDropsControlCharactersAndKeepsAccents() {
      assertThat(EvidenceHtml.esc("a\u0000b\u0007c <é>")).isEqualTo("a b c &lt;é&gt;");
      assertThat(EvidenceHtml.cssString("a\"b</style>"))
          .doesNotContain("\"b")
          .doesNotContain("</style>");
    }

    @Test
    void methodologyStatesTheParameters() {
      String h = html(Lang.ES);
      String method = h.substring(h.indexOf("4. Metodología"), h.indexOf("5. Fuentes"));
      assertThat(method)
          .contains("en línea al menos 1 día.")
          .contains("hasta 10 minutos más")
          .contains("menos de 5 min")
          .contains("speed.enlace.example (Pasto)")
          .contains("del 80" + NBSP + "% de la velocidad contratada")
          .contains("123.456 observaciones de agentes y 1.234 pruebas de velocidad")
          .contains("ni como conexión ni como corte, y nunca se escriben como 0")
          .contains("Todas las fechas y horas están en hora de Colombia (UTC-5).");
      assertThat(h).contains("Agentes Enlace en 12 computadores").contains("6. Definiciones");
    }

    @Test
    void letterPaper() {
      assertThat(EvidenceHtml.render(report, Lang.ES, Paper.LETTER))
          .contains("@page { size: letter;");
    }

    @Test
    void emptyReport() {
      EvidenceReport empty =
          EvidenceHash.withHash(
              EvidenceFixtures.empty(
                  new EvidenceQuery(
                      ReportPeriod.parse("2026-Q1"), Optional.empty(), Optional.empty()),
                  Instant.parse("2026-04-02T12:00:00Z")),
              mapper);
      String h = EvidenceHtml.render(empty, Lang.ES, Paper.A4);
      assertThat(h)
          .contains("1.º trimestre de 2026")
          .contains("No hay establecimientos")
          .contains("No hay enlaces")
          .contains("No hay línea base registrada")
          .contains("<th>SHA-256 de los datos</th><td class=\"hash\">" + empty.meta().dataSha256());
    }
  }

  @Nested
  class Pdf {
    @Test
    void pdfCarriesTheNameThePeriodAndTheAccents() throws IOException {
      byte[] pdf = EvidencePdf.render(report, Lang.ES, Paper.A4);
      assertThat(new String(pdf, 0, 5, StandardCharsets.ISO_8859_1)).isEqualTo("%PDF-");
      try (PDDocument doc = Loader.loadPDF(pdf)) {
        String text = new PDFTextStripper().getText(doc);
        assertThat(text)
            .contains("Municipio de El Contadero, Nariño")
            .contains("marzo de 2026")
            .contains("Alcaldía Municipal de El Contadero")
            .contains("Escuela <Niño> & \"Señora\" 'Peña'")
            .contains("Interrupción breve")
            .contains("sin datos")
            .contains(report.meta().dataSha256());
        PDRectangle page = doc.getPage(0).getMediaBox();
        assertThat(page.getWidth()).isCloseTo(595.3f, org.assertj.core.data.Offset.offset(1f));
        assertThat(page.getHeight()).isCloseTo(841.9f, org.assertj.core.data.Offset.offset(1f));
        assertThat(doc.getDocumentInformation().getTitle()).contains("El Contadero");
      }
    }

    @Test
    void letterAndEnglish() throws IOException {
      byte[] pdf = EvidencePdf.render(report, Lang.EN, Paper.LETTER);
      try (PDDocument doc = Loader.loadPDF(pdf)) {
        PDRectangle page = doc.getPage(0).getMediaBox();
        assertThat(page.getWidth()).isCloseTo(612f, org.assertj.core.data.Offset.offset(1f));
        assertThat(page.getHeight()).isCloseTo(792f, org.assertj.core.data.Offset.offset(1f));
        assertThat(new PDFTextStripper().getText(doc))
            .contains("Municipio de El Contadero, Nariño")
            .contains("March 2026")
            .contains("no data");
      }
    }

    @Test
    void charactersBeyondLatin1FallBackToAnEmbeddedFont() throws IOException {
      EvidenceReport r = EvidenceFixtures.sample();
      var m = r.meta();
      r =
          new EvidenceReport(
              new EvidenceReport.Meta(
                  "Ωmega €uro ŝ",
                  m.period(),
                  m.firstDay(),
                  m.lastDay(),
                  m.scope(),
                  m.scopeId(),
                  m.timeZone(),
                  m.generatedAt(),
                  "x",
                  m.sources()),
              r.method(),
              r.indicators(),
              r.establishments(),
              r.coverage(),
              List.of());
      try (PDDocument doc = Loader.loadPDF(EvidencePdf.render(r, Lang.ES, Paper.A4))) {
        assertThat(new PDFTextStripper().getText(doc)).contains("Ωmega €uro ŝ");
      }
    }
  }

  @Nested
  class Csv {
    static List<CSVRecord> parse(byte[] csv, Lang lang) throws IOException {
      assertThat(csv[0] & 0xff).isEqualTo(0xEF);
      assertThat(csv[1] & 0xff).isEqualTo(0xBB);
      assertThat(csv[2] & 0xff).isEqualTo(0xBF);
      var reader =
          new InputStreamReader(
              new ByteArrayInputStream(csv, 3, csv.length - 3), StandardCharsets.UTF_8);
      try (CSVParser p =
          EvidenceCsv.format(lang)
              .builder()
              .setHeader()
              .setSkipHeaderRecord(true)
              .get()
              .parse(reader)) {
        return p.getRecords();
      }
    }

    static Map<String, String> first(List<CSVRecord> records, String column, String value) {
      return records.stream()
          .filter(r -> r.get(column).equals(value))
          .findFirst()
          .orElseThrow()
          .toMap();
    }

    @Test
    void spanishUsesSemicolonAndDecimalComma() throws IOException {
      byte[] csv = EvidenceCsv.render(report, Lang.ES);
      String text = new String(csv, StandardCharsets.UTF_8);
      assertThat(text)
          .contains("# Municipio de El Contadero, Nariño")
          .contains("# SHA-256 de los datos: " + report.meta().dataSha256())
          .containsPattern("# Generado: [0-9-]+ [0-9:]+, hora de Colombia \\(UTC-5\\)")
          .doesNotContain("America/Bogota");
      List<CSVRecord> rows = parse(csv, Lang.ES);
      assertThat(rows.get(0).getParser().getHeaderNames())
          .startsWith("registro", "periodo", "sector")
          .hasSize(EvidenceCsv.COLUMNS.size());
      // 3 indicator rows, 2 establishments, 2 outages, 2 links
      assertThat(rows).hasSize(9);
      Map<String, String> alcaldia = first(rows, "codigo_establecimiento", "alcaldia");
      assertThat(alcaldia)
          .containsEntry("registro", "establecimiento")
          .containsEntry("disponibilidad_pct", "97,86")
          .containsEntry("completitud_pct", "87,50")
          .containsEntry("cortes", "1")
          .containsEntry("interrupciones_breves", "1")
          .containsEntry("latencia_p50_ms", "35,3")
          .containsEntry("enlace_id", "");
      Map<String, String> outage = first(rows, "registro", "corte");
      assertThat(outage)
          .containsEntry("corte_inicio", "2026-03-04 10:15")
          .containsEntry("corte_fin", "2026-03-04 13:15")
          .containsEntry("corte_duracion_min", "180")
          .containsEntry("corte_interrupcion_breve", "no");
      Map<String, String> link = first(rows, "enlace_id", "7");
      assertThat(link)
          .containsEntry("registro", "enlace")
          .containsEntry("establecimiento", "Alcaldía Municipal de El Contadero")
          .containsEntry("bajada_contratada_mbps", "100")
          .containsEntry("bajada_mediana_mbps", "87,25")
          .containsEntry("costo_mensual", "1450000")
          .containsEntry("costo_por_mbps_medido", "16618,91")
          .containsEntry("uso_p95_entrada_pct", "62,50");
      Map<String, String> total = first(rows, "sector", "Total");
      assertThat(total)
          .containsEntry("registro", "indicador")
          .containsEntry("computadores_medidos", "1254")
          .containsEntry("computadores_cambio_pct", "sin datos")
          .containsEntry("establecimientos_avance_pct", "100,00");
    }

    @Test
    void emptyOptionalsAndEscaping() throws IOException {
      List<CSVRecord> rows = parse(EvidenceCsv.render(report, Lang.ES), Lang.ES);
      Map<String, String> school = first(rows, "codigo_establecimiento", "ie-pena");
      assertThat(school)
          .containsEntry("establecimiento", TRICKY_NAME)
          .containsEntry("disponibilidad_pct", "sin datos")
          .containsEntry("completitud_pct", "sin datos")
          .containsEntry("latencia_p90_ms", "sin datos");
      Map<String, String> sat = first(rows, "enlace_id", "9");
      assertThat(sat)
          .containsEntry("proveedor", "Satélite & Cía")
          .containsEntry("bajada_mediana_mbps", "sin datos")
          .containsEntry("costo_mensual", "sin datos")
          .containsEntry("uso_p95_salida_pct", "sin datos")
          .containsEntry("bajada_pruebas", "0");
    }

    /**
     * The figures the PDF and the JSON have: outages outside opening hours as rows of their own
     * (never among the outages), provisional outages flagged, each computer's minutes by status;
     * every count of the establishment row equals its rows.
     */
    @Test
    void outsideHoursProvisionalAndComputerRows() throws IOException {
      EvidenceReport r = EvidenceHash.withHash(EvidenceFixtures.sampleWithComputers(), mapper);
      List<CSVRecord> rows = parse(EvidenceCsv.render(r, Lang.ES), Lang.ES);
      // 3 indicators, 2 establishments, 2 outages, 1 outside opening hours, 2 links, 2 computers
      assertThat(rows).hasSize(12);
      Map<String, String> alcaldia = first(rows, "registro", "establecimiento");
      assertThat(alcaldia)
          .containsEntry("cortes", "1")
          .containsEntry("interrupciones_breves", "1")
          .containsEntry("cortes_fuera_de_horario", "1")
          .containsEntry("cortes_provisionales", "1")
          .containsEntry("computador_id", "");
      List<CSVRecord> counted =
          rows.stream().filter(x -> x.get("registro").equals("corte")).toList();
      assertThat(counted).hasSize(2).allMatch(x -> x.get("corte_en_horario").equals("sí"));
      assertThat(counted.stream().filter(x -> x.get("corte_provisional").equals("sí")))
          .singleElement()
          .satisfies(x -> assertThat(x.get("corte_inicio")).isEqualTo("2026-03-04 10:15"));
      Map<String, String> night = first(rows, "registro", "corte_fuera_de_horario");
      assertThat(night)
          .containsEntry("codigo_establecimiento", "alcaldia")
          .containsEntry("corte_inicio", "2026-03-05 02:00")
          .containsEntry("corte_fin", "2026-03-05 02:40")
          .containsEntry("corte_duracion_min", "40")
          .containsEntry("corte_min_en_horario", "0")
          .containsEntry("corte_en_horario", "no")
          .containsEntry("corte_provisional", "no")
          .containsEntry("corte_origen", EvidenceText.of(Lang.ES).cause("link_down"))
          .containsEntry("cortes", "");
      List<CSVRecord> pcs =
          rows.stream().filter(x -> x.get("registro").equals("computador")).toList();
      assertThat(pcs).hasSize(2);
      Map<String, String> pc2 = first(pcs, "computador_id", "102");
      assertThat(pc2)
          .containsEntry("codigo_establecimiento", "alcaldia")
          .containsEntry("computador_nombre_equipo", "ALC-PC02")
          .containsEntry("computador_minutos_esperados", "30000")
          .containsEntry("computador_minutos_en_linea", "12000")
          .containsEntry("computador_minutos_limitada", "0")
          .containsEntry("computador_minutos_sin_conexion", "60")
          .containsEntry("computador_minutos_sin_datos", "17940")
          .containsEntry("minutos_con_datos", "");
      for (CSVRecord pc : pcs) {
        assertThat(
                Long.parseLong(pc.get("computador_minutos_en_linea"))
                    + Long.parseLong(pc.get("computador_minutos_limitada"))
                    + Long.parseLong(pc.get("computador_minutos_sin_conexion"))
                    + Long.parseLong(pc.get("computador_minutos_sin_datos")))
            .isEqualTo(Long.parseLong(pc.get("computador_minutos_esperados")));
      }
      // in English, the same rows under English names
      List<CSVRecord> en = parse(EvidenceCsv.render(r, Lang.EN), Lang.EN);
      assertThat(first(en, "record", "outage_outside_hours"))
          .containsEntry("outage_inside_hours", "no");
      assertThat(first(en, "computer_id", "101"))
          .containsEntry("record", "computer")
          .containsEntry("computer_online_minutes", "20000")
          .containsEntry("computer_no_data_minutes", "24000");
    }

    @Test
    void englishUsesCommaAndDecimalPoint() throws IOException {
      byte[] csv = EvidenceCsv.render(report, Lang.EN);
      assertThat(new String(csv, StandardCharsets.UTF_8)).contains("# " + MUNICIPALITY);
      List<CSVRecord> rows = parse(csv, Lang.EN);
      Map<String, String> alcaldia = first(rows, "establishment_code", "alcaldia");
      assertThat(alcaldia)
          .containsEntry("record", "establishment")
          .containsEntry("availability_pct", "97.86");
      Map<String, String> sat = first(rows, "link_id", "9");
      assertThat(sat).containsEntry("down_median_mbps", "no data");
      // read with the Spanish delimiter it would be one column: the delimiters differ
      assertThat(
              new String(csv, StandardCharsets.UTF_8)
                  .lines()
                  .filter(l -> l.startsWith("record,"))
                  .count())
          .isEqualTo(1);
    }
  }

  @Nested
  class Json {
    @Test
    void optionalsAreNullAndKeysSorted() throws IOException {
      byte[] json = EvidenceHash.canonicalJson(report, mapper);
      JsonNode tree = mapper.readTree(json);
      JsonNode school = tree.get("establishments").get(1);
      assertThat(school.get("availability").get("availabilityPct").isNull()).isTrue();
      assertThat(tree.get("meta").get("generatedAt").asText()).isEqualTo("2026-04-01T13:42:07Z");
      assertThat(tree.get("meta").get("firstDay").asText()).isEqualTo("2026-03-01");
      String s = new String(json, StandardCharsets.UTF_8);
      assertThat(s)
          .startsWith("{\"coverage\":{\"asOf\":")
          .doesNotContain("\n")
          .contains("\"contractedDownMbps\":100.000");
    }
  }
}
