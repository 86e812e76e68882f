package org.enlace.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.enlace.server.app.EnlaceApplication;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestPostgres;
import org.junit.jupiter.api.Test;

/**
 * The server as a municipality runs it: embedded PostgreSQL under the data directory. Restarts of
 * the server and of the database lose nothing that was acknowledged and store nothing twice.
 */
class RestartTest {
  private static DropwizardTestSupport<EnlaceConfiguration> embedded(Path dataDir) {
    return new DropwizardTestSupport<>(
        EnlaceApplication.class,
        ResourceHelpers.resourceFilePath("test-config.yml"),
        ConfigOverride.config("dataDir", dataDir.toString()));
  }

  private static String base(DropwizardTestSupport<EnlaceConfiguration> s) {
    return "http://127.0.0.1:" + s.getLocalPort();
  }

  @Test
  void serverAndDatabaseRestartsKeepEveryAcknowledgedObservationOnce() throws Exception {
    Path dataDir = TestPostgres.worldTraversableTempDir("enlace-restart-");
    DropwizardTestSupport<EnlaceConfiguration> first = embedded(dataDir);
    first.before();
    String password;
    TestApp.Agent agent;
    try {
      password =
          Files.readString(dataDir.resolve("initial-admin-password"), StandardCharsets.UTF_8)
              .trim();
      Api it = new Api(base(first), Api.basic("admin", password));
      assertThat(
              it.post(
                      "/api/v1/establishments",
                      Api.object()
                          .put("code", "alcaldia")
                          .put("name", "Alcaldía")
                          .put("kind", "town_hall")
                          .put("sector", "administration"))
                  .status())
          .isEqualTo(201);
      String token =
          it.post("/api/v1/establishments/alcaldia/enrollment-tokens", Api.object())
              .body()
              .get("token")
              .asText();
      Api.Response e =
          new Api(base(first), null)
              .post(
                  "/api/v1/enroll",
                  TestApp.enrollBody(token, "restart-machine-0001", "pc-1", "office"));
      String id = e.body().get("agentId").asText();
      String secret = e.body().get("secret").asText();
      agent =
          new TestApp.Agent(
              id,
              secret,
              e.body().get("computerId").asLong(),
              new Api(base(first), Api.basic(id, secret)));
      assertThat(agent.report(TestApp.report(1, 2, 3)).body().get("stored").asInt()).isEqualTo(3);

      // The database goes away: reports are refused with 503 and Retry-After, nothing is lost.
      EmbeddedPostgres pg =
          ((EnlaceApplication) first.getApplication()).database().embedded().orElseThrow();
      pg.stop();
      Api.Response down = agent.report(TestApp.report(4, 5));
      assertThat(down.status()).as(down.toString()).isEqualTo(503);
      assertThat(down.header("Retry-After")).isNotEmpty();
      // An agent not in the credential cache cannot be checked now: 503 too, never a 401 that
      // would make it think its credentials were revoked.
      Api.Response unchecked =
          new Api(base(first), Api.basic(UUID.randomUUID().toString(), "secret"))
              .post("/api/v1/reports", TestApp.report(1));
      assertThat(unchecked.status()).as(unchecked.toString()).isEqualTo(503);
      assertThat(unchecked.body().get("error").asText()).isEqualTo("unavailable");

      // It comes back on the same port; the agent resends and everything lands once.
      try (EmbeddedPostgres again = EmbeddedPostgres.start(dataDir, 0, "nobody")) {
        assertThat(again.port()).isEqualTo(pg.port());
        Api.Response up = null;
        for (int i = 0; i < 20; i++) {
          up = agent.report(TestApp.report(3, 4, 5));
          if (up.status() == 200) {
            break;
          }
          Thread.sleep(500);
        }
        assertThat(up.status()).as(String.valueOf(up)).isEqualTo(200);
        assertThat(up.body().get("stored").asInt()).isEqualTo(2);
        assertThat(up.body().get("duplicates").asInt()).isEqualTo(1);
      }
    } finally {
      first.after();
    }

    // The whole server restarts on the same data directory: data, users and agents are kept.
    DropwizardTestSupport<EnlaceConfiguration> second = embedded(dataDir);
    second.before();
    try {
      assertThat(
              Files.readString(dataDir.resolve("initial-admin-password"), StandardCharsets.UTF_8)
                  .trim())
          .isEqualTo(password);
      Api it = new Api(base(second), Api.basic("admin", password));
      assertThat(it.get("/api/v1/establishments/alcaldia").status()).isEqualTo(200);
      Api agentApi = new Api(base(second), Api.basic(agent.id(), agent.secret()));
      Api.Response r = agentApi.post("/api/v1/reports", TestApp.report(5, 6));
      assertThat(r.body().get("stored").asInt()).as(r.toString()).isEqualTo(1);
      long rows =
          ((EnlaceApplication) second.getApplication())
              .jdbi()
              .withHandle(
                  h -> h.createQuery("SELECT count(*) FROM observations").mapTo(Long.class).one());
      assertThat(rows).isEqualTo(6);
    } finally {
      second.after();
    }
    assertThat(EmbeddedPostgres.runningPort(dataDir.resolve("postgres/data"))).isEmpty();
  }
}
