package org.enlace.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TcpLatencyProbeTest {
  static final Duration TIMEOUT = Duration.ofMillis(800);
  static final ExecutorService LOOKUPS =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "test-lookups");
            t.setDaemon(true);
            return t;
          });

  @Test
  void listeningPortConnects() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String target = "127.0.0.1:" + s.getLocalPort();
      CheckResults.Latency r = new TcpLatencyProbe(target, TIMEOUT, LOOKUPS).run();
      assertThat(r.target()).isEqualTo(target);
      assertThat(r.ok()).isTrue();
      assertThat(r.error()).isNull();
      assertThat(r.ms()).isGreaterThan(0.0).isLessThan((double) TIMEOUT.toMillis());
    }
  }

  @Test
  void subMillisecondPrecisionOnLoopback() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      double best = Double.MAX_VALUE;
      for (int i = 0; i < 5; i++) {
        best =
            Math.min(
                best,
                new TcpLatencyProbe("127.0.0.1:" + s.getLocalPort(), TIMEOUT, LOOKUPS).run().ms());
      }
      // a loopback connect takes microseconds: whole milliseconds would say 0 or 1
      assertThat(best).isGreaterThan(0.0).isLessThan(1.0);
    }
  }

  @Test
  void closedPortIsRefused() throws Exception {
    CheckResults.Latency r =
        new TcpLatencyProbe("127.0.0.1:" + StubHttpServer.closedPort(), TIMEOUT, LOOKUPS).run();
    assertThat(r.ok()).isFalse();
    assertThat(r.error()).isEqualTo("refused");
    assertThat(r.ms()).isLessThan((double) TIMEOUT.toMillis());
  }

  @Test
  void ipv6LoopbackInBrackets() throws Exception {
    InetAddress v6 =
        InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    try (ServerSocket s = new ServerSocket(0, 50, v6)) {
      CheckResults.Latency r =
          new TcpLatencyProbe("[::1]:" + s.getLocalPort(), TIMEOUT, LOOKUPS).run();
      assertThat(r.ok()).isTrue();
    } catch (SocketException noIpv6) {
      // a host without IPv6: nothing to test
    }
  }

  @Test
  void targetWithoutPortIsInvalid() {
    CheckResults.Latency r = new TcpLatencyProbe("127.0.0.1", TIMEOUT, LOOKUPS).run();
    assertThat(r.ok()).isFalse();
    assertThat(r.error()).isEqualTo("invalid_target");
    assertThat(new TcpLatencyProbe("127.0.0.1:http", TIMEOUT, LOOKUPS).run().error())
        .isEqualTo("invalid_target");
    assertThat(new TcpLatencyProbe("", TIMEOUT, LOOKUPS).run().error()).isEqualTo("invalid_target");
  }

  @Test
  void hostNamesResolveWithTheSystemResolver() throws Exception {
    try (ServerSocket s =
        new ServerSocket(0, 50, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
      // /etc/hosts (or its Windows twin) knows localhost; it may list ::1 first, so accept
      // a refused IPv6 connect too: the point is that the name was resolved, not "dns_..."
      CheckResults.Latency r =
          new TcpLatencyProbe("localhost:" + s.getLocalPort(), TIMEOUT, LOOKUPS).run();
      assertThat(r.error()).isIn(null, "refused");
    }
  }

  @Test
  void aHungResolverDoesNotHoldTheProbePastTheTimeout() throws Exception {
    ExecutorService stuck = Executors.newSingleThreadExecutor();
    CountDownLatch release = new CountDownLatch(1);
    Future<?> unusedHungLookup =
        stuck.submit(
            () -> {
              release.await();
              return null;
            });
    try {
      long start = System.nanoTime();
      CheckResults.Latency r = new TcpLatencyProbe("router.invalid:80", TIMEOUT, stuck).run();
      assertThat(r.ok()).isFalse();
      assertThat(r.error()).isEqualTo("dns_timeout");
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(TIMEOUT.toMillis() + 500);
    } finally {
      release.countDown();
      stuck.shutdownNow();
    }
  }
}
