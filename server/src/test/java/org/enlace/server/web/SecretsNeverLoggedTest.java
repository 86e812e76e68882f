package org.enlace.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.enlace.server.app.EnlaceApplication;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestPostgres;
import org.junit.jupiter.api.Test;

/**
 * Credentials never reach a log, at any level: the real server with every logger at TRACE (in its
 * configuration, and again through the admin port's {@code POST /tasks/log-level}), the application
 * log and the request log in files; people sign in with HTTP Basic, an enrollment token is issued
 * and used, an agent enrolls and reports, clients send bearer tokens, cookies and an ndt7 access
 * token in the URL. Then both files are searched for every secret, as sent and in Base64.
 */
class SecretsNeverLoggedTest {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void noSecretInAnyLogWithEveryLoggerAtTrace() throws Exception {
    Path dir = TestPostgres.worldTraversableTempDir("enlace-trace-");
    Path serverLog = dir.resolve("server.log");
    Path requestLog = dir.resolve("request.log");
    DropwizardTestSupport<EnlaceConfiguration> app =
        new DropwizardTestSupport<>(
            EnlaceApplication.class,
            ResourceHelpers.resourceFilePath("trace-logging-config.yml"),
            ConfigOverride.config("database.url", TestPostgres.newDatabase()),
            ConfigOverride.config("database.user", TestPostgres.user()),
            ConfigOverride.config("database.password", TestPostgres.password()),
            ConfigOverride.config("dataDir", dir.resolve("data").toString()),
            ConfigOverride.config("logging.appenders[0].currentLogFilename", serverLog.toString()),
            ConfigOverride.config(
                "server.requestLog.appenders[0].currentLogFilename", requestLog.toString()));
    Map<String, String> secrets = new LinkedHashMap<>();
    long started = System.nanoTime();
    app.before();
    try {
      String base = "http://127.0.0.1:" + app.getLocalPort();
      String admin = "http://127.0.0.1:" + app.getAdminPort();
      // TRACE again through the task an operator would use, on the loggers that dump traffic too.
      HttpResponse<String> task =
          send(
              HttpRequest.newBuilder(
                      URI.create(
                          admin
                              + "/tasks/log-level?logger=ROOT&logger=org.eclipse.jetty"
                              + "&logger=org.glassfish&logger=org.postgresql&level=TRACE"))
                  .POST(HttpRequest.BodyPublishers.noBody()));
      assertThat(task.statusCode()).as(task.body()).isEqualTo(200);

      String password =
          Files.readString(dir.resolve("data/initial-admin-password"), StandardCharsets.UTF_8)
              .trim();
      secrets.put("admin password", password);
      secrets.put("admin Basic", b64("admin:" + password));
      Api it = new Api(base, Api.basic("admin", password));
      assertThat(
              it.post(
                      "/api/v1/establishments",
                      Api.object()
                          .put("code", "biblioteca")
                          .put("name", "Biblioteca")
                          .put("kind", "library")
                          .put("sector", "citizens"))
                  .status())
          .isEqualTo(201);
      Api.Response token =
          it.post(
              "/api/v1/establishments/biblioteca/enrollment-tokens",
              Api.object().put("maxUses", 2));
      assertThat(token.status()).as(token.toString()).isEqualTo(201);
      String enrollmentToken = token.body().get("token").asText();
      secrets.put("enrollment token", enrollmentToken);

      Api.Response enrolled =
          new Api(base, null)
              .post(
                  "/api/v1/enroll",
                  TestApp.enrollBody(enrollmentToken, "machine-1", "pc-biblioteca-1", "kiosk"));
      assertThat(enrolled.status()).as(enrolled.toString()).isEqualTo(201);
      String agentId = enrolled.body().get("agentId").asText();
      String agentSecret = enrolled.body().get("secret").asText();
      secrets.put("agent secret", agentSecret);
      secrets.put("agent Basic", b64(agentId + ":" + agentSecret));
      Api agent = new Api(base, Api.basic(agentId, agentSecret));
      for (int i = 0; i < 3; i++) {
        Api.Response r = agent.post("/api/v1/reports", TestApp.report(3L * i + 1, 3L * i + 2));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
      }

      // Wrong and foreign credentials, cookies and tokens in URLs.
      String wrongPassword = "contraseña-equivocada-8271";
      secrets.put("wrong password", wrongPassword);
      secrets.put("wrong Basic", b64("admin:" + wrongPassword));
      assertThat(new Api(base, Api.basic("admin", wrongPassword)).get("/api/v1/computers").status())
          .isEqualTo(401);
      String bearer = "bearer-token-" + b64("portador-9d1e").replace("=", "");
      secrets.put("bearer token", bearer);
      String cookie = "sesion-" + b64("galleta-77aa").replace("=", "");
      secrets.put("cookie", cookie);
      String proxy = "proxy-" + b64("proxy-credential-5c3").replace("=", "");
      secrets.put("proxy credentials", proxy);
      String ndt = "ndt_" + b64("acceso-ndt7-0f2c-aaaaaaaaaaaa").replace("=", "");
      secrets.put("ndt7 access token", ndt);
      for (String path :
          new String[] {
            "/api/v1/computers", "/api/v1/reports", "/reports", "/api/v1/speedtest/slot"
          }) {
        send(
            HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + bearer)
                .header("Proxy-Authorization", "Basic " + proxy)
                .header("Cookie", "JSESSIONID=" + cookie + "; other=1")
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
      }
      send(
          HttpRequest.newBuilder(
                  URI.create(base + "/ndt/v7/download?client_name=t&access_token=" + ndt))
              .header("Cookie", "JSESSIONID=" + cookie));
      send(
          HttpRequest.newBuilder(
                  URI.create(base + "/api/v1/evidence?period=2026-03&access_token=" + ndt))
              .header("Authorization", Api.basic("admin", password)));
    } finally {
      app.after(); // stops the server and flushes the (asynchronous) log appenders
    }
    long ms = (System.nanoTime() - started) / 1_000_000;

    String log = Files.readString(serverLog, StandardCharsets.UTF_8);
    String requests = Files.readString(requestLog, StandardCharsets.UTF_8);
    // The logs are there, at TRACE, and saw the requests.
    assertThat(log).contains("TRACE", "DEBUG", "event=report_accepted".substring(0, 6));
    assertThat(requests).contains("POST /api/v1/reports", "/ndt/v7/download", "[redacted]");
    for (Map.Entry<String, String> s : secrets.entrySet()) {
      assertThat(log).as("server log holds the " + s.getKey()).doesNotContain(s.getValue());
      assertThat(requests).as("request log holds the " + s.getKey()).doesNotContain(s.getValue());
    }
    System.out.printf(
        "event=secrets_never_logged secrets=%d serverLogBytes=%d serverLogLines=%d"
            + " requestLogLines=%d ms=%d%n",
        secrets.size(), log.length(), log.lines().count(), requests.lines().count(), ms);
  }
}
