package org.enlace.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.app.cli.CommandRunner;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Safe defaults on the real server (issue 17): browser headers on every HTML page, a declared body
 * over the limit refused 413 before authentication on every endpoint, and NUL refused 400 with a
 * JSON error naming the field on every endpoint that writes what people and agents send.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class SafeDefaultsApiTest {
  static final TestApp APP = TestApp.create();
  static final DropwizardAppExtension<EnlaceConfiguration> EXT = APP.extension();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static long linkId;
  static long deviceId;

  @BeforeAll
  static void setUp() throws Exception {
    new CommandRunner(APP)
        .run(
            new ByteArrayInputStream("lectura-secreta-123\n".getBytes(StandardCharsets.UTF_8)),
            "user",
            "add",
            "tesoreria",
            "--role",
            "administration",
            "--password-stdin");
    APP.establishment("alcaldia", "administration");
    Api.Response link = APP.it().post("/api/v1/establishments/alcaldia/links", link("ISP"));
    assertThat(link.status()).as(link.toString()).isEqualTo(201);
    linkId = link.body().get("id").asLong();
    Api.Response device =
        APP.it().post("/api/v1/establishments/alcaldia/devices", device("Router", "publica"));
    assertThat(device.status()).as(device.toString()).isEqualTo(201);
    deviceId = device.body().get("id").asLong();
  }

  static ObjectNode link(String isp) {
    return Api.object()
        .put("ispName", isp)
        .put("contractedDownMbps", 10)
        .put("contractedUpMbps", 2);
  }

  static ObjectNode device(String name, String community) {
    ObjectNode body = Api.object().put("name", name).put("address", "192.0.2.1");
    body.putObject("snmp").put("version", "v2c").put("community", community);
    body.putArray("interfaces")
        .addObject()
        .put("linkId", linkId)
        .put("ifName", "pppoe-out1")
        .put("ifIndex", 7);
    return body;
  }

  static ObjectNode establishment(String code, String name) {
    return Api.object()
        .put("code", code)
        .put("name", name)
        .put("kind", "town_hall")
        .put("sector", "administration");
  }

  // --- HTML pages -------------------------------------------------------------------------------

  private static HttpResponse<String> get(String url, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void everyHtmlPageForbidsFramingSniffingReferrersAndForeignContent() throws Exception {
    String admin = Api.basic("admin", APP.adminPassword());
    List<String> html = new ArrayList<>();
    for (String url :
        List.of(
            APP.base() + "/reports",
            APP.base() + "/reports?lang=en",
            APP.base() + "/api/v1/evidence?period=2026-03",
            APP.base() + "/api/v1/evidence?period=2026-03&format=html&lang=en&paper=letter",
            APP.base() + "/api/v1/evidence?period=2026-03&establishment=alcaldia&format=html",
            APP.base() + "/no-such-page",
            APP.adminBase() + "/",
            APP.adminBase() + "/no-such-page",
            APP.adminBase() + "/healthcheck",
            APP.adminBase() + "/metrics")) {
      HttpResponse<String> r = get(url, admin);
      String type = r.headers().firstValue("Content-Type").orElse("");
      assertThat(r.headers().firstValue("X-Frame-Options")).as(url).contains("DENY");
      assertThat(r.headers().firstValue("X-Content-Type-Options")).as(url).contains("nosniff");
      assertThat(r.headers().firstValue("Referrer-Policy")).as(url).contains("no-referrer");
      if (type.startsWith("text/html")) {
        html.add(url);
        List<String> csp = r.headers().allValues("Content-Security-Policy");
        assertThat(csp).as(url).hasSize(1);
        assertThat(csp.get(0))
            .as(url)
            .startsWith("default-src 'none'")
            .contains("frame-ancestors 'none'", "base-uri 'none'")
            .doesNotContain("unsafe-inline", "unsafe-eval", "*");
      }
    }
    // The pages people use are HTML, and were checked.
    assertThat(html)
        .contains(
            APP.base() + "/reports",
            APP.base() + "/api/v1/evidence?period=2026-03",
            APP.adminBase() + "/");
  }

  @Test
  void pagesAllowExactlyTheirOwnInlineStyleAndScript() throws Exception {
    String admin = Api.basic("admin", APP.adminPassword());
    HttpResponse<String> page = get(APP.base() + "/reports", admin);
    String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(csp)
        .isEqualTo(SecurityHeadersFilter.policyFor(page.body()))
        .containsPattern("script-src 'sha256-[A-Za-z0-9+/=]{44}'")
        .containsPattern("style-src 'sha256-[A-Za-z0-9+/=]{44}'")
        .contains("connect-src 'self'", "form-action 'self'");
    HttpResponse<String> report = get(APP.base() + "/api/v1/evidence?period=2026-03", admin);
    String reportCsp = report.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertThat(reportCsp)
        .isEqualTo(SecurityHeadersFilter.policyFor(report.body()))
        .containsPattern("style-src 'sha256-")
        .doesNotContain("script-src");
    // Anything else (the JSON API, downloads, error pages) gets the strictest policy.
    for (String url :
        List.of(
            APP.base() + "/api/v1/establishments",
            APP.base() + "/api/v1/evidence?period=2026-03&format=csv",
            APP.base() + "/no-such-page",
            APP.adminBase() + "/")) {
      HttpResponse<String> r = get(url, admin);
      assertThat(r.headers().allValues("Content-Security-Policy"))
          .as(url)
          .containsExactly(SecurityHeadersFilter.DEFAULT_POLICY);
    }
  }

  // --- Declared body over the limit: 413 before authentication ----------------------------------

  /** The status line of a request that declares a body of {@code length} bytes and sends none. */
  private static String declaring(String method, String path, long length, String auth)
      throws IOException {
    try (Socket s = new Socket(java.net.InetAddress.getLoopbackAddress(), EXT.getLocalPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      String request =
          method
              + " "
              + path
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
              + (auth == null ? "" : "Authorization: " + auth + "\r\n")
              + "Content-Length: "
              + length
              + "\r\n\r\n";
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] head = new byte[4096];
      int n = 0;
      int r;
      while (n < head.length && (r = in.read(head, n, head.length - n)) > 0) {
        n += r;
        if (new String(head, 0, n, StandardCharsets.ISO_8859_1).contains("\r\n")) {
          break;
        }
      }
      String text = new String(head, 0, n, StandardCharsets.ISO_8859_1);
      return text.contains("\r\n") ? text.substring(0, text.indexOf("\r\n")) : text;
    }
  }

  @Test
  void aDeclaredBodyOverTheLimitIs413BeforeAuthenticationEverywhere() throws Exception {
    long huge = 20L * 1024 * 1024; // over the limit, and over what is drained before answering
    String wrong = Api.basic("admin", "not-the-password");
    String unknownAgent = Api.basic("00000000-0000-0000-0000-000000000000", "secret");
    List<String> endpoints =
        List.of(
            "POST /api/v1/reports",
            "POST /api/v1/enroll",
            "POST /api/v1/speedtest/slot",
            "POST /api/v1/establishments",
            "PUT /api/v1/establishments/alcaldia",
            "POST /api/v1/establishments/alcaldia/links",
            "PUT /api/v1/links/" + linkId,
            "POST /api/v1/establishments/alcaldia/devices",
            "PUT /api/v1/devices/" + deviceId,
            "POST /api/v1/establishments/alcaldia/enrollment-tokens",
            "POST /api/v1/indicators/baseline",
            "POST /api/v1/indicators/declared",
            "POST /api/v1/computers/1/decommission",
            "POST /no-such-endpoint");
    for (String e : endpoints) {
      String[] m = {e.substring(0, e.indexOf(' ')), e.substring(e.indexOf(' ') + 1)};
      for (String auth : new String[] {null, wrong, unknownAgent}) {
        assertThat(declaring(m[0], m[1], huge, auth))
            .as(e + " with " + auth)
            .startsWith("HTTP/1.1 413");
      }
    }
    // A body that is sent, just over the limit, gets the JSON error too (drained first).
    byte[] body = new byte[1024 * 1024 + 1];
    for (String path : List.of("/api/v1/reports", "/api/v1/enroll", "/api/v1/establishments")) {
      Api.Response r = APP.anonymous().postBytes(path, body);
      assertThat(r.status()).as(path).isEqualTo(413);
      assertThat(r.body().get("error").asText()).as(path).isEqualTo("body_too_large");
    }
    // Within the limit, authentication decides as before.
    assertThat(APP.anonymous().post("/api/v1/establishments", "{}").status()).isEqualTo(401);
    assertThat(APP.anonymous().post("/api/v1/reports", "{}").status()).isEqualTo(401);
  }

  // --- NUL ------------------------------------------------------------------------------------

  static final String NUL = "a\u0000b";

  static void assertNul(Api.Response r, String field) {
    assertThat(r.status()).as(field + ": " + r).isEqualTo(400);
    assertThat(r.header("Content-Type")).as(field).startsWith("application/json");
    assertThat(r.body().get("error").asText()).as(field + ": " + r).isEqualTo("invalid_field");
    assertThat(r.body().get("field").asText()).as(field + ": " + r).isEqualTo(field);
    assertThat(r.body().get("message").asText()).as(field).contains("NUL");
  }

  @Test
  void nulInAnyWrittenStringIs400NamingTheField() {
    Api it = APP.it();
    assertNul(it.post("/api/v1/establishments", establishment("nul-1", NUL)), "name");
    assertNul(
        it.post("/api/v1/establishments", establishment("nul-2", "X").put("address", NUL)),
        "address");
    assertNul(
        it.post("/api/v1/establishments", establishment("nul-3", "X").put("officialCode", NUL)),
        "officialCode");
    ObjectNode hours = establishment("nul-4", "X");
    hours.putObject("openingHours").putArray("mon\u0000day");
    assertNul(it.post("/api/v1/establishments", hours), "openingHours");
    ObjectNode interval = establishment("nul-5", "X");
    interval
        .putObject("openingHours")
        .putArray("monday")
        .addObject()
        .put("open", "07:00\u0000")
        .put("close", "13:00");
    assertNul(it.post("/api/v1/establishments", interval), "openingHours.monday[0].open");
    assertNul(it.put("/api/v1/establishments/alcaldia", establishment("alcaldia", NUL)), "name");
    assertNul(it.post("/api/v1/establishments/alcaldia/links", link(NUL)), "ispName");
    assertNul(it.put("/api/v1/links/" + linkId, link("ISP").put("technology", NUL)), "technology");
    assertNul(it.post("/api/v1/establishments/alcaldia/devices", device(NUL, "c")), "name");
    assertNul(
        it.post("/api/v1/establishments/alcaldia/devices", device("R", NUL)), "snmp.community");
    assertNul(it.put("/api/v1/devices/" + deviceId, device("R", NUL)), "snmp.community");
    assertNul(
        it.post(
            "/api/v1/indicators/baseline",
            Api.object()
                .put("reference", NUL)
                .set("administration", Api.object().put("computers", 1).put("establishments", 1))),
        "reference");
    assertNul(
        it.post(
            "/api/v1/indicators/declared",
            Api.object()
                .put("sector", "citizens")
                .put("description", NUL)
                .put("establishments", 1)
                .put("computers", 3)
                .put("validFrom", "2026-10")
                .put("source", "acta")),
        "description");
    // Enrollment: every string of the request, the token included.
    for (String field : List.of("token", "machineId", "hostname", "os", "osVersion")) {
      ObjectNode body = TestApp.enrollBody("enl_abcdefghijklmnop", "m-1", "pc-1", "office");
      body.put(field, field.equals("token") ? "enl_abcdefgh" + NUL : NUL);
      assertNul(APP.anonymous().post("/api/v1/enroll", body), field);
    }
    // Nothing of it was stored.
    assertThat(APP.count("SELECT count(*) FROM establishments WHERE code LIKE 'nul-%'")).isZero();
  }

  @Test
  void nulInThePathTheQueryOrTheUserNameIs400() throws IOException {
    Api it = APP.it();
    Map<String, String> cases =
        Map.of(
            "/api/v1/computers?establishment=a%00b", "establishment",
            "/api/v1/evidence?period=2026-03&establishment=a%00b", "establishment",
            "/api/v1/evidence?period=2026-03&lang=e%00s", "lang");
    cases.forEach((path, field) -> assertNul(it.get(path), field));
    // Jetty itself refuses %00 in a path (400, its own page) before the application sees it, and
    // closes the connection: each case on a socket of its own, never one a pooled client reuses.
    String admin = Api.basic("admin", APP.adminPassword());
    for (String[] request :
        List.of(
            new String[] {"GET", "/api/v1/establishments/a%00b"},
            new String[] {"GET", "/api/v1/establishments/a%00b/links"},
            new String[] {"DELETE", "/api/v1/establishments/a%00b"},
            new String[] {"POST", "/api/v1/establishments/a%00b/enrollment-tokens"})) {
      assertThat(declaring(request[0], request[1], 0, admin))
          .as(String.join(" ", request))
          .startsWith("HTTP/1.1 400 ");
    }
    // A user name is looked up in the database: refused before.
    assertNul(
        APP.anonymous().as("ad\u0000min", "whatever").get("/api/v1/establishments"),
        "Authorization");
    assertNul(
        APP.anonymous().as("admin\u0000", APP.adminPassword()).get("/reports"), "Authorization");
  }
}
