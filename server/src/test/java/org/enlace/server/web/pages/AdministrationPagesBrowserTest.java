package org.enlace.server.web.pages;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.app.cli.CommandRunner;
import org.enlace.server.evidence.HeadlessChromium;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The administration's pages in Debian's headless Chromium against the real server: a person of the
 * administration sets a baseline by typing into the form and pressing Enter (the value then read
 * back from the API), every page has its language, a title and a label for each control, every
 * control is reached with Tab in document order and shows where the focus is; the administration
 * gets a 403 page from IT's forms, and IT issues an enrollment token. Each page is saved as a
 * screenshot under target/browser-test. Skipped only when no Chromium is installed.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class AdministrationPagesBrowserTest {
  static final TestApp APP = TestApp.create();
  static final DropwizardAppExtension<EnlaceConfiguration> EXT = APP.extension();
  static final Duration WAIT = Duration.ofSeconds(60);

  private HeadlessChromium browser;
  private Path work;

  @Test
  @Timeout(400)
  void theAdministrationUsesItsPagesWithTheKeyboard() throws Exception {
    Optional<Path> chromium = HeadlessChromium.find();
    Assumptions.assumeTrue(chromium.isPresent(), "chromium is not installed");
    String password = "planeacion-clave-123";
    new CommandRunner(APP)
        .run(
            new ByteArrayInputStream((password + "\n").getBytes(StandardCharsets.UTF_8)),
            "user",
            "add",
            "planeacion",
            "--role",
            "administration",
            "--password-stdin");
    APP.establishment("alcaldia", "administration");
    APP.establishment("biblioteca", "citizens");
    APP.it()
        .post(
            "/api/v1/establishments/biblioteca/links",
            Api.object()
                .put("ispName", "Proveedor Regional")
                .put("contractedDownMbps", 20)
                .put("contractedUpMbps", 5));
    TestApp.Agent agent = APP.enroll("biblioteca");
    // One outage as the rollups write it, so that the outages page has a row to show.
    Instant start = Instant.now().minus(Duration.ofHours(2));
    APP.jdbi()
        .useHandle(
            h ->
                h.execute(
                    "INSERT INTO outages (establishment_id, started_at, ended_at,"
                        + " duration_minutes, open_minutes, computers, short_blip, cause)"
                        + " SELECT id, ?, ?, 35, 35, 1, false, 'agents' FROM establishments"
                        + " WHERE code = 'biblioteca'",
                    start,
                    start.plus(Duration.ofMinutes(35))));

    work = Files.createDirectories(Path.of("target", "browser-test"));
    try (HeadlessChromium b =
        HeadlessChromium.start(chromium.get(), Files.createTempDirectory(work, "chromium-"))) {
      browser = b;
      String page = signedIn("planeacion", password);

      // The baseline form, typed in and sent with the keyboard.
      open(page, "/web/indicators/baseline");
      checkPage(page, "es-CO", "Línea base y meta · Enlace");
      checkKeyboard(page);
      type(page, "f-reference", "Plan de Desarrollo 2024-2027");
      type(page, "f-administration-computers", "-3");
      type(page, "f-administration-establishments", "3");
      type(page, "f-citizens-computers", "20");
      type(page, "f-citizens-establishments", "4");
      type(page, "f-targetIncreasePct", "100");
      pressEnterOn(page, "save-baseline");
      awaitLoaded(page, "Error: Línea base y meta · Enlace");
      assertThat(text(page, "#f-administration-computers-error"))
          .isEqualTo("debe ser mayor o igual a 0");
      assertThat(value(page, "f-reference")).isEqualTo("Plan de Desarrollo 2024-2027");
      checkPage(page, "es-CO", "Error: Línea base y meta · Enlace");
      screenshot(page, "pages-baseline-error");
      clear(page, "f-administration-computers");
      type(page, "f-administration-computers", "12");
      pressEnterOn(page, "save-baseline");
      awaitLoaded(page, "Indicadores del plan · Enlace");
      assertThat(text(page, ".notice")).startsWith("Se guardó la nueva línea base");
      JsonNode current = APP.it().get("/api/v1/indicators/baseline").body().get("current");
      assertThat(current.get("reference").asText()).isEqualTo("Plan de Desarrollo 2024-2027");
      assertThat(current.get("administration").get("computers").asInt()).isEqualTo(12);
      assertThat(current.get("setBy").asText()).isEqualTo("planeacion");
      checkPage(page, "es-CO", "Indicadores del plan · Enlace");
      screenshot(page, "pages-indicators");

      for (String[] p :
          new String[][] {
            {"/web/indicators/baseline", "pages-baseline"},
            {"/web/indicators/declared", "pages-declared"},
            {"/web/establishments", "pages-establishments"},
            {"/web/establishments/biblioteca", "pages-establishment"},
            {"/web/computers", "pages-computers"},
            {"/web/computers/" + agent.computerId(), "pages-computer"},
            {"/web/outages", "pages-outages"}
          }) {
        open(page, p[0]);
        checkPage(page, "es-CO", null);
        checkKeyboard(page);
        screenshot(page, p[1]);
      }
      assertThat(text(page, "tbody th")).isEqualTo("Establecimiento biblioteca");

      // English on request.
      open(page, "/web/indicators?lang=en");
      checkPage(page, "en", "The plan's indicators · Enlace");
      screenshot(page, "pages-indicators-en");

      // The administration cannot reach IT's forms.
      open(page, "/web/establishments/new");
      checkPage(page, "es-CO", "No permitido · Enlace");
      assertThat(text(page, "h1")).isEqualTo("No permitido");
      screenshot(page, "pages-forbidden");

      // IT issues an enrollment token in the same browser.
      String itPage = signedIn("admin", APP.adminPassword());
      open(itPage, "/web/establishments/biblioteca");
      checkKeyboard(itPage);
      pressEnterOn(itPage, "issue-token");
      awaitLoaded(itPage, "Código de inscripción: Establecimiento biblioteca · Enlace");
      assertThat(text(itPage, "#token-value")).startsWith("enl_");
      checkPage(itPage, "es-CO", null);
      screenshot(itPage, "pages-token");
      open(itPage, "/web/establishments/new");
      checkPage(itPage, "es-CO", "Nuevo establecimiento · Enlace");
      checkKeyboard(itPage);
      screenshot(itPage, "pages-establishment-new");
    }
  }

  private String signedIn(String user, String password) throws Exception {
    String page = browser.newPage();
    browser.send(page, "Page.enable", null);
    browser.send(page, "Network.enable", null);
    ObjectNode headers = HeadlessChromium.params();
    // A browser set to Spanish, as a town hall's is; the pages follow Accept-Language.
    headers
        .putObject("headers")
        .put("Authorization", Api.basic(user, password))
        .put("Accept-Language", "es-CO,es;q=0.9");
    browser.send(page, "Network.setExtraHTTPHeaders", headers);
    browser.send(
        page,
        "Emulation.setDeviceMetricsOverride",
        HeadlessChromium.params()
            .put("width", 1100)
            .put("height", 1400)
            .put("deviceScaleFactor", 1)
            .put("mobile", false));
    return page;
  }

  private void open(String page, String path) throws Exception {
    browser.eval(page, "document.title = 'loading'");
    browser.send(page, "Page.navigate", HeadlessChromium.params().put("url", APP.base() + path));
    awaitLoaded(page, null);
  }

  private void awaitLoaded(String page, String title) throws Exception {
    HeadlessChromium.await(
        "the page " + (title == null ? "" : title),
        WAIT,
        () -> {
          try {
            return browser
                .eval(
                    page,
                    "document.readyState === 'complete' && document.title !== 'loading'"
                        + (title == null
                            ? ""
                            : " && document.title === " + Api.JSON.writeValueAsString(title)))
                .asBoolean();
          } catch (Exception e) {
            return false;
          }
        });
  }

  /** Language, title, one h1, and a visible label for every control. */
  private void checkPage(String page, String lang, String title) throws Exception {
    assertThat(browser.eval(page, "document.documentElement.lang").asText()).isEqualTo(lang);
    String actual = browser.eval(page, "document.title").asText();
    assertThat(actual).endsWith(" · Enlace").hasSizeGreaterThan(" · Enlace".length() + 2);
    if (title != null) {
      assertThat(actual).isEqualTo(title);
    }
    assertThat(browser.eval(page, "document.querySelectorAll('h1').length").asInt()).isEqualTo(1);
    JsonNode unlabelled =
        browser.eval(
            page,
            "Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))"
                + ".filter(e => !e.id || !document.querySelector('label[for=\"' + e.id + '\"]')"
                + " || !document.querySelector('label[for=\"' + e.id + '\"]').textContent.trim())"
                + ".map(e => e.name)");
    assertThat(unlabelled).as("controls without a label").isEmpty();
  }

  /**
   * Tab from the top reaches every link, field and button in document order, each with a visible
   * outline.
   */
  private void checkKeyboard(String page) throws Exception {
    browser.eval(
        page, "document.activeElement && document.activeElement.blur(), window.focus(), true");
    int count =
        browser
            .eval(
                page,
                "document.querySelectorAll('a[href], input:not([type=hidden]), select, button').length")
            .asInt();
    List<Integer> order = new ArrayList<>();
    List<String> unfocusedOutline = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      key(page, "Tab", 9, "");
      JsonNode state =
          browser.eval(
              page,
              "(() => { const all = Array.from(document.querySelectorAll('a[href],"
                  + " input:not([type=hidden]), select, button'));"
                  + " const e = document.activeElement; const s = getComputedStyle(e);"
                  + " return {index: all.indexOf(e), outline: s.outlineStyle + ' '"
                  + " + s.outlineWidth, name: e.id || e.textContent.trim()}; })()");
      order.add(state.get("index").asInt());
      if (state.get("outline").asText().startsWith("none")
          || state.get("outline").asText().endsWith(" 0px")) {
        unfocusedOutline.add(state.get("name").asText());
      }
    }
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      expected.add(i);
    }
    assertThat(order).as("Tab order").isEqualTo(expected);
    assertThat(unfocusedOutline).as("controls without a visible focus").isEmpty();
  }

  private void key(String page, String key, int code, String text) throws Exception {
    for (String type : new String[] {"keyDown", "keyUp"}) {
      ObjectNode p =
          HeadlessChromium.params()
              .put("type", type)
              .put("key", key)
              .put("code", key)
              .put("windowsVirtualKeyCode", code)
              .put("nativeVirtualKeyCode", code);
      if (type.equals("keyDown") && !text.isEmpty()) {
        p.put("text", text);
      }
      browser.send(page, "Input.dispatchKeyEvent", p);
    }
  }

  /** Focuses a field and types into it as a keyboard does. */
  private void type(String page, String id, String text) throws Exception {
    browser.eval(page, "document.getElementById('" + id + "').focus(), true");
    browser.send(page, "Input.insertText", HeadlessChromium.params().put("text", text));
  }

  private void clear(String page, String id) throws Exception {
    browser.eval(
        page, "(() => { document.getElementById('" + id + "').value = ''; return true; })()");
  }

  private void pressEnterOn(String page, String id) throws Exception {
    browser.eval(
        page, "document.title = 'loading', document.getElementById('" + id + "').focus(), true");
    key(page, "Enter", 13, "\r");
  }

  private String text(String page, String selector) throws Exception {
    return browser
        .eval(
            page,
            "document.querySelector("
                + Api.JSON.writeValueAsString(selector)
                + ").textContent.trim()")
        .asText();
  }

  private String value(String page, String id) throws Exception {
    return browser.eval(page, "document.getElementById('" + id + "').value").asText();
  }

  private void screenshot(String page, String name) throws Exception {
    byte[] png =
        HeadlessChromium.base64(
            browser
                .send(
                    page,
                    "Page.captureScreenshot",
                    HeadlessChromium.params()
                        .put("format", "png")
                        .put("captureBeyondViewport", true))
                .get("data"));
    Files.write(work.resolve(name + ".png"), png);
    assertThat(png.length).isGreaterThan(5000);
  }
}
