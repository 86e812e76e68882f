package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.enlace.server.evidence.EvidenceReport.EstablishmentEvidence;
import org.enlace.server.evidence.EvidenceText.Lang;
import org.junit.jupiter.api.Test;

/** A large municipality's PDF, laid out in two parts and joined, reads as one document. */
class SplitPdfTest {
  /** The chart fixture's establishments repeated under new names up to {@code n}. */
  static EvidenceReport municipality(int n) {
    EvidenceReport r = ChartFixtures.charted();
    List<EstablishmentEvidence> many = new ArrayList<>();
    for (int i = 0; many.size() < n; i++) {
      EstablishmentEvidence e = r.establishments().get(i % r.establishments().size());
      many.add(
          new EstablishmentEvidence(
              String.format("est-%03d", i),
              String.format("Sede número %03d", i),
              e.kind(),
              e.sector(),
              e.availability(),
              e.outages(),
              e.latency(),
              e.computersEnrolled(),
              e.computersConnected(),
              e.links(),
              e.outagesOutsideOpeningHours(),
              e.computers()));
    }
    return new EvidenceReport(r.meta(), r.method(), r.indicators(), many, r.coverage(), r.trend());
  }

  static List<String> pages(byte[] pdf) throws Exception {
    try (PDDocument d = Loader.loadPDF(pdf)) {
      PDFTextStripper s = new PDFTextStripper();
      List<String> out = new ArrayList<>();
      for (int p = 1; p <= d.getNumberOfPages(); p++) {
        s.setStartPage(p);
        s.setEndPage(p);
        out.add(s.getText(d));
      }
      return out;
    }
  }

  @Test
  void everyEstablishmentOnceAndEveryPageNumberedOfTheTotal() throws Exception {
    EvidenceReport report = municipality(SplitPdf.MIN_ESTABLISHMENTS + 20);
    String xhtml = EvidenceHtml.render(report, Lang.ES, Paper.A4);
    EvidenceHtml.Footer footer = EvidenceHtml.footer(report, Lang.ES);
    SplitPdf.Parts parts = SplitPdf.parts(xhtml, Paper.A4, footer).orElseThrow();
    // Cut between two establishments, each half well-formed and without footers of its own.
    assertThat(parts.first()).contains("Sede número 000").doesNotContain("counter(pages)");
    assertThat(parts.second())
        .contains("Sede número 079")
        .contains(EvidenceText.of(Lang.ES).t("sign.heading"))
        .doesNotContain("counter(pages)");

    byte[] pdf = EvidencePdf.render(report, Lang.ES, Paper.A4);
    // For a person to look at (pdftoppm -png …), beside the other samples.
    java.nio.file.Path dir = java.nio.file.Path.of("target", "evidence-samples");
    java.nio.file.Files.createDirectories(dir);
    java.nio.file.Files.write(dir.resolve("split-es.pdf"), pdf);
    java.nio.file.Files.write(dir.resolve("single-es.pdf"), EvidencePdf.fromXhtml(xhtml, Paper.A4));
    List<String> pages = pages(pdf);
    String all = String.join("\n", pages);
    for (int i = 0; i < report.establishments().size(); i++) {
      String name = String.format("Sede número %03d", i);
      assertThat(all.split(name, -1)).as(name).hasSizeGreaterThanOrEqualTo(2);
    }
    for (int p = 0; p < pages.size(); p++) {
      assertThat(pages.get(p))
          .as("page %d", p + 1)
          .contains("Página " + (p + 1) + " / " + pages.size())
          .contains(footer.running());
    }
    // The same pages as one layout would give, but one: the second part starts on a new page.
    int single = pages(EvidencePdf.fromXhtml(xhtml, Paper.A4)).size();
    assertThat(pages.size()).isBetween(single, single + 1);
    // The charts still draw, and the joined document uses the base fonts only.
    assertThat(EvidenceChartsRenderTest.fonts(pdf)).noneMatch(f -> f.contains("Liberation"));
    EvidenceChartsRenderTest.assertDrawn(
        PdfPixels.find(pdf, EvidenceChartsRenderTest.AVAILABILITY),
        EvidenceChartsRenderTest.AVAILABILITY,
        400);
  }

  @Test
  void aSmallMunicipalityIsOneLayout() throws Exception {
    EvidenceReport report = municipality(SplitPdf.MIN_ESTABLISHMENTS - 1);
    byte[] pdf = EvidencePdf.render(report, Lang.EN, Paper.LETTER);
    byte[] one =
        EvidencePdf.fromXhtml(EvidenceHtml.render(report, Lang.EN, Paper.LETTER), Paper.LETTER);
    assertThat(pages(pdf)).hasSameSizeAs(pages(one));
    assertThat(pages(pdf).get(0)).contains("Page 1 / ");
  }
}
