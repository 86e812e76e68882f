package org.enlace.server.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.dropwizard.util.Duration;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.File;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.enlace.server.app.EnlaceApplication;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.snmp.testing.MibState;
import org.enlace.server.snmp.testing.Snmpd;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The poller against a real Net-SNMP snmpd whose IF-MIB the test scripts (pass_persist): every
 * scenario asserts the rates and gaps stored, exactly. Time is the test's: the poller's clock and
 * the device's sysUpTime advance together by what each step says.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class SnmpPollerTest {
  static final TestApp APP = TestApp.create(ConfigOverride.config("snmp.enabled", "false"));
  static final Instant T0 = Instant.parse("2026-10-05T14:00:00Z");
  static final long UPTIME0 = 8_640_000; // 1 day

  static Snmpd snmpd;
  final TestClock clock = new TestClock(T0);
  MibState mib;
  long uptime;
  SnmpPoller poller;
  PrometheusMeterRegistry meters;
  String code;
  long linkId;

  @SuppressWarnings("unused")
  static final io.dropwizard.testing.junit5.DropwizardAppExtension<?> EXT = APP.extension();

  @BeforeAll
  static void startSnmpd() throws Exception {
    Snmpd.assumeInstalled();
    snmpd = Snmpd.builder().state(new MibState().uptime(UPTIME0)).start();
  }

  @AfterAll
  static void stopSnmpd() {
    if (snmpd != null) {
      snmpd.close();
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    code = "snmp-" + Long.toHexString(System.nanoTime());
    APP.establishment(code, "administration");
    Api.Response link =
        APP.it()
            .post(
                "/api/v1/establishments/" + code + "/links",
                Api.object()
                    .put("ispName", "ISP Andina")
                    .put("contractedDownMbps", 10)
                    .put("contractedUpMbps", 2));
    assertThat(link.status()).as(link.toString()).isEqualTo(201);
    linkId = link.body().get("id").asLong();
    uptime = UPTIME0;
    mib = new MibState().uptime(uptime);
    mib.iface(1, i -> i.name("lo").descr("lo").oper(1).highSpeedMbps(0).hcIn(0).hcOut(0));
    mib.iface(
        2,
        i ->
            i.name("wan0")
                .descr("eth1")
                .alias("ISP Andina")
                .oper(1)
                .highSpeedMbps(100)
                .hcIn(1_000_000)
                .hcOut(500_000)
                .in32(1_000_000)
                .out32(500_000));
    snmpd.state(mib);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (poller != null) {
      poller.stop();
    }
    // Each test polls only its own devices.
    APP.jdbi().useHandle(h -> h.execute("DELETE FROM network_devices"));
  }

  /** Starts a poller on the application's database with the test's clock. */
  void startPoller(SnmpConfig config) throws Exception {
    meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    poller =
        new SnmpPoller(
            APP.jdbi(),
            config,
            SnmpCredentials.from(config, APP.dataDir()),
            new LocalMinutes(ZoneId.of("America/Bogota")),
            meters,
            clock);
    poller.startWithoutSchedule();
  }

  static SnmpConfig fast() {
    return new SnmpConfig()
        .setTimeout(Duration.milliseconds(400))
        .setRetries(0)
        .setMaxSampleInterval(Duration.minutes(5));
  }

  long device(ObjectNode snmp, ObjectNode iface) {
    ObjectNode body =
        Api.object().put("name", "Router").put("address", "127.0.0.1").put("port", snmpd.port());
    body.set("snmp", snmp);
    body.putArray("interfaces").add(iface.put("linkId", linkId));
    Api.Response r = APP.it().post("/api/v1/establishments/" + code + "/devices", body);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.body().get("id").asLong();
  }

  static ObjectNode v2c(String community) {
    return Api.object().put("version", "v2c").put("community", community);
  }

  static ObjectNode v3(Snmpd.V3User u, String authPassword) {
    ObjectNode n =
        Api.object()
            .put("version", "v3")
            .put("user", u.name())
            .put("authProtocol", u.authProtocol())
            .put("authPassword", authPassword);
    if (u.priv()) {
      n.put("privProtocol", u.privProtocol().equals("AES") ? "AES-128" : u.privProtocol())
          .put("privPassword", u.privPassphrase());
    }
    return n;
  }

  static ObjectNode byName(String name) {
    return Api.object().put("ifName", name);
  }

  /** Advances device and wall time together, moving the WAN interface's counters. */
  void step(long seconds, long inOctets, long outOctets) {
    clock.advance(seconds);
    uptime += seconds * 100;
    mib.uptime(uptime);
    mib.iface(2, i -> i.addOctets(inOctets, outOctets));
    snmpd.state(mib);
  }

  void poll() throws InterruptedException {
    poller.pollAllAndStore(5_000);
  }

  record Sample(
      Instant start,
      Instant end,
      Double inBps,
      Double outBps,
      Double inPct,
      Double outPct,
      int bits,
      String gap) {}

  List<Sample> samples() {
    return APP.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        """
                        SELECT started_at, ended_at, in_bps,
                        out_bps, in_pct, out_pct, counter_bits, gap FROM link_samples WHERE link_id = :l
                        ORDER BY ended_at
                        """)
                    .bind("l", linkId)
                    .map(
                        (rs, ctx) ->
                            new Sample(
                                rs.getTimestamp(1).toInstant(),
                                rs.getTimestamp(2).toInstant(),
                                (Double) rs.getObject(3),
                                (Double) rs.getObject(4),
                                (Double) rs.getObject(5),
                                (Double) rs.getObject(6),
                                rs.getInt(7),
                                rs.getString(8)))
                    .list());
  }

  List<String> failures(long device) {
    return APP.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        """
                        SELECT reason || ': ' || detail FROM
                        snmp_poll_failures WHERE device_id = :d ORDER BY id
                        """)
                    .bind("d", device)
                    .mapTo(String.class)
                    .list());
  }

  static Sample rate(Instant start, long seconds, double inBps, double outBps, int bits) {
    return new Sample(
        start,
        start.plusSeconds(seconds),
        inBps,
        outBps,
        inBps / 10e6 * 100,
        outBps / 2e6 * 100,
        bits,
        null);
  }

  static Sample gap(Instant start, long seconds, int bits, String why) {
    return new Sample(start, start.plusSeconds(seconds), null, null, null, null, bits, why);
  }

  @Test
  void steadyTrafficIsStoredAsExactRatesAndPercentOfContract() throws Exception {
    startPoller(fast());
    device(v2c(snmpd.community()), byName("wan0"));
    poll();
    step(60, 7_500_000, 1_500_000);
    poll();
    step(60, 3_750_000, 750_000);
    poll();
    assertThat(samples())
        .containsExactly(
            rate(T0, 60, 1_000_000, 200_000, 64),
            rate(T0.plusSeconds(60), 60, 500_000, 100_000, 64));
    assertThat(
            APP.it()
                .get("/api/v1/devices/" + deviceIdOf())
                .body()
                .at("/interfaces/0/resolvedIfIndex")
                .asInt())
        .isEqualTo(2);
    String scrape = meters.scrape();
    assertThat(scrape)
        .contains(
            "enlace_link_oper_status{establishment=\"" + code + "\",link=\"" + linkId + "\"} 1.0");
    assertThat(scrape)
        .contains(
            "enlace_link_octets_total{direction=\"in\",establishment=\""
                + code
                + "\",link=\""
                + linkId
                + "\"} 1.125E7");
    assertThat(scrape)
        .contains(
            "enlace_link_utilization_ratio{direction=\"in\",establishment=\""
                + code
                + "\",link=\""
                + linkId
                + "\"} 0.05");
    assertThat(scrape)
        .contains(
            "enlace_snmp_device_poll_seconds_count{device=\""
                + deviceIdOf()
                + "\",establishment=\""
                + code
                + "\"} 3");
  }

  long deviceIdOf() {
    return APP.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        """
                              SELECT device_id FROM device_links
                              WHERE link_id = :l
                              """)
                    .bind("l", linkId)
                    .mapTo(Long.class)
                    .one());
  }

  @Test
  void thirtyTwoBitCountersWrapOnceAndAreUsedWhenThereAreNo64BitOnes() throws Exception {
    mib.iface(2, i -> i.hc(false).in32(MibState.MAX_32 - 999_999).out32(100));
    snmpd.state(mib);
    startPoller(fast());
    device(v2c(snmpd.community()), byName("wan0"));
    poll();
    step(60, 7_500_000, 1_500_000);
    poll();
    assertThat(samples()).containsExactly(rate(T0, 60, 1_000_000, 200_000, 32));
  }

  @Test
  void sixtyFourBitCountersWrapOnce() throws Exception {
    mib.iface(2, i -> i.hcIn(-3_000_000L).hcOut(-1L)); // 2^64 - 3e6 and 2^64 - 1
    snmpd.state(mib);
    startPoller(fast());
    device(v2c(snmpd.community()), byName("wan0"));
    poll();
    step(60, 7_500_000, 1_500_000);
    poll();
    assertThat(samples()).containsExactly(rate(T0, 60, 1_000_000, 200_000, 64));
  }

  @Test
  void rebootIsAGapAndTheNextIntervalIsRightAgain() throws Exception {
    startPoller(fast());
    device(v2c(snmpd.community()), byName("wan0"));
    poll();
    // Rebooted 30 s ago: uptime 30 s, counters started again from zero.
    clock.advance(60);
    uptime = 3_000;
    mib.uptime(uptime).iface(2, i -> i.hcIn(2_000).hcOut(1_000));
    snmpd.state(mib);
    poll();
    step(60, 7_500_000, 1_500_000);
    poll();
    assertThat(samples())
        .containsExactly(
            gap(T0, 60, 64, "device_restarted"),
            rate(T0.plusSeconds(60), 60, 1_000_000, 200_000, 64));
  }

  @Test
  void clearedCountersAreAResetGapNeverASpike() throws Exception {
    startPoller(fast());
    device(v2c(snmpd.community()), byName("wan0"));
    poll();
    clock.advance(60);
    uptime += 6_000;
    mib.uptime(uptime).iface(2, i -> i.hcIn(10).hcOut(10));
    snmpd.state(mib);
    poll();
    assertThat(samples()).containsExactly(gap(T0, 60, 64, "counter_reset"));
  }

  @Test
  void aMissedPollAveragesAndALongSilenceIsAGap() throws Exception {
    startPoller(fast());
    device(v2c(snmpd.community()), byName("wan0"));
    poll();
    step(120, 15_000_000, 3_000_000); // one poll missed: the average over 2 minutes
    poll();
    step(600, 1_000, 1_000); // ten minutes of silence: longer than maxSampleInterval
    poll();
    assertThat(samples())
        .containsExactly(
            rate(T0, 120, 1_000_000, 200_000, 64),
            gap(T0.plusSeconds(120), 600, 64, "missed_polls"));
  }

  @Test
  void aRenumberedInterfaceIsFoundByNameAfterAGap() throws Exception {
    startPoller(fast());
    long device = device(v2c(snmpd.community()), byName("wan0"));
    poll();
    // After a firmware upgrade wan0 is ifIndex 5 and index 2 is another interface.
    MibState.Iface old = mib.iface(2);
    long hcIn = old.hcIn();
    long hcOut = old.hcOut();
    mib.removeIface(2);
    mib.iface(2, i -> i.name("lan0").descr("eth0").oper(1).highSpeedMbps(1000).hcIn(5).hcOut(5));
    mib.iface(
        5,
        i ->
            i.name("wan0")
                .descr("eth1")
                .alias("ISP Andina")
                .oper(1)
                .highSpeedMbps(100)
                .hcIn(hcIn + 7_500_000)
                .hcOut(hcOut + 1_500_000));
    clock.advance(60);
    uptime += 6_000;
    mib.uptime(uptime);
    snmpd.state(mib);
    poll();
    clock.advance(60);
    uptime += 6_000;
    mib.uptime(uptime).iface(5, i -> i.addOctets(7_500_000, 1_500_000));
    snmpd.state(mib);
    poll();
    assertThat(samples())
        .containsExactly(
            gap(T0, 60, 64, "interface_changed"),
            rate(T0.plusSeconds(60), 60, 1_000_000, 200_000, 64));
    assertThat(
            APP.it()
                .get("/api/v1/devices/" + device)
                .body()
                .at("/interfaces/0/resolvedIfIndex")
                .asInt())
        .isEqualTo(5);
  }

  @Test
  void wrongCommunityIsATimeoutFailureAndNothingElse() throws Exception {
    startPoller(fast());
    long device = device(v2c("not-the-community"), byName("wan0"));
    poll();
    step(60, 7_500_000, 1_500_000);
    poll();
    assertThat(samples()).isEmpty();
    assertThat(failures(device)).hasSize(2).allMatch(f -> f.startsWith("timeout: "));
    assertThat(APP.it().get("/api/v1/devices/" + device).body().at("/status/lastFailure").asText())
        .isEqualTo("timeout");
  }

  @Test
  void wrongV3PasswordIsAnAuthFailure() throws Exception {
    startPoller(fast());
    long device = device(v3(Snmpd.AUTH_PRIV_SHA, "not-the-password"), byName("wan0"));
    poll();
    assertThat(samples()).isEmpty();
    assertThat(failures(device)).singleElement().asString().startsWith("auth_failure: ");
  }

  @Test
  void v3ShaAes128AndSha256Aes256Poll() throws Exception {
    startPoller(fast());
    long device =
        device(
            v3(Snmpd.AUTH_PRIV_SHA256_AES256, Snmpd.AUTH_PRIV_SHA256_AES256.authPassphrase()),
            byName("wan0"));
    poll();
    step(60, 7_500_000, 1_500_000);
    poll();
    assertThat(failures(device)).isEmpty();
    assertThat(samples()).containsExactly(rate(T0, 60, 1_000_000, 200_000, 64));
    // Same device, switched to SHA/AES-128: the engine is looked up again with the new user.
    ObjectNode body =
        Api.object().put("name", "Router").put("address", "127.0.0.1").put("port", snmpd.port());
    body.set("snmp", v3(Snmpd.AUTH_PRIV_SHA, Snmpd.AUTH_PRIV_SHA.authPassphrase()));
    body.putArray("interfaces").add(byName("wan0").put("linkId", linkId));
    assertThat(APP.it().put("/api/v1/devices/" + device, body).status()).isEqualTo(200);
    poller.inventoryChanged();
    step(60, 3_750_000, 750_000);
    poll();
    assertThat(failures(device)).isEmpty();
    assertThat(samples())
        .hasSize(2)
        .last()
        .isEqualTo(rate(T0.plusSeconds(60), 60, 500_000, 100_000, 64));
  }

  @Test
  void aDeadDeviceTimesOutWithoutDelayingAnother() throws Exception {
    // A long timeout, so that "not delayed" is far from what a loaded machine adds to a poll.
    startPoller(fast().setTimeout(Duration.seconds(3)));
    long alive = device(v2c(snmpd.community()), byName("wan0"));
    // A second establishment's router that never answers (nothing listens on its port).
    String other = APP.establishment(code + "-b", "citizens");
    long otherLink =
        APP.it()
            .post(
                "/api/v1/establishments/" + other + "/links",
                Api.object()
                    .put("ispName", "ISP B")
                    .put("contractedDownMbps", 4)
                    .put("contractedUpMbps", 1))
            .body()
            .get("id")
            .asLong();
    ObjectNode body = Api.object().put("address", "127.0.0.1").put("port", 9);
    body.set("snmp", v2c("public"));
    body.putArray("interfaces").add(byName("wan0").put("linkId", otherLink));
    long dead =
        APP.it()
            .post("/api/v1/establishments/" + other + "/devices", body)
            .body()
            .get("id")
            .asLong();
    poll();
    step(60, 7_500_000, 1_500_000);
    poll();
    assertThat(samples()).containsExactly(rate(T0, 60, 1_000_000, 200_000, 64));
    assertThat(failures(alive)).isEmpty();
    assertThat(failures(dead)).hasSize(2);
    // The live device's polls took their own time, not the dead one's 3 s timeout.
    double aliveMax =
        meters
            .get("enlace.snmp.device.poll")
            .tag("device", Long.toString(alive))
            .timer()
            .max(TimeUnit.MILLISECONDS);
    assertThat(aliveMax).isLessThan(1_500);
    assertThat(
            meters
                .get("enlace.snmp.device.poll")
                .tag("device", Long.toString(dead))
                .timer()
                .max(TimeUnit.MILLISECONDS))
        .isGreaterThanOrEqualTo(3_000);
  }

  @Test
  void pausedDeviceIsATimeoutThenPollsAgain() throws Exception {
    startPoller(fast());
    long device = device(v2c(snmpd.community()), byName("wan0"));
    poll();
    snmpd.pause();
    try {
      step(60, 7_500_000, 1_500_000);
      poll();
    } finally {
      snmpd.resume();
    }
    step(60, 7_500_000, 1_500_000);
    poll();
    assertThat(failures(device)).singleElement().asString().startsWith("timeout");
    assertThat(samples()).containsExactly(rate(T0, 120, 1_000_000, 200_000, 64));
  }

  @Test
  void linkDownBecomesAnOutageWithItsCauseAndLinkUpCountsTheEstablishment() throws Exception {
    startPoller(fast());
    long id = device(v2c(snmpd.community()), byName("wan0"));
    // Registered before its first poll, as in the field: the test's clock is in October, the row's
    // default is the database's today, and a report expects nothing before the registration.
    APP.jdbi()
        .useHandle(
            h ->
                h.execute(
                    "UPDATE network_devices SET created_at = ? WHERE id = ?",
                    Instant.parse("2026-10-06T13:00:00Z"),
                    id));
    // 09:00 local: up for 3 polls, down for 3, up again; no PC reports at all.
    clock.set(Instant.parse("2026-10-06T14:00:00Z"));
    poll();
    step(60, 0, 0);
    poll();
    mib.iface(2, i -> i.oper(2));
    step(60, 0, 0);
    poll();
    step(60, 0, 0);
    poll();
    step(60, 0, 0);
    poll();
    mib.iface(2, i -> i.oper(1));
    step(60, 0, 0);
    poll();
    List<String> changes =
        APP.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            """
                            SELECT status || '@' ||
                            to_char(at AT TIME ZONE 'UTC', 'HH24:MI:SS') || '/' || source FROM
                            link_status_changes WHERE link_id = :l ORDER BY at
                            """)
                        .bind("l", linkId)
                        .mapTo(String.class)
                        .list());
    assertThat(changes)
        .containsExactly("up@14:00:00/poll", "down@14:02:00/poll", "up@14:05:00/poll");
    ((EnlaceApplication) APP.extension().getApplication()).rollups().drain();
    List<String> outages =
        APP.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            """
                            SELECT
                            to_char(started_at AT TIME ZONE 'UTC', 'HH24:MI') || '-' ||
                            to_char(ended_at AT TIME ZONE 'UTC', 'HH24:MI') || ' ' || cause FROM outages o
                            JOIN establishments e ON e.id = o.establishment_id WHERE e.code = :c
                            """)
                        .bind("c", code)
                        .mapTo(String.class)
                        .list());
    // The minutes of 14:02, 14:03 and 14:04 were seen down; 14:00, 14:01 and 14:05 up.
    assertThat(outages).containsExactly("14:02-14:05 link_down");
    String day =
        APP.jdbi()
            .withHandle(
                h ->
                    h.createQuery(
                            """
                            SELECT concat_ws(' ',
                            link_up_minutes, link_down_minutes, gap_pcs_off_open, gap_link_down_open,
                            computers_reporting, up_minutes, outage_minutes) FROM establishment_days d
                            JOIN establishments e ON e.id = d.establishment_id WHERE e.code = :c
                            """)
                        .bind("c", code)
                        .mapTo(String.class)
                        .one());
    // link up 3, down 3; open gaps: PCs off 3, link down 3; no computer; up 3, outage 3
    assertThat(day).isEqualTo("3 3 3 3 0 3 3");
    Api.Response ind = APP.it().get("/api/v1/indicators?from=2026-10&to=2026-10");
    assertThat(ind.status()).isEqualTo(200);
    assertThat(ind.body().toString()).contains("\"establishments\"");
    Api.Response ev =
        APP.it().get("/api/v1/evidence?period=2026-10&establishment=" + code + "&format=json");
    assertThat(ev.status()).as(ev.toString()).isEqualTo(200);
    assertThat(ev.body().at("/establishments/0/outages/0/cause").asText()).isEqualTo("link_down");
    assertThat(ev.body().at("/establishments/0/availability/linkDownMinutes").asLong())
        .isEqualTo(3);
    assertThat(ev.body().at("/establishments/0/availability/pcsOffMinutes").asLong()).isEqualTo(3);
  }

  static int freeUdpPort() throws Exception {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  List<String> statusChanges() {
    return APP.jdbi()
        .withHandle(
            h ->
                h.createQuery(
                        """
                        SELECT status || '/' || source FROM
                        link_status_changes WHERE link_id = :l ORDER BY at
                        """)
                    .bind("l", linkId)
                    .mapTo(String.class)
                    .list());
  }

  void sendTrap(List<String> auth, int port, String trapOid, int operStatus) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("snmptrap"));
    cmd.addAll(auth);
    cmd.addAll(
        List.of(
            "127.0.0.1:" + port,
            "",
            trapOid,
            "1.3.6.1.2.1.2.2.1.1.2",
            "i",
            "2",
            "1.3.6.1.2.1.2.2.1.7.2",
            "i",
            "1",
            "1.3.6.1.2.1.2.2.1.8.2",
            "i",
            Integer.toString(operStatus)));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
  }

  void awaitStatusChanges(int n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (statusChanges().size() < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  @Test
  void linkDownAndUpTrapsAreRecordedBeforeTheNextPoll() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        new File("/usr/bin/snmptrap").exists(), "snmptrap (Debian package snmp) is not installed");
    SnmpConfig config = fast();
    config.getTraps().setEnabled(true).setBindAddress("127.0.0.1").setPort(freeUdpPort());
    startPoller(config);
    device(v2c(snmpd.community()), byName("wan0"));
    poll(); // up, as polled; the poll also resolves wan0 to ifIndex 2
    clock.advance(10);
    sendTrap(
        List.of("-v", "2c", "-c", snmpd.community()),
        config.getTraps().getPort(),
        "1.3.6.1.6.3.1.1.5.3",
        2);
    awaitStatusChanges(2);
    // A trap from the right address with the wrong community is ignored.
    sendTrap(
        List.of("-v", "2c", "-c", "wrong"), config.getTraps().getPort(), "1.3.6.1.6.3.1.1.5.4", 1);
    Thread.sleep(300);
    poller.client(); // the trap also asked for a poll: wait for what it stored
    poller.pollAllAndStore(5_000);
    assertThat(statusChanges()).startsWith("up/poll", "down/trap");
  }

  @Test
  void v3TrapsAreAcceptedOnlyWithTheDevicesUser() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        new File("/usr/bin/snmptrap").exists(), "snmptrap (Debian package snmp) is not installed");
    SnmpConfig config = fast();
    config.getTraps().setEnabled(true).setBindAddress("127.0.0.1").setPort(freeUdpPort());
    startPoller(config);
    Snmpd.V3User u = Snmpd.AUTH_PRIV_SHA;
    long device = device(v3(u, u.authPassphrase()), byName("wan0"));
    poll();
    clock.advance(10);
    String engine = HexFormat.of().formatHex(poller.client().engineId(device).orElseThrow());
    sendTrap(
        List.of(
            "-v",
            "3",
            "-e",
            "0x" + engine,
            "-u",
            u.name(),
            "-l",
            "authPriv",
            "-a",
            "SHA",
            "-A",
            u.authPassphrase(),
            "-x",
            "AES",
            "-X",
            u.privPassphrase()),
        config.getTraps().getPort(),
        "1.3.6.1.6.3.1.1.5.3",
        2);
    awaitStatusChanges(2);
    assertThat(statusChanges()).containsExactly("up/poll", "down/trap");
    sendTrap(
        List.of(
            "-v",
            "3",
            "-e",
            "0x" + engine,
            "-u",
            u.name(),
            "-l",
            "authPriv",
            "-a",
            "SHA",
            "-A",
            "wrong-password",
            "-x",
            "AES",
            "-X",
            u.privPassphrase()),
        config.getTraps().getPort(),
        "1.3.6.1.6.3.1.1.5.4",
        1);
    Thread.sleep(500);
    assertThat(statusChanges()).containsExactly("up/poll", "down/trap");
  }

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    private volatile Instant now;

    TestClock(Instant now) {
      this.now = now;
    }

    void advance(long seconds) {
      now = now.plusSeconds(seconds);
    }

    void set(Instant t) {
      now = t;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
