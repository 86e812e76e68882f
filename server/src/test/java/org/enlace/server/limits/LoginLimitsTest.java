package org.enlace.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.enlace.server.app.EnlaceApplication;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.auth.PasswordHasher;
import org.enlace.server.auth.UserDao;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Failed-login limits per user name and per client address, the bound on concurrent password
 * checks, and the same work for unknown and known user names, on the real server. Each test uses
 * its own loopback addresses (127.0.0.N) and user names, so that their counts do not mix.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class LoginLimitsTest {
  static final TestApp APP =
      TestApp.create(
          ConfigOverride.config("limits.failedLoginsPerUser.perMinute", "1"),
          ConfigOverride.config("limits.failedLoginsPerUser.burst", "3"),
          ConfigOverride.config("limits.failedLoginsPerAddress.perMinute", "1"),
          ConfigOverride.config("limits.failedLoginsPerAddress.burst", "5"),
          ConfigOverride.config("limits.maxConcurrentPasswordChecks", "1"),
          ConfigOverride.config("limits.maxWaitingPasswordChecks", "4"));
  static final DropwizardAppExtension<EnlaceConfiguration> EXT = APP.extension();

  private static final String PATH = "/api/v1/establishments";

  private static PasswordHasher hasher() {
    return ((EnlaceApplication) EXT.getApplication()).passwordHasher();
  }

  private static RawHttp.Response get(String from, String user, String password) throws Exception {
    return RawHttp.get(from, EXT.getLocalPort(), PATH, user, password);
  }

  private static void user(String name, String password) {
    APP.jdbi().useExtension(UserDao.class, d -> d.insert(name, hasher().hash(password), "it"));
  }

  private static double limited(String reason) {
    var c =
        ((EnlaceApplication) EXT.getApplication())
            .meters()
            .find("enlace.rate.limited")
            .tag("reason", reason)
            .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void aUserNameThatFailedTooOftenGets429WithRetryAfterButItsSignedInOwnerDoesNot()
      throws Exception {
    user("ana", "ana-correct-horse");
    // Signed in before the attack: her browser keeps sending this verified password.
    assertThat(get("127.0.0.10", "ana", "ana-correct-horse").status()).isEqualTo(200);
    double before = limited("failed_logins_per_user");
    // Three wrong passwords from three addresses (the per-address limit is not what stops them).
    for (int i = 0; i < 3; i++) {
      RawHttp.Response r = get("127.0.0." + (11 + i), "ana", "guess-" + i);
      assertThat(r.status()).as(r.toString()).isEqualTo(401);
    }
    RawHttp.Response refused = get("127.0.0.14", "ana", "guess-3");
    assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
    assertThat(refused.body()).contains("too_many_failed_logins");
    assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 60L);
    long checks = hasher().checks();
    // Refused before any hashing, from any address.
    assertThat(get("127.0.0.15", "ana", "guess-4").status()).isEqualTo(429);
    assertThat(hasher().checks()).isEqualTo(checks);
    // The password verified before the attack is not limited: her session goes on (only who
    // knows the password can send it).
    assertThat(get("127.0.0.10", "ana", "ana-correct-horse").status()).isEqualTo(200);
    // Another user is not affected.
    assertThat(APP.it().get(PATH).status()).isEqualTo(200);
    assertThat(limited("failed_logins_per_user") - before).isEqualTo(2);
  }

  @Test
  void anAddressThatFailedTooOftenGets429WhateverTheUserName() throws Exception {
    double before = limited("failed_logins_per_address");
    for (int i = 0; i < 5; i++) {
      RawHttp.Response r = get("127.0.0.20", "nobody-" + i, "guess");
      assertThat(r.status()).as(r.toString()).isEqualTo(401);
    }
    RawHttp.Response refused = get("127.0.0.20", "nobody-5", "guess");
    assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
    assertThat(refused.body()).contains("too_many_failed_logins").contains("from this address");
    assertThat(refused.header("Retry-After")).isNotBlank();
    // Another address (a colleague's PC) still gets its answer.
    assertThat(get("127.0.0.21", "nobody-6", "guess").status()).isEqualTo(401);
    assertThat(limited("failed_logins_per_address") - before).isEqualTo(1);
    String metrics =
        new String(
            new Api(APP.adminBase(), null).get("/metrics").raw().body(), StandardCharsets.UTF_8);
    assertThat(metrics).contains("enlace_rate_limited_total{reason=\"failed_logins_per_address\"}");
  }

  /**
   * The timing of a 401 cannot tell a real user name from an unknown one: both run exactly one
   * Argon2id check with the same parameters (counted, not timed).
   */
  @Test
  void unknownAndKnownUserNamesCostTheSamePasswordCheck() throws Exception {
    user("bea", "bea-correct-horse");
    long c0 = hasher().checks();
    RawHttp.Response unknown = get("127.0.0.30", "no-such-user", "guess");
    long c1 = hasher().checks();
    RawHttp.Response known = get("127.0.0.31", "bea", "guess");
    long c2 = hasher().checks();
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(known.status()).isEqualTo(401);
    assertThat(unknown.body()).isEqualTo(known.body());
    assertThat(c1 - c0).isEqualTo(1);
    assertThat(c2 - c1).isEqualTo(1);
    // A verified password is not hashed again on the next request ...
    assertThat(get("127.0.0.32", "bea", "bea-correct-horse").status()).isEqualTo(200);
    long c3 = hasher().checks();
    assertThat(get("127.0.0.32", "bea", "bea-correct-horse").status()).isEqualTo(200);
    assertThat(hasher().checks()).isEqualTo(c3);
  }

  /** A remembered password stops working as soon as it is changed or the user is deleted. */
  @Test
  void aChangedPasswordOrADeletedUserTakesEffectAtOnceDespiteTheCache() throws Exception {
    user("carla", "carla-old-password");
    user("dora", "dora-password");
    assertThat(get("127.0.0.40", "carla", "carla-old-password").status()).isEqualTo(200);
    assertThat(get("127.0.0.40", "dora", "dora-password").status()).isEqualTo(200);
    APP.jdbi()
        .useExtension(
            UserDao.class, d -> d.updatePassword("carla", hasher().hash("carla-new-password")));
    APP.jdbi().useExtension(UserDao.class, d -> d.delete("dora"));
    assertThat(get("127.0.0.40", "carla", "carla-old-password").status()).isEqualTo(401);
    assertThat(get("127.0.0.40", "carla", "carla-new-password").status()).isEqualTo(200);
    assertThat(get("127.0.0.40", "dora", "dora-password").status()).isEqualTo(401);
  }

  /**
   * 40 clients (different addresses and user names, so that no rate limit stops them) send wrong
   * passwords at once: never more Argon2id checks run together than the bound (1 here), and each
   * gets 401 or, when too many wait, 503 with Retry-After.
   */
  @Test
  void aFloodOfWrongPasswordsRunsAtMostTheBoundOfChecksAtOnce() throws Exception {
    int clients = 40;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<RawHttp.Response>> answers = new ArrayList<>();
    try {
      for (int i = 0; i < clients; i++) {
        String from = "127.0.1." + (10 + i);
        String name = "flood-" + i;
        answers.add(
            pool.submit(
                () -> {
                  go.await();
                  return get(from, name, "guess");
                }));
      }
      go.countDown();
      int busy = 0;
      for (Future<RawHttp.Response> f : answers) {
        RawHttp.Response r = f.get();
        assertThat(r.status()).as(r.toString()).isIn(401, 503);
        if (r.status() == 503) {
          busy++;
          assertThat(r.body()).contains("password_checks_busy");
          assertThat(r.header("Retry-After")).isNotBlank();
        }
      }
      assertThat(hasher().maxConcurrent()).isEqualTo(1);
      assertThat(hasher().peakConcurrent()).isEqualTo(1);
      assertThat(limited("password_checks_busy")).isGreaterThanOrEqualTo(busy);
      String metrics =
          new String(
              new Api(APP.adminBase(), null).get("/metrics").raw().body(), StandardCharsets.UTF_8);
      assertThat(metrics).contains("enlace_password_checks_running_peak 1.0");
    } finally {
      pool.shutdownNow();
    }
  }
}
