package org.enlace.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.enlace.agent.probe.StubHttpServer.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Whole rounds against loopback servers: a web server, a DNS server, a listening socket. */
class CheckRunnerTest {
  static final Duration TIMEOUT = Duration.ofMillis(800);
  static final Instant NOW = Instant.parse("2026-11-20T14:00:12Z");
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private StubHttpServer web;
  private TinyDnsServer dns;
  private ServerSocket router;

  @BeforeEach
  void start() throws Exception {
    web = new StubHttpServer();
    web.on("/api/v1/ping", Answer.status(204));
    web.on("/", Answer.status(200).body("<html>www.gov.co</html>"));
    dns = new TinyDnsServer(Set.of("www.gov.co"));
    router = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  }

  @AfterEach
  void stop() throws Exception {
    web.close();
    dns.close();
    router.close();
  }

  /** Internet targets on 127.0.0.1; the "router" (LAN) is named localhost so it differs. */
  private ProbeConfig config(
      List<String> dnsNames, List<URI> http, List<String> tcp, List<String> lan) {
    return new ProbeConfig(
        dnsNames,
        List.of(dns.address()),
        http,
        Optional.of(web.url("/generate_204")),
        "",
        tcp,
        lan,
        TIMEOUT);
  }

  private ProbeConfig healthy() {
    return config(
        List.of("www.gov.co"),
        List.of(web.url("/api/v1/ping"), web.url("/")),
        List.of("127.0.0.1:" + web.port()),
        List.of("localhost:" + router.getLocalPort()));
  }

  private static RoundResult round(ProbeConfig config) {
    try (CheckRunner runner = new CheckRunner(config, ProxySupport.DIRECT_ONLY, CLOCK)) {
      return runner.run();
    }
  }

  @Test
  void honest204MeansOnline() {
    web.on("/generate_204", Answer.status(204));
    RoundResult r = round(healthy());

    assertThat(r.at()).isEqualTo(NOW);
    assertThat(r.status()).isEqualTo(Status.ONLINE);
    assertThat(r.reason()).isEqualTo("all probes ok");
    CheckResults c = r.checks();
    assertThat(c.dns()).singleElement().satisfies(d -> assertThat(d.ok()).isTrue());
    assertThat(c.http()).extracting(CheckResults.Http::status).containsExactly(204, 200);
    assertThat(c.latency()).singleElement().satisfies(l -> assertThat(l.ok()).isTrue());
    assertThat(c.captivePortal())
        .hasValueSatisfying(
            p -> {
              assertThat(p.ok()).isTrue();
              assertThat(p.intercepted()).isFalse();
            });
    assertThat(c.loss()).isZero();
  }

  @Test
  void loginPageMeansLimited() {
    web.on("/generate_204", Answer.status(200).body(CaptivePortalProbeTest.LOGIN_PAGE));
    RoundResult r = round(healthy());

    assertThat(r.status()).isEqualTo(Status.LIMITED);
    assertThat(r.reason())
        .isEqualTo("captive portal intercepts " + web.url("/generate_204") + " (http_200)");
    assertThat(r.checks().captivePortal())
        .hasValueSatisfying(
            p -> {
              assertThat(p.intercepted()).isTrue();
              assertThat(p.status()).isEqualTo(200);
            });
    assertThat(r.checks().loss()).isZero(); // the portal answered: intercepted, not lost
  }

  @Test
  void redirectToAPortalMeansLimited() {
    web.on("/generate_204", Answer.status(302).header("Location", "http://10.0.0.1/login"));
    RoundResult r = round(healthy());

    assertThat(r.status()).isEqualTo(Status.LIMITED);
    assertThat(r.reason()).startsWith("captive portal intercepts ").endsWith("(http_302)");
  }

  @Test
  void onlyTheLanAnswersMeansLimited() throws Exception {
    int closed = StubHttpServer.closedPort();
    ProbeConfig config =
        config(
            List.of("slow.gov.co"),
            List.of(URI.create("http://127.0.0.1:" + closed + "/")),
            List.of("127.0.0.1:" + closed),
            List.of("localhost:" + router.getLocalPort()));
    config =
        new ProbeConfig(
            config.dnsNames(),
            config.dnsServers(),
            config.httpTargets(),
            Optional.of(URI.create("http://127.0.0.1:" + closed + "/generate_204")),
            "",
            config.tcpTargets(),
            config.lanTargets(),
            TIMEOUT);
    RoundResult r = round(config);

    assertThat(r.status()).isEqualTo(Status.LIMITED);
    assertThat(r.reason()).startsWith("LAN works, internet unreachable; 0 of 3 internet targets");
    assertThat(r.checks().loss()).isEqualTo(1.0);
  }

