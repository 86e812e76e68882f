package org.enlace.server.evidence;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdfwriter.compress.CompressParameters;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;

/**
 * A large municipality's report laid out as two documents on two threads and joined: openhtmltopdf
 * lays a document out on one thread, and at 300 establishments that is most of the request (about
 * 0.9 s of 1.3 s on a 2-core server). The cut falls between two establishments, so the second part
 * starts on a new page; the footers ("Página 7 / 190") are drawn on the joined pages, where the
 * total is known, in the same font, size, colour and place as openhtmltopdf draws them.
 */
final class SplitPdf {
  /** Below this many establishments one layout is fast enough, and one page break fewer. */
  static final int MIN_ESTABLISHMENTS = 60;

  private static final String SECTION = "<section class=\"establishments\">";
  private static final String BLOCK = "<div class=\"establishment\">";

  // Two threads for every request's second half: a second request waits rather than take a third
  // core the server does not have.
  private static final ExecutorService HALVES =
      Executors.newFixedThreadPool(
          2,
          r -> {
            Thread t = new Thread(r, "pdf-half");
            t.setDaemon(true);
            return t;
          });

  // Where openhtmltopdf puts the footers (EvidenceHtml.PAGE_RULE: 14 mm side margins, 18 mm
  // bottom margin, 7.5 pt, #555), measured on its own output: the baseline 22.9 pt above the
  // page's bottom edge.
  private static final float SIDE = 14f * 72f / 25.4f;
  private static final float BASELINE = 22.91f;
  private static final float SIZE = 7.5f;
  private static final float GREY = 0x55 / 255f;

  private SplitPdf() {}

  /** The two parts' XHTML, without footers, or empty when the report is not worth splitting. */
  record Parts(String first, String second) {}

  static Optional<Parts> parts(String xhtml, Paper paper, EvidenceHtml.Footer footer) {
    String rule = EvidenceHtml.pageRule(paper, footer.running(), footer.pageWord());
    int section = xhtml.indexOf(SECTION);
    int body = xhtml.indexOf("<body>");
    if (section < 0 || body < 0 || !xhtml.contains(rule)) {
      return Optional.empty();
    }
    int end = xhtml.indexOf("</section>", section);
    // The establishment block nearest the middle of the document: two halves of equal work.
    int middle = xhtml.length() / 2;
    int cut = -1;
    for (int i = xhtml.indexOf(BLOCK, section);
        i >= 0 && i < end;
        i = xhtml.indexOf(BLOCK, i + 1)) {
      if (cut < 0 || Math.abs(i - middle) < Math.abs(cut - middle)) {
        cut = i;
      }
    }
    if (cut <= xhtml.indexOf(BLOCK, section)) {
      return Optional.empty(); // the first block: the first part would have no establishment
    }
    String bare = xhtml.replace(rule, EvidenceHtml.bareRule(paper));
    int shift = bare.length() - xhtml.length(); // the rule is in the head, before every index
    String head = bare.substring(0, body + shift + "<body>".length());
    return Optional.of(
        new Parts(
            bare.substring(0, cut + shift) + "</section>\n</body>\n</html>\n",
            head + "\n" + SECTION + "\n" + bare.substring(cut + shift)));
  }

  /** Lays the parts out at once, joins them and draws the footers. */
  static byte[] render(Parts parts, Paper paper, EvidenceHtml.Footer footer) {
    CompletableFuture<byte[]> second =
        CompletableFuture.supplyAsync(() -> EvidencePdf.fromXhtml(parts.second(), paper), HALVES);
    byte[] first = EvidencePdf.fromXhtml(parts.first(), paper);
    byte[] rest;
    try {
      rest = second.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
    try (PDDocument doc = Loader.loadPDF(first);
        PDDocument tail = Loader.loadPDF(rest)) {
      for (PDPage page : tail.getPages()) {
        doc.importPage(page);
      }
      PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
      int total = doc.getNumberOfPages();
      int n = 0;
      for (PDPage page : doc.getPages()) {
        n++;
        String number = EvidencePdf.base14(footer.pageWord() + n + " / " + total);
        float width = page.getMediaBox().getWidth();
        try (PDPageContentStream s =
            new PDPageContentStream(doc, page, PDPageContentStream.AppendMode.APPEND, true, true)) {
          s.setNonStrokingColor(GREY, GREY, GREY);
          s.beginText();
          s.setFont(font, SIZE);
          s.newLineAtOffset(SIDE, BASELINE);
          s.showText(EvidencePdf.base14(footer.running()));
          s.endText();
          s.beginText();
          s.setFont(font, SIZE);
          s.newLineAtOffset(width - SIDE - font.getStringWidth(number) / 1000f * SIZE, BASELINE);
          s.showText(number);
          s.endText();
        }
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(first.length + rest.length);
      doc.save(out, CompressParameters.NO_COMPRESSION);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
