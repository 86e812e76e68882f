package org.enlace.server.web.pages;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.app.cli.CommandRunner;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The indicator pages over HTTP against the real server: the baseline and declaration forms refuse
 * what the API refuses, in the page's language, keeping the values; a POST without the CSRF token,
 * with a wrong one, or from another site is a 403 page and changes nothing.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class IndicatorPagesTest {
  static final TestApp APP = TestApp.create();
  static final DropwizardAppExtension<EnlaceConfiguration> EXT = APP.extension();
  static final String PASSWORD = "planeacion-clave-123";

  static PageClient administration;

  @BeforeAll
  static void users() throws Exception {
    new CommandRunner(APP)
        .run(
            new ByteArrayInputStream((PASSWORD + "\n").getBytes(StandardCharsets.UTF_8)),
            "user",
            "add",
            "planeacion",
            "--role",
            "administration",
            "--password-stdin");
    administration = new PageClient(APP.base(), "planeacion", PASSWORD);
  }

  private static Map<String, String> baseline(String csrf, String adminComputers) {
    return PageClient.form(
        "csrf",
        csrf,
        "reference",
        "Plan de Desarrollo 2024-2027 <diagnóstico>",
        "administration.computers",
        adminComputers,
        "administration.establishments",
        "3",
        "citizens.computers",
        "20",
        "citizens.establishments",
        "4",
        "targetIncreasePct",
        "100",
        "note",
        "");
  }

  private static long baselines() {
    return APP.count("SELECT count(*) FROM indicator_baselines");
  }

  @Test
  void pagesRenderInSpanishWithTheirHeaders() throws Exception {
    PageClient.Page p = administration.get("/web/indicators");
    assertThat(p.status()).as(p.html()).isEqualTo(200);
    assertThat(p.html()).contains("<html lang=\"es-CO\">").contains("Indicadores del plan");
    assertThat(p.header("Content-Language")).isEqualTo("es-CO");
    assertThat(p.header("Content-Security-Policy"))
        .contains("frame-ancestors 'none'")
        .contains("form-action 'self'")
        .doesNotContain("script-src")
        .doesNotContain("unsafe-inline");
    assertThat(p.raw().headers().allValues("Referrer-Policy")).containsExactly("same-origin");
    assertThat(p.header("X-Frame-Options")).isEqualTo("DENY");

    PageClient.Page en = administration.get("/web/indicators/baseline?lang=en");
    assertThat(en.html()).contains("<html lang=\"en\">").contains("Baseline and target");
    assertThat(en.header("Content-Language")).isEqualTo("en");
  }

  @Test
  void aBaselineFormWithoutAGoodTokenChangesNothing() throws Exception {
    long before = baselines();
    String csrf = administration.get("/web/indicators/baseline").csrf();

    PageClient.Page none = administration.post("/web/indicators/baseline", baseline("", "12"));
    assertThat(none.status()).isEqualTo(403);
    assertThat(none.html()).contains("El formulario fue rechazado y no se guardó nada");

    PageClient.Page wrong =
        administration.post("/web/indicators/baseline", baseline(csrf + "x", "12"));
    assertThat(wrong.status()).isEqualTo(403);

    PageClient.Page elsewhere =
        administration.post(
            "/web/indicators/baseline", baseline(csrf, "12"), "https://otro-sitio.example");
    assertThat(elsewhere.status()).isEqualTo(403);

    // Another user's token is not this user's.
    String itToken =
        new PageClient(APP.base(), "admin", APP.adminPassword())
            .get("/web/indicators/baseline")
            .csrf();
    assertThat(itToken).isNotEqualTo(csrf);
    assertThat(administration.post("/web/indicators/baseline", baseline(itToken, "12")).status())
        .isEqualTo(403);

    assertThat(baselines()).isEqualTo(before);
  }

  @Test
  void invalidValuesComeBackNextToTheirFieldsWithTheValuesKept() throws Exception {
    long before = baselines();
    String csrf = administration.get("/web/indicators/baseline").csrf();
    PageClient.Page p = administration.post("/web/indicators/baseline", baseline(csrf, "-5"));
    assertThat(p.status()).isEqualTo(400);
    assertThat(p.html())
        .contains("<title>Error: Línea base y meta · Enlace</title>")
        .contains("id=\"f-administration-computers-error\">debe ser mayor o igual a 0</p>")
        .contains("value=\"-5\"")
        .contains("value=\"Plan de Desarrollo 2024-2027 &lt;diagnóstico&gt;\"")
        .contains("aria-invalid=\"true\"");
    // The same rule in English is the API's own message.
    PageClient.Page en =
        administration.post("/web/indicators/baseline?lang=en", baseline(csrf, "-5"));
    assertThat(en.html()).contains(">must be greater than or equal to 0</p>");
    Api.Response api =
        APP.it()
            .post(
                "/api/v1/indicators/baseline",
                Api.object()
                    .put("reference", "x")
                    .set(
                        "administration",
                        Api.object().put("computers", -5).put("establishments", 3)));
    assertThat(api.status()).isEqualTo(422);
    assertThat(api.body().toString()).contains("must be greater than or equal to 0");

    PageClient.Page month =
        administration.post(
            "/web/indicators/declared",
            PageClient.form(
                "csrf",
                csrf,
                "sector",
                "citizens",
                "description",
                "Café internet",
                "establishments",
                "1",
                "computers",
                "6",
                "validFrom",
                "2026/01",
                "validTo",
                "",
                "source",
                "Encuesta"));
    assertThat(month.status()).isEqualTo(400);
    assertThat(month.html())
        .contains("debe ser un mes en la forma AAAA-MM, por ejemplo 2026-01")
        .contains("value=\"Café internet\"");
    assertThat(baselines()).isEqualTo(before);
  }

  @Test
  void aDeclarationSavedThroughThePageIsTheApis() throws Exception {
    String csrf = administration.get("/web/indicators/declared").csrf();
    PageClient.Page p =
        administration.post(
            "/web/indicators/declared",
            PageClient.form(
                "csrf",
                csrf,
                "sector",
                "citizens",
                "description",
                "Colegio La Esperanza",
                "establishments",
                "1",
                "computers",
                "12",
                "validFrom",
                "2026-01",
                "validTo",
                "",
                "source",
                "Encuesta de la Secretaría de Educación"));
    assertThat(p.status()).as(p.html()).isEqualTo(303);
    assertThat(p.header("Location")).endsWith("/web/indicators/declared?saved=1&lang=es");
    Api.Response list = APP.it().get("/api/v1/indicators/declared");
    assertThat(list.body().toString())
        .contains("Colegio La Esperanza")
        .contains("\"declaredBy\":\"planeacion\"");
    assertThat(administration.get("/web/indicators/declared?saved=1").html())
        .contains("Se guardó la cifra declarada.")
        .contains("Colegio La Esperanza");
  }
}
