package org.enlace.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.enlace.server.testing.Waits.await;
import static org.enlace.server.testing.Waits.freePort;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestCertificates;
import org.enlace.server.testing.TestPostgres;
import org.junit.jupiter.api.Test;

/**
 * The shipped jars over HTTPS, as an agent on the internet reaches a municipality's server:
 * Dropwizard's https connector with a PKCS12 keystore, the agent trusting only that certificate
 * through {@code tls.caFile}; enrollment, reports and a speed test over {@code wss://}.
 */
class HttpsAgentIT extends ShippedJars {
  private static final String PASSWORD = "it-keystore-password";

  private static JsonNode call(HttpClient http, String method, String url, String auth, String body)
      throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(20))
            .header("Authorization", auth)
            .header("Content-Type", "application/json")
            .method(
                method,
                body.isEmpty()
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> resp = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(resp.statusCode()).as(method + " " + url + ": " + resp.body()).isLessThan(300);
    return resp.body().isEmpty() ? Api.object() : Api.JSON.readTree(resp.body());
  }

  @Test
  void agentJarEnrollsReportsAndRunsASpeedTestOverHttps() throws Exception {
    assertThat(SERVER_JAR).as("build the jars first (mvn verify)").exists();
    assertThat(AGENT_JAR).as("build the jars first (mvn verify)").exists();
    Path dir = TestPostgres.worldTraversableTempDir("enlace-https-e2e-");
    Path p12 = dir.resolve("server.p12");
    Path ca = dir.resolve("ca.crt");
    TestCertificates.selfSignedKeystore(p12, PASSWORD);
    TestCertificates.exportCertificate(p12, PASSWORD, ca);

    int port = freePort();
    int adminPort = freePort();
    Path config = dir.resolve("server.yml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "dataDir: " + dir.resolve("server-data"),
            "server:",
            "  applicationConnectors:",
            "    - type: https",
            "      port: " + port,
            "      bindHost: 127.0.0.1",
            "      keyStorePath: " + p12,
            "      keyStorePassword: ${ENLACE_TLS_KEYSTORE_PASSWORD}",
            "      keyStoreType: PKCS12",
            "      validateCerts: false",
            "  adminConnectors: [{type: http, port: " + adminPort + "}]",
            "  requestLog: {appenders: []}",
            "logging: {level: INFO}",
            ""));
    ProcessBuilder serverPb =
        new ProcessBuilder(
                java(), "-Xmx512m", "-jar", SERVER_JAR.toString(), "server", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.log").toFile());
    serverPb.environment().put("ENLACE_TLS_KEYSTORE_PASSWORD", PASSWORD);
    started(serverPb);
    HttpClient plain = HttpClient.newHttpClient();
    await(
        "server start",
        Duration.ofMinutes(2),
        () -> {
          try {
            // The admin connector has no bindHost here: it must answer on 127.0.0.1.
            return plain
                    .send(
                        HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + adminPort + "/healthcheck"))
                            .build(),
                        HttpResponse.BodyHandlers.discarding())
                    .statusCode()
                == 200;
          } catch (IOException e) {
            return false;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        });

    String base = "https://127.0.0.1:" + port;
    HttpClient http =
        HttpClient.newBuilder()
            .sslContext(TestCertificates.trusting(TestCertificates.readPem(ca)))
            .build();
    String admin =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(
                    ("admin:"
                            + Files.readString(
                                    dir.resolve("server-data/initial-admin-password"),
                                    StandardCharsets.UTF_8)
                                .trim())
                        .getBytes(StandardCharsets.UTF_8));
    call(
        http,
        "POST",
        base + "/api/v1/establishments",
        admin,
        "{\"code\":\"bib\",\"name\":\"Biblioteca\",\"kind\":\"public_access_point\","
            + "\"sector\":\"citizens\"}");
    // Loopback is fast: a link rated like it, so that the test's data allowance (1.5 x the rate
    // x 10 s) does not end the download before its 10 seconds.
    call(
        http,
        "POST",
        base + "/api/v1/establishments/bib/links",
        admin,
        "{\"ispName\":\"ISP\",\"contractedDownMbps\":10000,\"contractedUpMbps\":10000}");
    String token =
        call(http, "POST", base + "/api/v1/establishments/bib/enrollment-tokens", admin, "{}")
            .get("token")
            .asText();

    Path agentDir = agentDataDir(dir, base, port, "tls.caFile=" + ca);
    enroll(dir, agentDir, base, token);
    String agentJar = AGENT_JAR.toString();

    Process speedtest =
        start(
            dir.resolve("speedtest.log"),
            java(),
            "-jar",
            agentJar,
            "speedtest",
            "--force",
            "--data-dir",
            agentDir.toString());
    assertThat(speedtest.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(speedtest.exitValue()).as(Files.readString(dir.resolve("speedtest.log"))).isZero();

    start(
        dir.resolve("agent.log"),
        java(),
        "-Xmx32m",
        "-jar",
        agentJar,
        "run",
        "--data-dir",
        agentDir.toString());
    await(
        "the agent's reports stored over HTTPS",
        Duration.ofSeconds(60),
        () -> {
          try {
            JsonNode computers =
                call(http, "GET", base + "/api/v1/computers?establishment=bib", admin, "");
            return computers.size() == 1 && computers.get(0).path("lastSeenAt").isTextual();
          } catch (Exception e) {
            return false;
          }
        });
  }
}
