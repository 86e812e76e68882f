package org.enlace.server.speedtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.testing.ConfigOverride;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TempDirs;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Agents on the internet reach the server over Dropwizard's https connector, as the install recipe
 * sets it up (a PKCS12 keystore; the agent trusts a private CA's certificate): enrollment, report
 * upload and both ndt7 subtests over wss:// on the same port. The server hands out the speed-test
 * URLs as paths, so an agent configured with https:// runs them over wss://.
 */
class HttpsConnectorTest {
  static final String PASSWORD = "keystore-test-password";
  static final Path KEYSTORE = keystore();

  static final TestApp APP =
      TestApp.create(
          ConfigOverride.config("server.applicationConnectors[0].type", "https"),
          ConfigOverride.config(
              "server.applicationConnectors[0].keyStorePath", KEYSTORE.toString()),
          ConfigOverride.config("server.applicationConnectors[0].keyStorePassword", PASSWORD),
          ConfigOverride.config("server.applicationConnectors[0].keyStoreType", "PKCS12"),
          ConfigOverride.config("server.applicationConnectors[0].validateCerts", "false"),
          ConfigOverride.config("speedTest.maxDuration", "2 seconds"),
          ConfigOverride.config("speedTest.hardTimeout", "5 seconds"),
          // No scheduled tests: the report below would otherwise be offered one whenever the
          // wall clock falls in a planned window, and the on-demand slot then answers link_busy.
          ConfigOverride.config("speedTestPlan.testsPerDay", "0"));

  @RegisterExtension
  static final io.dropwizard.testing.junit5.DropwizardAppExtension<?> EXT = APP.extension();

  /** A self-signed certificate for 127.0.0.1 and localhost, made as an operator would. */
  static Path keystore() {
    try {
      return TestCertificates.selfSignedKeystore(
          TempDirs.create("enlace-tls-").resolve("server.p12"), PASSWORD);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Trusts only the server's certificate, as an agent with tls.caFile does. */
  static SSLContext trustingTheServer() throws Exception {
    return TestCertificates.trusting(TestCertificates.certificate(KEYSTORE, PASSWORD));
  }

  record Reply(int status, JsonNode body) {}

  static Reply post(HttpClient http, String url, String auth, Object body) throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(20))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Api.JSON.writeValueAsString(body)));
    if (!auth.isEmpty()) {
      r.header("Authorization", auth);
    }
    HttpResponse<String> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    String text = resp.body();
    return new Reply(resp.statusCode(), text.isEmpty() ? Api.object() : Api.JSON.readTree(text));
  }

  static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void enrollmentReportsAndSpeedTestsOverHttpsAndWss() throws Exception {
    SSLContext tls = trustingTheServer();
    HttpClient http =
        HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
    String base = "https://127.0.0.1:" + EXT.getLocalPort();
    String admin = basic("admin", APP.adminPassword());

    ObjectNode est =
        Api.object()
            .put("code", "TLS-1")
            .put("name", "Biblioteca")
            .put("kind", "public_access_point")
            .put("sector", "citizens");
    assertThat(post(http, base + "/api/v1/establishments", admin, est).status()).isEqualTo(201);
    Reply link =
        post(
            http,
            base + "/api/v1/establishments/TLS-1/links",
            admin,
            Api.object()
                .put("ispName", "ISP")
                .put("contractedDownMbps", 40)
                .put("contractedUpMbps", 10));
    assertThat(link.status()).as(link.body().toString()).isEqualTo(201);
    Reply token =
        post(
            http,
            base + "/api/v1/establishments/TLS-1/enrollment-tokens",
            admin,
            Api.object().put("maxUses", 1));
    assertThat(token.status()).isEqualTo(201);

    Reply enrolled =
        post(
            http,
            base + "/api/v1/enroll",
            "",
            TestApp.enrollBody(
                token.body().path("token").asText(),
                UUID.randomUUID().toString(),
                "pc-tls",
                "kiosk"));
    assertThat(enrolled.status()).as(enrolled.body().toString()).isEqualTo(201);
    String agent =
        basic(enrolled.body().path("agentId").asText(), enrolled.body().path("secret").asText());

    Reply report = post(http, base + "/api/v1/reports", agent, TestApp.report(1, 2, 3));
    assertThat(report.status()).as(report.body().toString()).isEqualTo(200);
    assertThat(report.body().path("stored").asInt()).isEqualTo(3);

    Reply slot = post(http, base + "/api/v1/speedtest/slot", agent, Api.object());
    assertThat(slot.status()).as(slot.body().toString()).isEqualTo(200);
    // Paths, not absolute URLs: the agent resolves them against its https:// server URL.
    assertThat(slot.body().path("downloadUrl").asText()).startsWith("/ndt/v7/download?");
    String wss = base.replaceFirst("^https", "wss");
    Ndt7TestClient client = new Ndt7TestClient(tls);
    Ndt7TestClient.Options o = new Ndt7TestClient.Options();
    o.uploadMs = 2_000;
    Ndt7TestClient.Outcome down =
        client.download(URI.create(wss + slot.body().path("downloadUrl").asText()), o);
    assertThat(down.upgraded()).isTrue();
    assertThat(down.bytes).isPositive();
    Ndt7TestClient.Outcome up =
        client.upload(URI.create(wss + slot.body().path("uploadUrl").asText()), o);
    assertThat(up.upgraded()).isTrue();
  }

  @Test
  void aClientThatDoesNotTrustTheCertificateIsRefused() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    try {
      http.send(
          HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + EXT.getLocalPort() + "/"))
              .build(),
          HttpResponse.BodyHandlers.discarding());
      throw new AssertionError("a certificate no one vouches for was accepted");
    } catch (javax.net.ssl.SSLHandshakeException e) {
      assertThat(e).isNotNull();
    }
  }
}
