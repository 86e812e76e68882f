package org.enlace.server.speedtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import java.net.URI;
import javax.net.ssl.SSLContext;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole path in the real application: a slot, both ndt7 subtests, the server's record. */
class SpeedTestEndToEndTest {
  static final TestApp APP =
      TestApp.create(
          ConfigOverride.config("speedTest.maxDuration", "2 seconds"),
          ConfigOverride.config("speedTest.hardTimeout", "5 seconds"));

  @RegisterExtension
  static final io.dropwizard.testing.junit5.DropwizardAppExtension<?> EXT = APP.extension();

  @Test
  void aSlotsTokensRunBothSubtestsOnceAndTheServerRecordsThem() throws Exception {
    String code = APP.establishment("ST-E2E", "administration");
    assertThat(
            APP.it()
                .post(
                    "/api/v1/establishments/" + code + "/links",
                    Api.object()
                        .put("ispName", "ISP")
                        .put("contractedDownMbps", 40)
                        .put("contractedUpMbps", 10))
                .status())
        .isEqualTo(201);
    TestApp.Agent agent = APP.enroll(code);
    Api.Response slot = agent.api().post("/api/v1/speedtest/slot", "{}");
    assertThat(slot.status()).as(slot.toString()).isEqualTo(200);
    String ws = APP.base().replaceFirst("^http", "ws");
    URI download = URI.create(ws + slot.body().path("downloadUrl").asText());
    URI upload = URI.create(ws + slot.body().path("uploadUrl").asText());

    Ndt7TestClient client = new Ndt7TestClient(SSLContext.getDefault());
    Ndt7TestClient.Options o = new Ndt7TestClient.Options();
    o.uploadMs = 2_000;
    Ndt7TestClient.Outcome down = client.download(download, o);
    assertThat(down.upgraded()).isTrue();
    assertThat(down.bytes).isPositive();
    // 40 Mbit/s x 1.5 x 10 s: the server never sends more than the download's share.
    assertThat(down.bytes).isLessThanOrEqualTo(75_000_000L);
    Ndt7TestClient.Outcome up = client.upload(upload, o);
    assertThat(up.upgraded()).isTrue();
    // Single use: the same token again is refused before the upgrade.
    assertThat(client.download(download, o).httpStatus).isEqualTo(401);

    long testRows = 0;
    for (int i = 0; i < 100 && testRows < 2; i++) {
      Thread.sleep(100);
      testRows =
          APP.count(
              "SELECT count(*) FROM ndt7_server_results WHERE test_id = CAST(? AS uuid)",
              slot.body().path("testId").asText());
    }
    assertThat(testRows).isEqualTo(2);
    assertThat(
            APP.count(
                "SELECT count(*) FROM speedtest_slots WHERE id = CAST(? AS uuid)"
                    + " AND state = 'done'",
                slot.body().path("testId").asText()))
        .isEqualTo(1);
    assertThat(
            APP.count(
                "SELECT bytes FROM ndt7_server_results WHERE test_id = CAST(? AS uuid)"
                    + " AND subtest = 'download'",
                slot.body().path("testId").asText()))
        .isEqualTo(down.bytes);
    // The link is free again.
    assertThat(agent.api().post("/api/v1/speedtest/slot", "{}").status()).isEqualTo(200);
  }
}
