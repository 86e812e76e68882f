package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PdfWarmUpTest {
  @Test
  void theWarmUpPageIsARealPdfWithItsChart() {
    // A page that failed to lay out would log and return 0: the warm-up would warm nothing.
    int bytes = PdfWarmUp.warmUp();
    assertThat(bytes).isGreaterThan(500);
    byte[] pdf = EvidencePdf.fromXhtml(PdfWarmUp.PAGE, Paper.A4);
    assertThat(new String(pdf, 0, 5, StandardCharsets.ISO_8859_1)).isEqualTo("%PDF-");
  }
}
