package org.enlace.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DnsProbeTest {
  private static final Duration TIMEOUT = Duration.ofMillis(800);

  private TinyDnsServer dns;
  private ExecutorService lookups;

  @BeforeEach
  void start() throws Exception {
    dns = new TinyDnsServer(Set.of("www.gov.co", "enlace.test"));
    lookups = Executors.newSingleThreadExecutor();
  }

  @AfterEach
  void stop() throws Exception {
    dns.close();
    lookups.shutdownNow();
  }

  private CheckResults.Dns probe(String name) {
    return new DnsProbe(name, List.of(dns.address()), TIMEOUT, lookups).run();
  }

  @Test
  void knownNameResolves() {
    CheckResults.Dns r = probe("www.gov.co");
    assertThat(r.ok()).isTrue();
    assertThat(r.error()).isNull();
    assertThat(r.name()).isEqualTo("www.gov.co");
    assertThat(r.ms()).isLessThan(TIMEOUT.toMillis());
  }

  @Test
  void aaaaOnlyNameResolves() {
    assertThat(probe("v6only.test").ok()).isTrue();
  }

  @Test
  void unknownNameIsNxdomain() {
    CheckResults.Dns r = probe("nope.test");
    assertThat(r.ok()).isFalse();
    assertThat(r.error()).isEqualTo("nxdomain");
  }

  @Test
  void serverFailureIsServfail() {
    CheckResults.Dns r = probe("servfail.test");
    assertThat(r.ok()).isFalse();
    assertThat(r.error()).isEqualTo("servfail");
  }

  @Test
  void silentServerIsTimeoutWithinTheTimeout() {
    long start = System.nanoTime();
    CheckResults.Dns r = probe("slow.test");
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.ok()).isFalse();
    assertThat(r.error()).isEqualTo("timeout");
    assertThat(elapsedMs).isBetween(TIMEOUT.toMillis() / 2, TIMEOUT.toMillis() + 700);
  }

  @Test
  void secondServerAnswersWhenTheFirstIsSilent() throws Exception {
    // a bound UDP port that nobody reads: a resolver that never answers
    try (DatagramSocket deaf =
        new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      CheckResults.Dns r =
          new DnsProbe(
                  "www.gov.co",
                  List.of("127.0.0.1:" + deaf.getLocalPort(), dns.address()),
                  TIMEOUT,
                  lookups)
              .run();
      assertThat(r.ok()).isTrue();
    }
  }

  @Test
  void systemResolverResolvesLocalhost() {
    CheckResults.Dns r = new DnsProbe("localhost", List.of(), TIMEOUT, lookups).run();
    assertThat(r.ok()).isTrue();
  }

  @Test
  void systemResolverLookupIsBoundedByTheTimeout() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Future<?> unusedHungLookup =
        lookups.submit(
            () -> {
              release.await(); // the only lookup thread is stuck, as on a hung OS resolver
              return null;
            });
    try {
      long start = System.nanoTime();
      CheckResults.Dns r = new DnsProbe("localhost", List.of(), TIMEOUT, lookups).run();
      assertThat(r.error()).isEqualTo("timeout");
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(TIMEOUT.toMillis() + 500);
    } finally {
      release.countDown();
    }
  }

  @Test
  void badServerSpecIsReportedNotThrown() {
    CheckResults.Dns r = new DnsProbe("x.test", List.of("127.0.0.1:99999"), TIMEOUT, lookups).run();
    assertThat(r.ok()).isFalse();
    assertThat(r.error()).isEqualTo("invalid_server");
  }
}