  @Test
  void nothingAnswersMeansOfflineWithinTheTimeout() throws Exception {
    int closed = StubHttpServer.closedPort();
    ProbeConfig config =
        new ProbeConfig(
            List.of("slow.gov.co"),
            List.of(dns.address()),
            List.of(URI.create("http://127.0.0.1:" + closed + "/api/v1/ping")),
            Optional.of(URI.create("http://127.0.0.1:" + closed + "/generate_204")),
            "",
            List.of("127.0.0.1:" + closed),
            List.of("localhost:" + closed),
            TIMEOUT);
    long start = System.nanoTime();
    RoundResult r = round(config);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;

    assertThat(r.status()).isEqualTo(Status.OFFLINE);
    assertThat(r.reason()).isEqualTo("no network: every probe failed");
    assertThat(r.checks().loss()).isEqualTo(1.0);
    assertThat(r.checks().dns())
        .singleElement()
        .satisfies(d -> assertThat(d.error()).isEqualTo("timeout"));
    // 5 probes on 4 threads, all concurrent: about one timeout, not five
    assertThat(elapsedMs).isLessThan(2 * TIMEOUT.toMillis() + 500);
  }

  @Test
  void lossCountsFailedProbesOverAllProbes() {
    web.on("/generate_204", Answer.status(204));
    web.on("/broken", Answer.status(500));
    // 2 dns (1 fails) + 2 http (1 fails) + 1 tcp + 1 portal = 6 probes, 2 failed
    ProbeConfig config =
        config(
            List.of("www.gov.co", "nope.gov.co"),
            List.of(web.url("/api/v1/ping"), web.url("/broken")),
            List.of("127.0.0.1:" + web.port()),
            List.of());
    RoundResult r = round(config);

    assertThat(r.status()).isEqualTo(Status.ONLINE);
    assertThat(r.checks().loss()).isEqualTo(2.0 / 6.0);
    assertThat(r.reason())
        .isEqualTo(
            "online; 1 of 2 http targets failed: "
                + web.url("/broken")
                + " (http_500); 1 of 2 dns names failed: nope.gov.co (nxdomain)");
  }

  @Test
  void manySlowTargetsRunConcurrentlyOnFourReusedDaemonThreads() {
    web.on("/generate_204", Answer.status(204));
    web.on("/slowish", Answer.status(200).delay(300));
    List<URI> eight = IntStream.range(0, 8).mapToObj(i -> web.url("/slowish")).toList();
    ProbeConfig config = config(List.of(), eight, List.of(), List.of());
    try (CheckRunner runner = new CheckRunner(config, ProxySupport.DIRECT_ONLY, CLOCK)) {
      for (int round = 0; round < 3; round++) {
        long start = System.nanoTime();
        RoundResult r = runner.run();
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.status()).isEqualTo(Status.ONLINE);
        assertThat(r.checks().http()).allSatisfy(h -> assertThat(h.ok()).isTrue());
        // 9 probes of ~300 ms on 4 threads: 3 waves, far less than 9 × 300 ms in a row
        assertThat(elapsedMs).isLessThan(1_800);
      }
      List<Thread> probeThreads =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getName().startsWith("enlace-probe-"))
              .toList();
      assertThat(probeThreads)
          .hasSizeLessThanOrEqualTo(CheckRunner.THREADS)
          .allSatisfy(t -> assertThat(t.isDaemon()).isTrue());
    }
  }

  @Test
  void aClosedRunnerStillAnswersWithoutThrowing() {
    CheckRunner runner = new CheckRunner(healthy(), ProxySupport.DIRECT_ONLY, CLOCK);
    runner.close();
    RoundResult r = runner.run();
    assertThat(r.status()).isEqualTo(Status.OFFLINE);
    assertThat(r.checks().http()).allSatisfy(h -> assertThat(h.error()).isEqualTo("stopped"));
  }
}
