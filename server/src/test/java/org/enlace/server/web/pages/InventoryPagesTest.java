package org.enlace.server.web.pages;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.app.cli.CommandRunner;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The inventory pages over HTTP against the real server: IT creates and edits an establishment and
 * a link, issues an enrollment token that a computer then enrolls with, and decommissions it; the
 * administration browses the same pages but gets a 403 page from every IT form, GET or POST, and
 * changes nothing.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class InventoryPagesTest {
  static final TestApp APP = TestApp.create();
  static final DropwizardAppExtension<EnlaceConfiguration> EXT = APP.extension();
  static final String PASSWORD = "planeacion-clave-123";

  static PageClient it;
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
    it = new PageClient(APP.base(), "admin", APP.adminPassword());
  }

  @Test
  void itKeepsTheInventoryAndTheAdministrationBrowsesIt() throws Exception {
    String csrf = it.get("/web/establishments/new").csrf();
    PageClient.Page bad =
        it.post(
            "/web/establishments/new",
            PageClient.form(
                "csrf",
                csrf,
                "code",
                "mal código",
                "name",
                "Biblioteca <Central>",
                "kind",
                "library",
                "sector",
                "citizens",
                "address",
                "",
                "officialCode",
                "",
                "coordinates.latitude",
                "0,93",
                "coordinates.longitude",
                ""));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.html())
        .contains("debe tener de 1 a 64 letras sin tilde")
        .contains("id=\"f-coordinates-longitude-error\">es obligatorio</p>")
        .contains("value=\"Biblioteca &lt;Central&gt;\"");

    PageClient.Page created =
        it.post(
            "/web/establishments/new",
            PageClient.form(
                "csrf",
                csrf,
                "code",
                "biblioteca",
                "name",
                "Biblioteca <Central>",
                "kind",
                "library",
                "sector",
                "citizens",
                "address",
                "Calle 5 # 4-20",
                "officialCode",
                "",
                "coordinates.latitude",
                "0,9319",
                "coordinates.longitude",
                "-77,5486"));
    assertThat(created.status()).as(created.html()).isEqualTo(303);
    Api.Response api = APP.it().get("/api/v1/establishments/biblioteca");
    assertThat(api.body().get("name").asText()).isEqualTo("Biblioteca <Central>");
    assertThat(api.body().get("coordinates").get("latitude").asDouble()).isEqualTo(0.9319);

    assertThat(
            it.post(
                    "/web/establishments/biblioteca/edit",
                    PageClient.form(
                        "csrf",
                        csrf,
                        "name",
                        "Biblioteca Municipal",
                        "kind",
                        "library",
                        "sector",
                        "citizens",
                        "address",
                        "Calle 5 # 4-20",
                        "officialCode",
                        "",
                        "coordinates.latitude",
                        "",
                        "coordinates.longitude",
                        ""))
                .status())
        .isEqualTo(303);
    assertThat(APP.it().get("/api/v1/establishments/biblioteca").body().get("name").asText())
        .isEqualTo("Biblioteca Municipal");

    PageClient.Page link =
        it.post(
            "/web/establishments/biblioteca/links/new",
            PageClient.form(
                "csrf",
                csrf,
                "ispName",
                "Proveedor Regional",
                "technology",
                "radio",
                "contractedDownMbps",
                "20",
                "contractedUpMbps",
                "5,5",
                "monthlyCost",
                "450000",
                "currency",
                "COP",
                "contractStart",
                "2026-01-01",
                "contractEnd",
                "2025-12-31"));
    assertThat(link.status()).isEqualTo(400);
    assertThat(link.html()).contains("el fin del contrato no puede ser anterior a su inicio");
    link =
        it.post(
            "/web/establishments/biblioteca/links/new",
            PageClient.form(
                "csrf",
                csrf,
                "ispName",
                "Proveedor Regional",
                "technology",
                "radio",
                "contractedDownMbps",
                "20",
                "contractedUpMbps",
                "5,5",
                "monthlyCost",
                "450000",
                "currency",
                "COP",
                "contractStart",
                "2026-01-01",
                "contractEnd",
                "2026-12-31"));
    assertThat(link.status()).as(link.html()).isEqualTo(303);
    Api.Response links = APP.it().get("/api/v1/establishments/biblioteca/links");
    assertThat(links.body().get(0).get("contractedUpMbps").decimalValue())
        .isEqualByComparingTo("5.5");
    // A second link with no contract dates reads so, not as "… – …".
    assertThat(
            it.post(
                    "/web/establishments/biblioteca/links/new",
                    PageClient.form(
                        "csrf",
                        csrf,
                        "ispName",
                        "Satélite Andino",
                        "contractedDownMbps",
                        "4",
                        "contractedUpMbps",
                        "1"))
                .status())
        .isEqualTo(303);
    assertThat(it.get("/web/establishments/biblioteca").html())
        .contains("sin fechas registradas")
        .doesNotContain("…");

    // The token is shown once, and a computer enrolls with it.
    PageClient.Page token =
        it.post(
            "/web/establishments/biblioteca/tokens",
            PageClient.form("csrf", csrf, "expiresInHours", "24", "maxUses", "1"));
    assertThat(token.status()).isEqualTo(201);
    assertThat(token.header("Cache-Control")).isEqualTo("no-store");
    Matcher m = Pattern.compile("id=\"token-value\">(enl_[A-Za-z0-9_-]+)<").matcher(token.html());
    assertThat(m.find()).as(token.html()).isTrue();
    TestApp.Agent agent = APP.enroll(m.group(1), "machine-1", "bib-pc-01", "kiosk");
    assertThat(it.get("/web/establishments/biblioteca").html())
        .doesNotContain(m.group(1))
        .contains("bib-pc-01");

    // The administration reads every page, and no IT form.
    for (String page :
        new String[] {
          "/web/establishments",
          "/web/establishments/biblioteca",
          "/web/computers",
          "/web/computers/" + agent.computerId(),
          "/web/outages",
          "/web/indicators"
        }) {
      PageClient.Page p = administration.get(page);
      assertThat(p.status()).as(page).isEqualTo(200);
      assertThat(p.html())
          .as(page)
          .doesNotContain("id=\"token-form\"")
          .doesNotContain("id=\"decommission-form\"")
          .doesNotContain("id=\"new-establishment\"");
    }
    String adminCsrf = administration.get("/web/indicators/baseline").csrf();
    for (String page :
        new String[] {
          "/web/establishments/new",
          "/web/establishments/biblioteca/edit",
          "/web/establishments/biblioteca/links/new"
        }) {
      PageClient.Page p = administration.get(page);
      assertThat(p.status()).as(page).isEqualTo(403);
      assertThat(p.html()).contains("Esta página es solo para el personal de sistemas");
    }
    assertThat(
            administration
                .post(
                    "/web/establishments/biblioteca/tokens",
                    PageClient.form("csrf", adminCsrf, "expiresInHours", "24", "maxUses", "1"))
                .status())
        .isEqualTo(403);
    assertThat(
            administration
                .post(
                    "/web/computers/" + agent.computerId() + "/decommission",
                    PageClient.form("csrf", adminCsrf))
                .status())
        .isEqualTo(403);
    assertThat(APP.count("SELECT count(*) FROM enrollment_tokens")).isEqualTo(1);

    // IT decommissions it; a forged request first changes nothing.
    assertThat(
            it.post(
                    "/web/computers/" + agent.computerId() + "/decommission",
                    PageClient.form("csrf", "forged"))
                .status())
        .isEqualTo(403);
    assertThat(APP.it().get("/api/v1/computers/" + agent.computerId()).body().get("state").asText())
        .isEqualTo("active");
    assertThat(
            it.post(
                    "/web/computers/" + agent.computerId() + "/decommission",
                    PageClient.form("csrf", csrf))
                .status())
        .isEqualTo(303);
    assertThat(APP.it().get("/api/v1/computers/" + agent.computerId()).body().get("state").asText())
        .isEqualTo("decommissioned");
    assertThat(it.get("/web/computers/" + agent.computerId()).html()).contains("dado de baja");
  }

  @Test
  void itRevokesATokenOnThePageAndTheAdministrationCannot() throws Exception {
    APP.establishment("tok-kiosco", "citizens");
    String csrf = it.get("/web/establishments/tok-kiosco").csrf();
    PageClient.Page issued =
        it.post(
            "/web/establishments/tok-kiosco/tokens",
            PageClient.form("csrf", csrf, "expiresInHours", "24", "maxUses", "2"));
    assertThat(issued.status()).isEqualTo(201);
    Matcher m = Pattern.compile("id=\"token-value\">(enl_[A-Za-z0-9_-]+)<").matcher(issued.html());
    assertThat(m.find()).isTrue();
    String token = m.group(1);
    String prefix = token.substring(0, 10);
    long id =
        APP.it()
            .get("/api/v1/establishments/tok-kiosco/enrollment-tokens")
            .body()
            .get(0)
            .get("id")
            .asLong();
    String revokePath = "/web/establishments/tok-kiosco/tokens/" + id + "/revoke";

    assertThat(it.get("/web/establishments/tok-kiosco").html())
        .contains("id=\"tokens-link\" href=\"/web/establishments/tok-kiosco/tokens?lang&#61;es\"");
    PageClient.Page list = it.get("/web/establishments/tok-kiosco/tokens");
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.html())
        .contains(prefix + "…")
        .doesNotContain(token)
        .contains("Vigente")
        .contains("0 de 2")
        .contains("id=\"revoke-" + id + "\"")
        .contains("aria-label=\"Revocar el código " + prefix + "…\"");
    assertThat(it.get("/web/establishments/tok-kiosco/tokens?lang=en").html())
        .contains("aria-label=\"Revoke code " + prefix + "…\"")
        .contains(">Valid<");

    // The administration: no list, no button, and its POST changes nothing (as the API: IT only).
    PageClient.Page adminList = administration.get("/web/establishments/tok-kiosco/tokens");
    assertThat(adminList.status()).isEqualTo(403);
    assertThat(adminList.html()).doesNotContain("revoke-").doesNotContain(prefix);
    assertThat(administration.get("/web/establishments/tok-kiosco").html())
        .doesNotContain("tokens-link");
    String adminCsrf = administration.get("/web/indicators/baseline").csrf();
    assertThat(administration.post(revokePath, PageClient.form("csrf", adminCsrf)).status())
        .isEqualTo(403);
    // The same rule as the API's revoke endpoint.
    String apiPath = "/api/v1/establishments/tok-kiosco/enrollment-tokens/" + id;
    assertThat(APP.it().as("planeacion", PASSWORD).delete(apiPath).status()).isEqualTo(403);
    assertThat(it.post(revokePath, PageClient.form("csrf", "forged")).status()).isEqualTo(403);
    assertThat(revokedAt()).isEmpty();

    PageClient.Page revoked = it.post(revokePath, PageClient.form("csrf", csrf));
    assertThat(revoked.status()).isEqualTo(303);
    assertThat(revoked.header("Location"))
        .endsWith("/web/establishments/tok-kiosco/tokens?revoked=" + id + "&lang=es");
    assertThat(revokedAt()).isNotEmpty();
    PageClient.Page after = it.get("/web/establishments/tok-kiosco/tokens?revoked=" + id);
    assertThat(after.html())
        .contains("Se revocó el código " + prefix + "…")
        .contains("Revocado el")
        .doesNotContain("id=\"revoke-" + id + "\"");
    Api.Response enroll =
        APP.anonymous()
            .post("/api/v1/enroll", TestApp.enrollBody(token, "machine-tok", "kio-01", "kiosk"));
    assertThat(enroll.status()).isNotEqualTo(201);
    // Again (revoked already): nothing changes, as the API answers 204. An unknown token: 404.
    assertThat(it.post(revokePath, PageClient.form("csrf", csrf)).status()).isEqualTo(303);
    assertThat(
            it.post(
                    "/web/establishments/tok-kiosco/tokens/999999/revoke",
                    PageClient.form("csrf", csrf))
                .status())
        .isEqualTo(404);
  }

  @Test
  void aUsedUpTokenShowsItsStateAndNoRevokeButton() throws Exception {
    APP.establishment("tok-agotado", "citizens");
    String csrf = it.get("/web/establishments/tok-agotado").csrf();
    PageClient.Page issued =
        it.post(
            "/web/establishments/tok-agotado/tokens",
            PageClient.form("csrf", csrf, "expiresInHours", "24", "maxUses", "1"));
    Matcher m = Pattern.compile("id=\"token-value\">(enl_[A-Za-z0-9_-]+)<").matcher(issued.html());
    assertThat(m.find()).isTrue();
    Api.Response enroll =
        APP.anonymous()
            .post(
                "/api/v1/enroll",
                TestApp.enrollBody(m.group(1), "machine-agotado", "kio-09", "kiosk"));
    assertThat(enroll.status()).isEqualTo(201);
    String html = it.get("/web/establishments/tok-agotado/tokens").html();
    assertThat(html).contains("Agotado").doesNotContain("id=\"revoke-");
  }

  private static String revokedAt() {
    return APP.it()
        .get("/api/v1/establishments/tok-kiosco/enrollment-tokens")
        .body()
        .get(0)
        .path("revokedAt")
        .asText();
  }

  private static java.util.Map<String, String> withHours(String csrf, String... dayHours) {
    java.util.Map<String, String> f =
        new java.util.LinkedHashMap<>(
            PageClient.form(
                "csrf",
                csrf,
                "code",
                "horario",
                "name",
                "Punto Vive Digital",
                "kind",
                "public_access_point",
                "sector",
                "citizens",
                "address",
                "",
                "officialCode",
                "",
                "coordinates.latitude",
                "",
                "coordinates.longitude",
                ""));
    for (int i = 0; i < dayHours.length; i += 2) {
      f.put("hours." + dayHours[i], dayHours[i + 1]);
    }
    return f;
  }

  @Test
  void itSetsOpeningHoursOnTheFormWithTheApisRules() throws Exception {
    String csrf = it.get("/web/establishments/new").csrf();
    PageClient.Page form = it.get("/web/establishments/new");
    assertThat(form.html())
        .contains("<legend>Horario de atención</legend>")
        .contains("<label for=\"f-hours-monday\">lunes</label>")
        .contains("<label for=\"f-hours-sunday\">domingo</label>");

    PageClient.Page bad =
        it.post(
            "/web/establishments/new",
            withHours(
                csrf,
                "monday",
                "8:00-12:00, 14:00-18:00",
                "tuesday",
                "18:00-08:00",
                "wednesday",
                "por la mañana",
                "thursday",
                "08:00-12:00, 11:00-13:00"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.html())
        .contains(
            "id=\"f-hours-tuesday-error\">la apertura 18:00 debe ser anterior al cierre 08:00</p>")
        .contains(
            "id=\"f-hours-wednesday-error\">escriba los horarios como 08:00-12:00, 14:00-18:00</p>")
        .contains("id=\"f-hours-thursday-error\">los horarios del día se cruzan</p>")
        .contains("href=\"#f-hours-tuesday\"")
        .contains("value=\"por la mañana\"")
        .contains("value=\"8:00-12:00, 14:00-18:00\"");
    assertThat(APP.it().get("/api/v1/establishments/horario").status()).isEqualTo(404);
    // In English, the API's own words; the API refuses the same hours.
    assertThat(
            it.post("/web/establishments/new?lang=en", withHours(csrf, "tuesday", "18:00-08:00"))
                .html())
        .contains("id=\"f-hours-tuesday-error\">open 18:00 is not before close 08:00</p>");
    Api.Response api =
        APP.it()
            .post(
                "/api/v1/establishments",
                Api.object()
                    .put("code", "horario-api")
                    .put("name", "x")
                    .put("kind", "public_access_point")
                    .put("sector", "citizens")
                    .set(
                        "openingHours",
                        Api.object()
                            .set(
                                "tuesday",
                                Api.JSON
                                    .createArrayNode()
                                    .add(
                                        Api.object().put("open", "18:00").put("close", "08:00")))));
    assertThat(api.status()).isBetween(400, 422);
    assertThat(api.body().toString()).contains("open 18:00 is not before close 08:00");

    PageClient.Page ok =
        it.post(
            "/web/establishments/new",
            withHours(csrf, "monday", "8:00-12:00, 14:00-18:00", "saturday", "09:00–12:00"));
    assertThat(ok.status()).as(ok.html()).isEqualTo(303);
    com.fasterxml.jackson.databind.JsonNode hours =
        APP.it().get("/api/v1/establishments/horario").body().get("openingHours");
    assertThat(hours.get("monday").toString())
        .isEqualTo(
            "[{\"open\":\"08:00\",\"close\":\"12:00\"},{\"open\":\"14:00\",\"close\":\"18:00\"}]");
    assertThat(hours.get("saturday").get(0).get("close").asText()).isEqualTo("12:00");
    assertThat(hours.has("sunday")).isFalse();
    assertThat(it.get("/web/establishments/horario/edit").html())
        .contains("value=\"08:00-12:00, 14:00-18:00\"")
        .contains("value=\"09:00-12:00\"");
    // Every day emptied: open all day, every day.
    assertThat(
            it.post(
                    "/web/establishments/horario/edit",
                    withHours(csrf, "monday", "", "saturday", ""))
                .status())
        .isEqualTo(303);
    assertThat(APP.it().get("/api/v1/establishments/horario").body().get("openingHours").size())
        .isZero();
  }
}
