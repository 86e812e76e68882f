package org.enlace.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestPostgres;
import org.enlace.server.testing.Waits;
import org.junit.jupiter.api.Test;

/**
 * With an external database, which Enlace does not start or watch: while it is down every request
 * is answered 503 with Retry-After and /healthcheck names it; when it is back, the pool's dead
 * connections are replaced and everything works again, without a restart of Enlace. Both a clean
 * stop (connections ended with 57P01) and a kill -9 (connections cut).
 */
class ExternalDatabaseRecoveryTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void connectionsRecoverAfterTheDatabaseRestartsWithoutRestartingEnlace() throws Exception {
    // A PostgreSQL of its own (not the tests' shared one, which other classes use meanwhile).
    Path pgBase = TestPostgres.worldTraversableTempDir("enlace-external-pg-");
    EmbeddedPostgres external = EmbeddedPostgres.start(pgBase, 0, "nobody");
    TestApp app =
        TestApp.external(
            external.jdbcUrl(),
            external.user(),
            external.password(),
            TestPostgres.worldTraversableTempDir("enlace-external-data-"));
    app.extension().before();
    try {
      app.establishment("biblioteca", "citizens");
      TestApp.Agent agent = app.enroll("biblioteca");
      assertThat(agent.report(TestApp.report(1)).status()).isEqualTo(200);
      String health = app.adminBase() + "/healthcheck";
      assertThat(get(health).statusCode()).isEqualTo(200);

      // A clean stop: PostgreSQL ends every connection (57P01 admin_shutdown).
      external.stop();
      assertUnavailable(app, agent, health, 2);
      external = startAgain(pgBase, external.port());
      assertRecovers(app, agent, health, 3);

      // A crash: the postmaster killed, connections cut.
      long pid = external.postmasterPid().orElseThrow();
      assertThat(ProcessHandle.of(pid).orElseThrow().destroyForcibly()).isTrue();
      Waits.await("the postmaster gone", Duration.ofSeconds(10), () -> !alive(pid));
      assertUnavailable(app, agent, health, 4);
      external = startAgain(pgBase, external.port());
      assertRecovers(app, agent, health, 5);

      assertThat(
              app.count(
                  "SELECT count(*) FROM observations o JOIN agents a ON a.id = o.agent_id"
                      + " WHERE a.public_id = ?::uuid",
                  agent.id()))
          .isEqualTo(5);
    } finally {
      app.extension().after();
      external.stop();
    }
  }

  private static void assertUnavailable(TestApp app, TestApp.Agent agent, String health, long seq)
      throws Exception {
    Api.Response people = app.it().get("/api/v1/establishments");
    assertThat(people.status()).as(people.toString()).isEqualTo(503);
    assertThat(people.header("Retry-After")).isNotEmpty();
    assertThat(people.body().get("error").asText()).isEqualTo("unavailable");

    Api.Response report = agent.report(TestApp.report(seq));
    assertThat(report.status()).as(report.toString()).isEqualTo(503);
    assertThat(report.header("Retry-After")).isNotEmpty();

    // Enrollment, with a token it cannot look up now: 503, not 401 or 500.
    Api.Response enroll =
        app.anonymous()
            .post(
                "/api/v1/enroll",
                TestApp.enrollBody(
                    "tok_0000000000000000000000",
                    "6f1c2a9e-0b7d-4d3e-9a55-3c1f2e4b5a6d",
                    "pc-x",
                    "office"));
    assertThat(enroll.status()).as(enroll.toString()).isEqualTo(503);

    HttpResponse<String> h = get(health);
    assertThat(h.statusCode()).as(h.body()).isEqualTo(503);
    assertThat(h.headers().firstValue("Retry-After")).isPresent();
    JsonNode database = Api.JSON.readTree(h.body()).get("database");
    assertThat(database.get("healthy").asBoolean()).isFalse();
    assertThat(database.get("message").asText()).startsWith("PostgreSQL unreachable (external");
  }

  private static void assertRecovers(TestApp app, TestApp.Agent agent, String health, long seq)
      throws Exception {
    Waits.await(
        "the people's API back",
        Duration.ofSeconds(30),
        () -> app.it().get("/api/v1/establishments").status() == 200);
    // The agent resends what was refused during the outage, as the real one does.
    Api.Response report = agent.report(TestApp.report(seq - 1, seq));
    assertThat(report.status()).as(report.toString()).isEqualTo(200);
    Waits.await(
        "/healthcheck healthy", Duration.ofSeconds(30), () -> get(health).statusCode() == 200);
  }

  /** Starts the external server again on its port; the dead one may hold it for a moment. */
  private static EmbeddedPostgres startAgain(Path base, int port) throws Exception {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      try {
        EmbeddedPostgres pg = EmbeddedPostgres.start(base, 0, "nobody");
        assertThat(pg.port()).isEqualTo(port);
        return pg;
      } catch (IOException e) {
        if (System.nanoTime() > end) {
          throw e;
        }
        Thread.sleep(250);
      }
    }
  }

  private static boolean alive(long pid) {
    return PostgresCluster.isAlive(pid);
  }

  private static HttpResponse<String> get(String url) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
