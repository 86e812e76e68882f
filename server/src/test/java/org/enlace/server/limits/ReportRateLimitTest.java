package org.enlace.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import org.enlace.server.app.EnlaceApplication;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestApp.Agent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The per-agent-credential limit on reports, on the real server. */
@ExtendWith(DropwizardExtensionsSupport.class)
class ReportRateLimitTest {
  // A burst of 3, then one a minute: the fourth report in a row is over the limit.
  static final TestApp APP =
      TestApp.create(
          ConfigOverride.config("limits.reportsPerAgent.perMinute", "1"),
          ConfigOverride.config("limits.reportsPerAgent.burst", "3"));
  static final DropwizardAppExtension<EnlaceConfiguration> EXT = APP.extension();

  @BeforeAll
  static void inventory() {
    APP.establishment("alcaldia", "administration");
  }

  private static double limited() {
    var c =
        ((EnlaceApplication) EXT.getApplication())
            .meters()
            .find("enlace.rate.limited")
            .tag("reason", "reports_per_agent")
            .counter();
    return c == null ? 0 : c.count();
  }

  private static long stored(Agent a) {
    return APP.count(
        """
        SELECT count(*) FROM observations o JOIN agents a ON a.id = o.agent_id
        WHERE a.public_id = CAST(? AS uuid)
        """,
        a.id());
  }

  @Test
  void anAgentOverItsRateGets429WithRetryAfterAndNothingStoredWhileOthersAreServed() {
    Agent busy = APP.enroll("alcaldia");
    Agent honest = APP.enroll("alcaldia");
    double before = limited();
    for (int i = 1; i <= 3; i++) {
      Api.Response r = busy.report(TestApp.report(i));
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }
    Api.Response refused = busy.report(TestApp.report(4));
    assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
    assertThat(refused.body().get("error").asText()).isEqualTo("too_many_reports");
    // One token a minute: the wait is most of a minute, in whole seconds.
    assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 60L);
    assertThat(stored(busy)).isEqualTo(3);
    // Another agent's credential has its own bucket.
    for (int i = 1; i <= 3; i++) {
      Api.Response r = honest.report(TestApp.report(i));
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }
    assertThat(stored(honest)).isEqualTo(3);
    assertThat(limited() - before).isEqualTo(1);
    String metrics =
        new String(
            new Api(APP.adminBase(), null).get("/metrics").raw().body(),
            java.nio.charset.StandardCharsets.UTF_8);
    assertThat(metrics)
        .contains("enlace_rate_limited_total{reason=\"reports_per_agent\"} 1.0")
        .contains("enlace_ingest_reports_total{outcome=\"rate_limited\"");
  }

  @Test
  void aRefusedCredentialIsCheckedFirstAndAWrongSecretIsStill401() {
    Agent a = APP.enroll("alcaldia");
    Api wrong = new Api(APP.base(), Api.basic(a.id(), "not-the-secret"));
    for (int i = 0; i < 5; i++) {
      assertThat(wrong.post("/api/v1/reports", TestApp.report(1)).status()).isEqualTo(401);
    }
    // Wrong secrets took none of the agent's tokens.
    assertThat(a.report(TestApp.report(1)).status()).isEqualTo(200);
  }
}
