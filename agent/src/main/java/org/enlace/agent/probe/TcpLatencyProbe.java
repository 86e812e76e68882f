package org.enlace.agent.probe;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ExecutorService;

/**
 * TCP connect time to one host:port, in milliseconds with sub-millisecond precision: the closest
 * thing to a ping the JDK offers without raw sockets or administrator rights (ICMP via
 * InetAddress.isReachable needs privileges on most systems and silently falls back to TCP echo).
 *
 * <p>Name resolution (system resolver, bounded, first address) happens before the clock starts, so
 * the time is the TCP handshake only; a lookup failure is "dns_" + its DnsProbe error (dns_timeout,
 * dns_nxdomain). The socket never goes through a SOCKS proxy: this measures the direct path. {@code
 * target} is "host:port" or "[v6]:port"; the whole probe stays within the timeout.
 */
public final class TcpLatencyProbe implements Probe<CheckResults.Latency> {
  private final String target;
  private final Duration timeout;
  private final ExecutorService lookups;

  /** {@code lookups}: where a host name is resolved, within the timeout (SystemResolver). */
  public TcpLatencyProbe(String target, Duration timeout, ExecutorService lookups) {
    this.target = target;
    this.timeout = timeout;
    this.lookups = lookups;
  }

  @Override
  public CheckResults.Latency run() {
    HostPort hp;
    try {
      hp = HostPort.parse(target, 0);
    } catch (IllegalArgumentException e) {
      hp = null;
    }
    if (hp == null || hp.port() == 0) {
      return new CheckResults.Latency(target, false, 0, "invalid_target");
    }
    long resolveStart = System.nanoTime();
    SystemResolver.Result resolved = SystemResolver.resolve(hp.host(), timeout, lookups);
    InetAddress[] addresses = resolved.addresses();
    if (resolved.error() != null || addresses == null) { // a Result has one or the other
      // "dns_" so that a name that does not resolve is not mistaken for a silent host
      return new CheckResults.Latency(
          target, false, millis(resolveStart), "dns_" + resolved.error());
    }
    InetSocketAddress address = new InetSocketAddress(addresses[0], hp.port());
    // the connect gets what the lookup left of the timeout
    long leftMs = timeout.toMillis() - (System.nanoTime() - resolveStart) / 1_000_000;
    int timeoutMs = (int) Math.max(1, Math.min(Integer.MAX_VALUE, leftMs));
    long start = System.nanoTime();
    try (Socket socket = new Socket(Proxy.NO_PROXY)) {
      socket.connect(address, timeoutMs);
      return new CheckResults.Latency(target, true, millis(start), null);
    } catch (IOException | RuntimeException e) {
      return new CheckResults.Latency(target, false, millis(start), ProbeErrors.of(e));
    }
  }

  private static double millis(long startNanos) {
    // three decimals (microseconds) are all a connect time can honestly claim
    return Math.round((System.nanoTime() - startNanos) / 1_000.0) / 1_000.0;
  }
}
