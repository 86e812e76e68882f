package org.enlace.server.evidence;

import com.openhtmltopdf.outputdevice.helper.BaseRendererBuilder;
import com.openhtmltopdf.pdfboxout.PdfRendererBuilder;
import com.openhtmltopdf.svgsupport.BatikSVGDrawer;
import com.openhtmltopdf.util.Diagnostic;
import com.openhtmltopdf.util.XRLog;
import com.openhtmltopdf.util.XRLogger;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.util.logging.Level;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evidence report as PDF, laid out by openhtmltopdf from the very XHTML that {@link
 * EvidenceHtml} serves, so the two never disagree.
 *
 * <p>Fonts: the PDF base-14 Helvetica and Courier, which every PDF reader has and which cover
 * Windows-1252 (every Spanish letter, ñ, ¿, «», –, €): nothing to embed and the fastest layout.
 * Only when a report holds a character beyond that (a name in another script) is Liberation Sans,
 * which PDFBox ships in its jar, put first and embedded as a subset; it has no bold face, so
 * headings are then synthesised.
 */
public final class EvidencePdf {
  static final String FALLBACK_FONT = "/org/apache/pdfbox/resources/ttf/LiberationSans-Regular.ttf";

  static {
    // openhtmltopdf prints its timings at INFO on the console by default: route it to SLF4J,
    // where its INFO is our DEBUG and its warnings stay warnings.
    XRLog.setLoggerImpl(new Slf4jXrLogger());
    // The SVG drawer maps the base-14 fonts for every chart, and PDFBox warns each time that no
    // system font outlines them; the PDF names Helvetica without embedding it, so nothing is
    // wrong, and six warnings per report would only bury real ones.
    if (LoggerFactory.getLogger("org.apache.pdfbox.pdmodel.font.PDType1Font")
        instanceof ch.qos.logback.classic.Logger quiet) {
      quiet.setLevel(ch.qos.logback.classic.Level.ERROR);
    }
  }

  private EvidencePdf() {}

  /** True when the base-14 fonts can show every character of the text. */
  static boolean windows1252(String text) {
    CharsetEncoder cp1252 = Charset.forName("windows-1252").newEncoder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x80 && !cp1252.canEncode(c)) {
        return false;
      }
    }
    return true;
  }

  public static byte[] render(EvidenceReport report, EvidenceText.Lang lang, Paper paper) {
    return render(report, lang, paper, Signatures.NONE);
  }

  public static byte[] render(
      EvidenceReport report, EvidenceText.Lang lang, Paper paper, Signatures signatures) {
    return fromXhtml(EvidenceHtml.render(report, lang, paper, signatures), paper);
  }

  /**
   * Typographic characters the base-14 fonts lack, and the ones they have that read the same. One
   * U+2212 minus in a 187-page report made it embed Liberation Sans, whose glyph substitution took
   * the PDF from under 1 s to 7 s at 10,000 computers.
   */
  static String base14(String xhtml) {
    return xhtml.replace('\u2212', '-').replace('\u2009', ' ').replace('\u202F', '\u00A0');
  }

  /** PDF bytes from well-formed XHTML. */
  public static byte[] fromXhtml(String xhtml, Paper paper) {
    xhtml = base14(xhtml);
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 * 1024);
    PdfRendererBuilder builder = new PdfRendererBuilder();
    builder.useFastMode();
    builder.useDefaultPageSize(
        paper.widthMm(), paper.heightMm(), BaseRendererBuilder.PageSizeUnits.MM);
    if (!windows1252(xhtml) && EvidencePdf.class.getResource(FALLBACK_FONT) != null) {
      builder.useFont(() -> EvidencePdf.class.getResourceAsStream(FALLBACK_FONT), "LiberationSans");
      xhtml =
          xhtml.replace(
              "font-family: " + EvidenceHtml.FONTS,
              "font-family: LiberationSans, " + EvidenceHtml.FONTS);
    }
    // The charts are inline SVG, drawn as vectors (see EvidenceCharts).
    builder.useSVGDrawer(new BatikSVGDrawer());
    builder.withProducer("Enlace");
    builder.withHtmlContent(xhtml, null);
    builder.toStream(out);
    try {
      builder.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** openhtmltopdf's log through SLF4J. */
  static final class Slf4jXrLogger implements XRLogger {
    private static Logger logger(String where) {
      return LoggerFactory.getLogger(where == null ? "com.openhtmltopdf" : where);
    }

    @Override
    public void log(String where, Level level, String msg) {
      log(where, level, msg, null);
    }

    @Override
    public void log(String where, Level level, String msg, @Nullable Throwable th) {
      Logger log = logger(where);
      int v = level.intValue();
      if (v >= Level.SEVERE.intValue()) {
        log.error(msg, th);
      } else if (v >= Level.WARNING.intValue()) {
        log.warn(msg, th);
      } else {
        log.debug(msg, th);
      }
    }

    @Override
    public void setLevel(String logger, Level level) {}

    @Override
    public boolean isLogLevelEnabled(Diagnostic diagnostic) {
      int v = diagnostic.getLevel().intValue();
      Logger log = LoggerFactory.getLogger("com.openhtmltopdf");
      return v >= Level.WARNING.intValue() ? log.isWarnEnabled() : log.isDebugEnabled();
    }
  }
}
