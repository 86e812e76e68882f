package org.enlace.server.enrollment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.app.cli.CommandRunner;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestApp.Agent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(DropwizardExtensionsSupport.class)
class EnrollmentApiTest {
  static final TestApp APP = TestApp.create();
  static final DropwizardAppExtension<EnlaceConfiguration> EXT = APP.extension();
  static final String PLACEHOLDER = "03000200-0400-0500-0006-000700080009";

  @BeforeAll
  static void inventory() {
    APP.establishment("alcaldia", "administration");
    APP.establishment("biblioteca", "citizens");
  }

  private static Api.Response enroll(String token, String machineId) {
    return APP.anonymous()
        .post("/api/v1/enroll", TestApp.enrollBody(token, machineId, "pc", "office"));
  }

  @Test
  void tokenIsShownOnceAndListedByPrefixOnly() {
    Api.Response created =
        APP.it()
            .post(
                "/api/v1/establishments/alcaldia/enrollment-tokens",
                Api.object().put("maxUses", 3).put("expiresInHours", 24));
    assertThat(created.status()).isEqualTo(201);
    String token = created.body().get("token").asText();
    assertThat(token).startsWith("enl_").hasSizeGreaterThan(40);
    Api.Response list = APP.it().get("/api/v1/establishments/alcaldia/enrollment-tokens");
    assertThat(list.body().toString())
        .doesNotContain(token)
        .contains(created.body().get("prefix").asText());
    assertThat(
            APP.count(
                "SELECT count(*) FROM enrollment_tokens WHERE token_prefix = ?",
                created.body().get("prefix").asText()))
        .isEqualTo(1);
  }

