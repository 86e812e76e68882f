package org.enlace.server.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.app.cli.CommandRunner;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * /reports in Debian's headless Chromium against the real server: signed in as a person of the
 * administration, the page renders (screenshot), lists the inventory, and its buttons download a
 * PDF and a CSV through the browser. Skipped only when no Chromium is installed (.ci/run installs
 * it).
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ReportsPageBrowserTest {
  static final TestApp APP = TestApp.create();
  static final DropwizardAppExtension<EnlaceConfiguration> EXT = APP.extension();
  static final Duration WAIT = Duration.ofSeconds(60);

  @Test
  @Timeout(300)
  void pickAPeriodAndDownload() throws Exception {
    Optional<Path> chromium = HeadlessChromium.find();
    Assumptions.assumeTrue(chromium.isPresent(), "chromium is not installed");

    String password = "lectura-secreta-123";
    new CommandRunner(APP)
        .run(
            new ByteArrayInputStream((password + "\n").getBytes(StandardCharsets.UTF_8)),
            "user",
            "add",
            "planeacion",
            "--role",
            "administration",
            "--password-stdin");
    APP.establishment("biblioteca", "citizens");
    ObjectNode link =
        Api.object()
            .put("ispName", "Proveedor <Regional> & Cía")
            .put("contractedDownMbps", 100)
            .put("contractedUpMbps", 50);
    Api.Response created = APP.it().post("/api/v1/establishments/biblioteca/links", link);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    long linkId = created.body().get("id").asLong();

    Path work = Files.createDirectories(Path.of("target", "browser-test"));
    Path downloads = Files.createTempDirectory(work, "downloads-");
    try (HeadlessChromium browser =
        HeadlessChromium.start(chromium.get(), Files.createTempDirectory(work, "chromium-"))) {
      browser.send(
          null,
          "Browser.setDownloadBehavior",
          HeadlessChromium.params()
              .put("behavior", "allow")
              .put("downloadPath", downloads.toAbsolutePath().toString()));
      String page = browser.newPage();
      browser.send(page, "Page.enable", null);
      browser.send(page, "Network.enable", null);
      // The credentials a person types into the browser's sign-in box, on every request.
      ObjectNode headers = HeadlessChromium.params();
      headers.putObject("headers").put("Authorization", Api.basic("planeacion", password));
      browser.send(page, "Network.setExtraHTTPHeaders", headers);
      browser.send(
          page,
          "Emulation.setDeviceMetricsOverride",
          HeadlessChromium.params()
              .put("width", 1000)
              .put("height", 1300)
              .put("deviceScaleFactor", 1)
              .put("mobile", false));
      browser.send(
          page, "Page.navigate", HeadlessChromium.params().put("url", APP.base() + "/reports"));

      HeadlessChromium.await(
          "the page and the establishment list",
          WAIT,
          () ->
              truthy(
                  browser,
                  page,
                  "document.readyState === 'complete' && !!document.getElementById("
                      + "'evidence-form') && document.getElementById('evidence-form').dataset.loaded"
                      + " === 'true'"));
      assertThat(browser.eval(page, "document.documentElement.lang").asText()).isEqualTo("es-CO");
      assertThat(browser.eval(page, "document.querySelector('h1').textContent").asText())
          .isEqualTo("Informes de evidencia de conectividad");
      assertThat(browser.eval(page, "document.getElementById('status').className").asText())
          .isEqualTo("status");
      assertThat(
              browser
                  .eval(
                      page,
                      "Array.from(document.querySelectorAll('#establishment "
                          + "option')).map(o => o.value).join(',')")
                  .asText())
          .isEqualTo(",biblioteca");
      // the period pickers: month by default, quarter and year on demand
      assertThat(browser.eval(page, "document.getElementById('period-month').value").asText())
          .isEqualTo(
              YearMonth.now(ZoneId.of("America/Bogota")).toString()); // no data yet: this month
      browser.eval(
          page,
          "(() => { const k = document.getElementById('period-kind');"
              + " k.value = 'quarter'; k.dispatchEvent(new Event('change')); return true; })()");
      assertThat(
              browser
                  .eval(
                      page,
                      "document.getElementById('period-quarter').disabled"
                          + " || document.getElementById('period-quarter-field').hidden")
                  .asBoolean())
          .isFalse();
      assertThat(browser.eval(page, "document.getElementById('period-month').disabled").asBoolean())
          .isTrue();
      // choosing the establishment lists its links
      browser.eval(
          page,
          "(() => { const e = document.getElementById('establishment');"
              + " e.value = 'biblioteca'; e.dispatchEvent(new Event('change')); return true; })()");
      HeadlessChromium.await(
          "the link list",
          WAIT,
          () -> truthy(browser, page, "!document.getElementById('link-field').hidden"));
      String linkOption =
          browser
              .eval(
                  page,
                  "document.querySelector('#link option[value=\"" + linkId + "\"]').textContent")
              .asText();
      assertThat(linkOption).contains("Proveedor <Regional> & Cía").contains("100/50 Mbit/s");

      byte[] png =
          HeadlessChromium.base64(
              browser
                  .send(
                      page,
                      "Page.captureScreenshot",
                      HeadlessChromium.params().put("format", "png"))
                  .get("data"));
      Files.write(work.resolve("reports-page.png"), png);
      assertRendered(png);

      // Back to the whole municipality and a month: the PDF button downloads the report.
      browser.eval(
          page,
          "(() => { const k = document.getElementById('period-kind');"
              + " k.value = 'month'; k.dispatchEvent(new Event('change'));"
              + " const e = document.getElementById('establishment'); e.value = '';"
              + " e.dispatchEvent(new Event('change')); return true; })()");
      String month = browser.eval(page, "document.getElementById('period-month').value").asText();
      browser.eval(page, "document.getElementById('download-pdf').click(), true");
      Path pdf = downloads.resolve("enlace-evidencia-" + month + ".pdf");
      HeadlessChromium.await(
          "the PDF download", WAIT, () -> Files.exists(pdf) && !partial(downloads));
      byte[] bytes = Files.readAllBytes(pdf);
      assertThat(new String(bytes, 0, 5, StandardCharsets.ISO_8859_1)).isEqualTo("%PDF-");

      // The CSV of the link: the establishment is left out of the request, the link sent.
      browser.eval(
          page,
          "(() => { const e = document.getElementById('establishment');"
              + " e.value = 'biblioteca'; e.dispatchEvent(new Event('change')); return true; })()");
      HeadlessChromium.await(
          "the link list again",
          WAIT,
          () -> truthy(browser, page, "document.querySelectorAll('#link option').length === 2"));
      browser.eval(
          page,
          "(() => { document.getElementById('link').value = '"
              + linkId
              + "';"
              + " document.getElementById('download-csv').click(); return true; })()");
      Path csv = downloads.resolve("enlace-evidencia-" + month + "-enlace-" + linkId + ".csv");
      HeadlessChromium.await(
          "the CSV download", WAIT, () -> Files.exists(csv) && !partial(downloads));
      byte[] csvBytes = Files.readAllBytes(csv);
      assertThat(csvBytes[0] & 0xff).isEqualTo(0xEF);
      // a link's CSV is the ISP's sheet: its link, no plan figures
      assertThat(new String(csvBytes, StandardCharsets.UTF_8)).contains("enlace_id;proveedor;");
      // the fields were enabled again for the next choice
      assertThat(
              browser.eval(page, "document.getElementById('establishment').disabled").asBoolean())
          .isFalse();

      // The provider's data tables: the ISP chosen, the establishment and link do not apply.
      assertThat(browser.eval(page, "document.getElementById('isp-field').hidden").asBoolean())
          .isFalse();
      browser.eval(
          page,
          "(() => { const i = document.getElementById('isp');"
              + " i.value = i.options[1].value; i.dispatchEvent(new Event('change'));"
              + " document.getElementById('download-zip').click(); return true; })()");
      Path zip =
          downloads.resolve(
              "enlace-evidencia-" + month + "-proveedor-Proveedor__Regional____C_a.zip");
      HeadlessChromium.await(
          "the ZIP download", WAIT, () -> Files.exists(zip) && !partial(downloads));
      assertThat(ReaderReportsTest.unzip(Files.readAllBytes(zip)))
          .containsKeys("LEAME.txt", "diccionario.csv", "enlaces_meses.csv");
    }
  }

  private static boolean truthy(HeadlessChromium browser, String page, String js) {
    try {
      return browser.eval(page, "!!(" + js + ")").asBoolean();
    } catch (Exception e) {
      return false;
    }
  }

  private static boolean partial(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.anyMatch(p -> p.getFileName().toString().endsWith(".crdownload"));
    } catch (IOException e) {
      return true;
    }
  }

  /** A real page: a PNG of the viewport's size, mostly light, with text and buttons on it. */
  private static void assertRendered(byte[] png) throws Exception {
    assertThat(png).startsWith(0x89, 'P', 'N', 'G');
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(png));
    assertThat(img.getWidth()).isEqualTo(1000);
    assertThat(img.getHeight()).isEqualTo(1300);
    Set<Integer> colours = new HashSet<>();
    long dark = 0;
    long samples = 0;
    for (int y = 0; y < img.getHeight(); y += 3) {
      for (int x = 0; x < img.getWidth(); x += 3) {
        int rgb = img.getRGB(x, y) & 0xffffff;
        colours.add(rgb);
        int luminance = ((rgb >> 16 & 0xff) * 3 + (rgb >> 8 & 0xff) * 6 + (rgb & 0xff)) / 10;
        dark += luminance < 128 ? 1 : 0;
        samples++;
      }
    }
    assertThat(colours.size()).as("distinct colours").isGreaterThan(20);
    assertThat((double) dark / samples)
        .as("share of dark pixels (text, buttons)")
        .isBetween(0.005, 0.5);
  }
}
