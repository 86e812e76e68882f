package org.enlace.server.evidence;

import io.dropwizard.lifecycle.Managed;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lays out one tiny page with a chart in the background after start: the first PDF a JVM draws pays
 * about 0.7 s loading openhtmltopdf's and Batik's classes, and that should not be the
 * administration's first report after a restart. After a delay, so that it never competes with the
 * start itself or with the first reports from agents.
 */
public final class PdfWarmUp implements Managed {
  private static final Logger LOG = LoggerFactory.getLogger(PdfWarmUp.class);

  static final String PAGE =
      """
      <html xmlns="http://www.w3.org/1999/xhtml"><head><title>Enlace</title></head><body>
      <p>Enlace</p><svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"
       viewBox="0 0 40 20"><rect x="0" y="0" width="20" height="20" fill="#1f4e79"/>
      <text x="22" y="14" font-family="Helvetica" font-size="10">1,5</text></svg>
      </body></html>
      """;

  private final Duration delay;
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "pdf-warm-up");
            t.setDaemon(true);
            return t;
          });

  public PdfWarmUp(Duration delay) {
    this.delay = delay;
  }

  @Override
  public void start() {
    // warmUp() logs its own failure; nothing waits for it.
    var unused = executor.schedule(PdfWarmUp::warmUp, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public void stop() {
    executor.shutdownNow();
  }

  /** Returns the PDF's size, for the test that shows the page is a real one. */
  static int warmUp() {
    long started = System.nanoTime();
    try {
      int bytes = EvidencePdf.fromXhtml(PAGE, Paper.A4).length;
      LOG.info(
          "event=pdf_warmed_up ms={} bytes={}", (System.nanoTime() - started) / 1_000_000, bytes);
      return bytes;
    } catch (RuntimeException e) {
      // Only a cost saved: the first report pays it instead. Logged for whoever debugs PDFs.
      LOG.warn("event=pdf_warm_up_failed error={}", e.toString());
      return 0;
    }
  }
}