  @Test
  void refusedTokensSayWhy() {
    assertThat(enroll("enl_not-a-real-token-at-all", "m-invalid").body().get("error").asText())
        .isEqualTo("enrollment_token_invalid");

    String used = APP.token("alcaldia", 1);
    assertThat(enroll(used, "m-used-1").status()).isEqualTo(201);
    Api.Response usedUp = enroll(used, "m-used-2");
    assertThat(usedUp.status()).isEqualTo(401);
    assertThat(usedUp.body().get("error").asText()).isEqualTo("enrollment_token_used_up");

    String revoked = APP.token("alcaldia", 5);
    long id = APP.count("SELECT max(id) FROM enrollment_tokens");
    assertThat(APP.it().delete("/api/v1/establishments/alcaldia/enrollment-tokens/" + id).status())
        .isEqualTo(204);
    assertThat(enroll(revoked, "m-revoked").body().get("error").asText())
        .isEqualTo("enrollment_token_revoked");

    String expired = APP.token("alcaldia", 5);
    APP.jdbi()
        .useHandle(
            h ->
                h.execute(
                    """
                    UPDATE enrollment_tokens SET expires_at = now() -
                    interval '1 hour' WHERE id = (SELECT max(id) FROM enrollment_tokens)
                    """));
    Api.Response r = enroll(expired, "m-expired");
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body().get("error").asText()).isEqualTo("enrollment_token_expired");
  }

  @Test
  void aRetriedEnrollmentWhoseAnswerWasLostCostsNoSecondUse() {
    String token = APP.token("alcaldia", 1);
    Api.Response first = enroll(token, "retry-machine-4c4c4544-0042");
    Api.Response retry = enroll(token, "retry-machine-4c4c4544-0042");
    assertThat(retry.status()).as(retry.toString()).isEqualTo(201);
    assertThat(retry.body().get("computerId").asLong())
        .isEqualTo(first.body().get("computerId").asLong());
    assertThat(retry.body().get("reenrolled").asBoolean()).isTrue();
    // Another machine still cannot use it.
    assertThat(enroll(token, "other-machine-4c4c4544-0043").body().get("error").asText())
        .isEqualTo("enrollment_token_used_up");
  }

  @Test
  void concurrentEnrollmentsNeverExceedMaxUses() throws Exception {
    String token = APP.token("biblioteca", 5);
    ExecutorService pool = Executors.newFixedThreadPool(12);
    try {
      List<Future<Api.Response>> fs = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        String m = "race-" + i + "-" + System.nanoTime();
        fs.add(pool.submit(() -> enroll(token, m)));
      }
      int ok = 0;
      for (Future<Api.Response> f : fs) {
        if (f.get().status() == 201) {
          ok++;
        }
      }
      assertThat(ok).isEqualTo(5);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void placeholderHardwareIdsNeverMergeComputers() {
    String token = APP.token("biblioteca", 3);
    Agent a = APP.enroll(token, PLACEHOLDER, "kiosco-1", "kiosk");
    Agent b = APP.enroll(token, PLACEHOLDER, "kiosco-2", "kiosk");
    Agent c = APP.enroll(token, "00000000-0000-0000-0000-000000000000", "kiosco-3", "kiosk");
    assertThat(a.computerId()).isNotEqualTo(b.computerId()).isNotEqualTo(c.computerId());
    assertThat(
            APP.it()
                .get("/api/v1/computers/" + a.computerId())
                .body()
                .get("machineIdTrusted")
                .asBoolean())
        .isFalse();
  }

  @Test
  void sameTrustedMachineKeepsItsComputerAndHistory() {
    String machine = "4c4c4544-0042-3510-8052-b2c04f4e3132";
    Agent first = APP.enroll(APP.token("alcaldia", 1), machine, "sec-gobierno", "office");
    first.report(TestApp.report(1, 2));
    Api.Response again =
        APP.anonymous()
            .post(
                "/api/v1/enroll",
                TestApp.enrollBody(
                    APP.token("alcaldia", 1),
                    machine.toUpperCase(Locale.ROOT),
                    "sec-gobierno-2",
                    "office"));
    assertThat(again.status()).isEqualTo(201);
    assertThat(again.body().get("reenrolled").asBoolean()).isTrue();
    assertThat(again.body().get("computerId").asLong()).isEqualTo(first.computerId());
    assertThat(
            APP.it().get("/api/v1/computers/" + first.computerId()).body().get("hostname").asText())
        .isEqualTo("sec-gobierno-2");
    assertThat(
            APP.count(
                "SELECT count(*) FROM observations WHERE computer_id = ?", first.computerId()))
        .isEqualTo(2);
  }

  @Test
  void twoLiveAgentsClaimingOneMachineIdBecomeTwoFlaggedComputers() {
    String machine = "8d2f0a51-77c3-4b1e-9a6f-clone-image-01";
    Agent original = APP.enroll(APP.token("biblioteca", 1), machine, "kiosco-a", "kiosk");
    original.report(TestApp.report(1, 2, 3));
    // A second PC cloned from the same image enrolls with the same hardware id...
    Agent clone = APP.enroll(APP.token("biblioteca", 1), machine, "kiosco-b", "kiosk");
    assertThat(clone.computerId()).isEqualTo(original.computerId());
    clone.report(TestApp.report(1, 2));
    // ...and the first PC is still alive and reporting: it is a different machine.
    Api.Response r = original.report(TestApp.report(4));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    long originalComputer =
        APP.count(
            """
            SELECT computer_id FROM agents WHERE public_id =
            CAST(? AS uuid)
            """,
            original.id());
    assertThat(originalComputer).isNotEqualTo(clone.computerId());
    assertThat(
            APP.count("SELECT count(*) FROM observations WHERE computer_id = ?", originalComputer))
        .isEqualTo(4);
    assertThat(
            APP.count(
                "SELECT count(*) FROM observations WHERE computer_id = ?", clone.computerId()))
        .isEqualTo(2);
    for (long id : new long[] {originalComputer, clone.computerId()}) {
      assertThat(APP.it().get("/api/v1/computers/" + id).body().get("flag").asText())
          .isEqualTo("duplicate_machine_id");
    }
    // IT judges it: one flag can go; the second would give two live computers one identity.
    assertThat(
            APP.it()
                .post("/api/v1/computers/" + originalComputer + "/clear-flag", "")
                .body()
                .get("flag")
                .asText())
        .isEmpty();
    assertThat(
            APP.it().post("/api/v1/computers/" + clone.computerId() + "/clear-flag", "").status())
        .isEqualTo(409);
  }

  @Test
  void unknownFactsFromNewerAgentsAreIgnoredAndBadFactsNamed() {
    ObjectNode body =
        TestApp.enrollBody(APP.token("alcaldia", 2), "m-future-agent", "pc", "office")
            .put("gpuModel", "whatever");
    assertThat(APP.anonymous().post("/api/v1/enroll", body).status()).isEqualTo(201);
    Api.Response bad =
        APP.anonymous()
            .post(
                "/api/v1/enroll",
                TestApp.enrollBody(APP.token("alcaldia", 1), "m-bad-role", "pc", "server"));
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.body().toString()).contains("role");
  }

  @Test
  void administrationCannotCreateTokens() throws Exception {
    new CommandRunner(APP)
        .run(
            new ByteArrayInputStream("solo-lectura-123\n".getBytes(StandardCharsets.UTF_8)),
            "user",
            "add",
            "planeacion",
            "--role",
            "administration",
            "--password-stdin");
    Api.Response r =
        APP.anonymous()
            .as("planeacion", "solo-lectura-123")
            .post("/api/v1/establishments/alcaldia/enrollment-tokens", Api.object());
    assertThat(r.status()).isEqualTo(403);
  }
}
