package org.enlace.server.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** live / at_risk / dropped, for IT to chase silent agents. */
class ComputerLifecycleTest {
  static final TestApp APP = TestApp.create();

  @RegisterExtension
  static final io.dropwizard.testing.junit5.DropwizardAppExtension<?> EXT = APP.extension();

  private void lastSeen(TestApp.Agent a, Duration ago) {
    APP.jdbi()
        .useHandle(
            h ->
                h.createUpdate("UPDATE computers SET last_seen_at = :t WHERE id = :id")
                    .bind("t", Instant.now().minus(ago))
                    .bind("id", a.computerId())
                    .execute());
  }

  private void enrolled(TestApp.Agent a, Duration ago) {
    APP.jdbi()
        .useHandle(
            h ->
                h.createUpdate("UPDATE computers SET enrolled_at = :t WHERE id = :id")
                    .bind("t", Instant.now().minus(ago))
                    .bind("id", a.computerId())
                    .execute());
  }

  @Test
  void lifecycleFollowsTheLastReport() {
    String code = APP.establishment("LIFE", "citizens");
    TestApp.Agent live = APP.enroll(code);
    TestApp.Agent atRisk = APP.enroll(code);
    TestApp.Agent dropped = APP.enroll(code);
    TestApp.Agent silentSinceEnrollment = APP.enroll(code);
    lastSeen(live, Duration.ofDays(20).plusHours(23));
    lastSeen(atRisk, Duration.ofDays(21).plusHours(1));
    lastSeen(dropped, Duration.ofDays(28).plusHours(1));
    enrolled(silentSinceEnrollment, Duration.ofDays(30));

    assertThat(
            APP.it()
                .get("/api/v1/computers/" + live.computerId())
                .body()
                .path("lifecycle")
                .asText())
        .isEqualTo("live");
    assertThat(
            APP.it()
                .get("/api/v1/computers/" + atRisk.computerId())
                .body()
                .path("lifecycle")
                .asText())
        .isEqualTo("at_risk");
    var droppedList = APP.it().get("/api/v1/computers?establishment=LIFE&lifecycle=dropped").body();
    assertThat(droppedList).hasSize(2);
    assertThat(droppedList.get(0).path("id").asLong()).isEqualTo(dropped.computerId());
    assertThat(droppedList.get(1).path("id").asLong())
        .isEqualTo(silentSinceEnrollment.computerId());
    assertThat(APP.it().get("/api/v1/computers?lifecycle=asleep").status()).isEqualTo(400);
  }
}
