package org.enlace.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.enlace.server.cluster.Replicas.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.testing.ConfigOverride;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.enlace.server.app.EnlaceApplication;
import org.enlace.server.snmp.testing.MibState;
import org.enlace.server.snmp.testing.Snmpd;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.ConfigOverrides;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.Waits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One router (a real snmpd whose counters run at 95 % of the link's contract) and two replicas
 * polling every 2 s: exactly one of them polls it; when that one dies the other takes it over
 * within two intervals; and while both poll it (the dead one's poller kept running, the worst case)
 * and across the hand-over, the stored samples form one chain without overlap, so no second is
 * counted twice in the minutes over 80 %.
 */
@ExtendWith(ConfigOverrides.class)
class SnmpReplicasTest {
  static final long INTERVAL_MS = 2_000;

  /** 9.5 of 10 Mbit/s down and 1.9 of 2 Mbit/s up, in octets per second. */
  static final long IN_RATE = 9_500_000 / 8;

  static final long OUT_RATE = 1_900_000 / 8;

  record Sample(Instant startedAt, Instant endedAt, Double inPct, Double outPct, String gap) {}

  @Test
  void oneReplicaPollsTheRouterAnotherTakesItOverAndNoIntervalIsCountedTwice() throws Exception {
    Snmpd.assumeInstalled();
    MibState mib = new MibState().live(System.currentTimeMillis()).uptime(100_000_000L);
    mib.iface(1, i -> i.name("lo").descr("lo").highSpeedMbps(0));
    mib.iface(
        2,
        i ->
            i.name("wan0")
                .descr("eth1")
                .oper(1)
                .highSpeedMbps(100)
                .hcIn(5_000_000_000L)
                .hcOut(2_000_000_000L)
                .rate(IN_RATE, OUT_RATE));
    try (Snmpd snmpd = Snmpd.builder().state(mib).start();
        Replicas r = new Replicas()) {
      List<TestApp> apps =
          r.start(
              2,
              ConfigOverride.config("snmp.interval", INTERVAL_MS + " milliseconds"),
              ConfigOverride.config("snmp.timeout", "1 second"),
              ConfigOverride.config("snmp.retries", "0"));
      long link = router(r.it(), snmpd);
      Waits.await("three samples", Duration.ofSeconds(30), () -> samples(apps.get(0), link) >= 3);

      List<TestApp> polling = apps.stream().filter(a -> polls(a) > 0).toList();
      assertThat(polling).as("replicas that polled the router").hasSize(1);
      TestApp owner = polling.get(0);
      TestApp other = r.runningOther(owner);
      assertThat(cluster(owner).owns(deviceOf(owner, link))).isTrue();
      assertThat(cluster(other).owns(deviceOf(owner, link))).isFalse();

      // The owner dies as far as the others can tell, but its poller goes on polling.
      long halted = System.nanoTime();
      cluster(owner).halt();
      long deadline = halted + Duration.ofSeconds(15).toNanos();
      while (polls(other) == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      long tookMs = (System.nanoTime() - halted) / 1_000_000;
      System.out.printf("router taken over %d ms after its replica died%n", tookMs);
      assertThat(polls(other)).isPositive();
      assertThat(tookMs).isLessThanOrEqualTo(2 * INTERVAL_MS);

      // Both poll it for three intervals, then the dead one stops; the other goes on alone.
      double ownerPolls = polls(owner);
      double otherPolls = polls(other);
      Thread.sleep(3 * INTERVAL_MS);
      assertThat(polls(owner)).isGreaterThan(ownerPolls);
      assertThat(polls(other)).isGreaterThan(otherPolls);
      r.stop(owner);
      long before = samples(other, link);
      Waits.await(
          "samples from the remaining replica",
          Duration.ofSeconds(15),
          () -> samples(other, link) >= before + 2);

      List<Sample> chain = chain(other, link);
      double covered = 0;
      double above80 = 0;
      for (int i = 0; i < chain.size(); i++) {
        Sample s = chain.get(i);
        if (i > 0) {
          assertThat(s.startedAt())
              .as("sample %d starts where sample %d ended: %s", i, i - 1, chain)
              .isEqualTo(chain.get(i - 1).endedAt());
        }
        double seconds = Duration.between(s.startedAt(), s.endedAt()).toNanos() / 1e9;
        covered += seconds;
        if (s.gap() == null && Math.max(s.inPct(), s.outPct()) > 80) {
          above80 += seconds;
        }
      }
      double span =
          Duration.between(chain.get(0).startedAt(), chain.get(chain.size() - 1).endedAt())
                  .toNanos()
              / 1e9;
      System.out.printf(
          "samples=%d span=%.3f s covered=%.3f s above80=%.3f s%n",
          chain.size(), span, covered, above80);
      // Two polls of the same slot are not stored as a restart or a wild rate (MIN_INTERVAL).
      assertThat(chain).as("gaps").allMatch(s -> s.gap() == null);
      assertThat(covered).isCloseTo(span, org.assertj.core.data.Offset.offset(0.001));
      assertThat(above80).isLessThanOrEqualTo(span + 0.001).isGreaterThan(0.8 * span);
    }
  }

  static long router(Api it, Snmpd snmpd) {
    assertThat(
            it.post(
                    "/api/v1/establishments",
                    Api.object()
                        .put("code", "router-1")
                        .put("name", "Alcaldía")
                        .put("kind", "town_hall")
                        .put("sector", "administration"))
                .status())
        .isEqualTo(201);
    Api.Response link =
        it.post(
            "/api/v1/establishments/router-1/links",
            Api.object()
                .put("ispName", "ISP Andina")
                .put("contractedDownMbps", 10)
                .put("contractedUpMbps", 2));
    assertThat(link.status()).as(link.toString()).isEqualTo(201);
    long linkId = link.body().get("id").asLong();
    ObjectNode body =
        Api.object().put("name", "Router").put("address", "127.0.0.1").put("port", snmpd.port());
    body.putObject("snmp").put("version", "v2c").put("community", snmpd.community());
    body.putArray("interfaces").add(Api.object().put("linkId", linkId).put("ifName", "wan0"));
    Api.Response r = it.post("/api/v1/establishments/router-1/devices", body);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return linkId;
  }

  static double polls(TestApp app) {
    var c =
        ((EnlaceApplication) app.extension().getApplication())
            .meters()
            .find("enlace.snmp.polls")
            .counter();
    return c == null ? 0 : c.count();
  }

  static long deviceOf(TestApp app, long link) {
    return app.jdbi()
        .withHandle(
            h ->
                h.createQuery("SELECT device_id FROM device_links WHERE link_id = :l")
                    .bind("l", link)
                    .mapTo(Long.class)
                    .one());
  }

  static long samples(TestApp app, long link) {
    return app.jdbi()
        .withHandle(
            h ->
                h.createQuery("SELECT count(*) FROM link_samples WHERE link_id = :l")
                    .bind("l", link)
                    .mapTo(Long.class)
                    .one());
  }

  static List<Sample> chain(TestApp app, long link) {
    return app.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        "SELECT started_at, ended_at, in_pct, out_pct, gap FROM link_samples"
                            + " WHERE link_id = :l ORDER BY ended_at")
                    .bind("l", link)
                    .map(
                        (rs, ctx) ->
                            new Sample(
                                rs.getObject(1, java.time.OffsetDateTime.class).toInstant(),
                                rs.getObject(2, java.time.OffsetDateTime.class).toInstant(),
                                (Double) rs.getObject(3),
                                (Double) rs.getObject(4),
                                rs.getString(5)))
                    .list());
  }
}
