package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.enlace.server.evidence.EvidenceText.Lang;
import org.junit.jupiter.api.Test;

/**
 * The Spanish report, as a reader gets it (the PDF's text and the HTML page's text), holds no
 * English and no repository paths. Checked on a complete month, on a partial one (the coverage box)
 * and with names in the signature block.
 */
class SpanishOutputTest {
  /** English words and phrases that have leaked, or could leak, into the Spanish text. */
  static final Pattern ENGLISH =
      Pattern.compile(
          "(?i)\\b(the|and|of|to|no data|data|report|null|true|false|outage|outages|baseline"
              + "|progress|target|summary|page|signature|prepared|reviewed|enrolled|agents"
              + "|generatedAt|dataSha256|format=json|link_down|not_over|no_agents|no_data"
              + "|enrolled_mid_period|gaps|municipality|establishment|router|routers)\\b");

  /** A repository path or a source file name. */
  static final Pattern PATH =
      Pattern.compile("(docs/|src/|\\.md\\b|\\.java\\b|\\.properties\\b|meta\\.[a-z])");

  /** A time zone's identifier (America/Bogota): readers get "hora de Colombia (UTC-5)". */
  static final Pattern ZONE_ID = Pattern.compile("\\b[A-Z][a-z]+/[A-Z][A-Za-z_]+\\b");

  static final ObjectMapper MAPPER = EvidenceRenderersTest.appMapper();

  @Test
  void theSpanishPdfAndHtmlHoldNoEnglishAndNoPaths() throws Exception {
    List<EvidenceReport> reports = new ArrayList<>();
    reports.add(EvidenceHash.withHash(EvidenceFixtures.sample(), MAPPER));
    EvidenceReport partial = EvidenceFixtures.sample();
    reports.add(
        EvidenceHash.withHash(
            new EvidenceReport(
                partial.meta(),
                partial.method(),
                partial.indicators(),
                partial.establishments(),
                PeriodCoverage.of(
                    ReportPeriod.parse("2026-03"),
                    LocalDate.of(2026, 3, 20),
                    List.of(
                        LocalDate.of(2026, 3, 10),
                        LocalDate.of(2026, 3, 11),
                        LocalDate.of(2026, 3, 14)),
                    d -> true,
                    List.of(LocalDate.of(2026, 3, 10))),
                List.of()),
            MAPPER));
    reports.add(
        EvidenceFixtures.empty(
            new EvidenceQuery(ReportPeriod.parse("2026-03"), Optional.empty(), Optional.empty()),
            EvidenceFixtures.GENERATED));
    // A new installation's last month: a baseline, and no agent yet.
    reports.add(
        EvidenceHash.withHash(
            ExecutiveSummaryTest.report(
                new ExecutiveSummaryTest.Sector(0, 0, 0, 0),
                new ExecutiveSummaryTest.Sector(0, 0, 0, 0),
                ExecutiveSummaryTest.baseline(12, 8),
                PeriodCoverage.of(
                    ReportPeriod.parse("2026-11"),
                    LocalDate.of(2026, 12, 7),
                    List.of(),
                    d -> true,
                    List.of(LocalDate.of(2026, 12, 3)))),
            MAPPER));
    Signatures signers =
        new Signatures(
            Optional.of("Ana Pérez"),
            Optional.of("Secretaria de Planeación"),
            Optional.of("Luis Gómez"),
            Optional.of("Jefe de Sistemas"));
    Path dir = Files.createDirectories(Path.of("target", "evidence-samples"));
    List<String> names = List.of("complete", "partial", "empty", "noagents");
    for (int i = 0; i < reports.size(); i++) {
      EvidenceReport r = reports.get(i);
      byte[] bytes = EvidencePdf.render(r, Lang.ES, Paper.A4, signers);
      // For a person to look at, beside the renderers' samples.
      Files.write(dir.resolve("sample-es-" + names.get(i) + ".pdf"), bytes);
      String pdf;
      try (PDDocument doc = Loader.loadPDF(bytes)) {
        pdf = new PDFTextStripper().getText(doc);
      }
      String html = htmlText(EvidenceHtml.render(r, Lang.ES, Paper.A4, signers));
      for (String text : List.of(pdf, html)) {
        assertThat(found(ENGLISH, text)).as("English in the Spanish report").isEmpty();
        assertThat(found(PATH, text)).as("paths in the Spanish report").isEmpty();
        assertThat(found(ZONE_ID, text)).as("time zone ids in the Spanish report").isEmpty();
      }
      assertThat(pdf).contains("Resumen ejecutivo").contains("Elaborado por").contains("Ana Pérez");
      assertThat(html).contains("hora de Colombia (UTC-5)");
    }
  }

  @Test
  void theCheckCatchesWhatItLooksFor() {
    assertThat(found(ENGLISH, "Es el SHA-256 del informe (format=json) con meta.generatedAt"))
        .contains("format=json", "generatedAt");
    assertThat(found(PATH, "La guía docs/evidencia.md explica")).contains("docs/", ".md");
    assertThat(found(ZONE_ID, "en la zona horaria America/Bogota, 5 Mbit/s"))
        .contains("America/Bogota");
    assertThat(found(ENGLISH, "cuando el router se sondea")).contains("router");
    assertThat(found(ENGLISH, "Página 1 de 4: datos, agentes, línea base")).isEmpty();
  }

  static List<String> found(Pattern p, String text) {
    List<String> out = new ArrayList<>();
    Matcher m = p.matcher(text);
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  /** The text a browser shows: the body without its tags, entities decoded. */
  static String htmlText(String html) {
    String body = html.substring(html.indexOf("<body>"));
    return body.replaceAll("(?s)<[^>]*>", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
  }
}
