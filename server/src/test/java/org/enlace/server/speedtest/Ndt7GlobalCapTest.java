package org.enlace.server.speedtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.ConfigOverrides;
import org.enlace.server.testing.TempDirs;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * speedTest.maxConcurrentTests is one cap for all the replicas of a database (issue 19): with a cap
 * of 1, a subtest running on one replica makes the other answer 429 busy, exactly as a busy single
 * server does; the slot is free again when the subtest ends, and a dead replica's slot when its row
 * expires.
 */
@ExtendWith(ConfigOverrides.class)
class Ndt7GlobalCapTest {
  @Test
  void aTestOnOneReplicaMakesTheOtherBusyUntilItEndsOrExpires() throws Exception {
    String url = TestPostgres.newDatabase();
    TestApp a = replica(url);
    TestApp b = replica(url);
    a.extension().before();
    b.extension().before();
    try {
      String code = a.establishment("ST-CAP", "administration");
      assertThat(
              a.it()
                  .post(
                      "/api/v1/establishments/" + code + "/links",
                      Api.object()
                          .put("ispName", "ISP")
                          .put("contractedDownMbps", 40)
                          .put("contractedUpMbps", 10))
                  .status())
          .isEqualTo(201);
      TestApp.Agent agent = a.enroll(code);
      Api.Response slot = agent.api().post("/api/v1/speedtest/slot", "{}");
      assertThat(slot.status()).as(slot.toString()).isEqualTo(200);
      URI download = URI.create(ws(a) + slot.body().path("downloadUrl").asText());
      Ndt7TestClient client = new Ndt7TestClient(SSLContext.getDefault());
      CompletableFuture<Ndt7TestClient.Outcome> running =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return client.download(download, new Ndt7TestClient.Options());
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (a.count("SELECT count(*) FROM ndt7_running") < 1 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(a.count("SELECT count(*) FROM ndt7_running")).isEqualTo(1);

      Ndt7TestClient.Outcome busy = client.download(bogus(b), new Ndt7TestClient.Options());
      assertThat(busy.httpStatus).isEqualTo(429);
      assertThat(Ndt7TestClient.JSON.readTree(busy.body).get("error").asText()).isEqualTo("busy");

      assertThat(running.get().upgraded()).isTrue();
      // The server frees the slot as it finishes, just after the client saw the close.
      deadline = System.nanoTime() + 5_000_000_000L;
      while (a.count("SELECT count(*) FROM ndt7_running") > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(a.count("SELECT count(*) FROM ndt7_running")).isZero();
      // The slot is free: the request reaches the token check.
      assertThat(client.download(bogus(b), new Ndt7TestClient.Options()).httpStatus).isEqualTo(401);

      // A replica that died mid-test leaves its row behind, until it expires.
      a.jdbi()
          .useHandle(
              h ->
                  h.execute(
                      "INSERT INTO ndt7_running (id, expires_at)"
                          + " VALUES (gen_random_uuid(), now() + interval '2 seconds')"));
      assertThat(client.download(bogus(b), new Ndt7TestClient.Options()).httpStatus).isEqualTo(429);
      Thread.sleep(2_500);
      assertThat(client.download(bogus(b), new Ndt7TestClient.Options()).httpStatus).isEqualTo(401);
    } finally {
      b.extension().after();
      a.extension().after();
    }
  }

  private static TestApp replica(String url) throws Exception {
    return TestApp.external(
        url,
        TestPostgres.user(),
        TestPostgres.password(),
        TempDirs.create("enlace-replica-"),
        ConfigOverride.config("speedTest.maxConcurrentTests", "1"),
        ConfigOverride.config("speedTest.maxDuration", "3 seconds"),
        ConfigOverride.config("speedTest.hardTimeout", "5 seconds"));
  }

  private static String ws(TestApp app) {
    return app.base().replaceFirst("^http", "ws");
  }

  private static URI bogus(TestApp app) {
    return URI.create(ws(app) + Ndt7Server.DOWNLOAD_PATH + "?access_token=not-a-token");
  }
}
