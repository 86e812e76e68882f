package org.enlace.server.speedtest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The measurement side of one ndt7 session (M-Lab's "measurer"): the connection's endpoints and
 * start, its latest TCP_INFO sample (Linux, when the server can read it), and from them the
 * measurement messages the server sends, each followed by a ping. {@link Ndt7Session} owns the
 * WebSocket, the byte counters and the timers, and decides when a measurement is taken and sent.
 */
final class Ndt7Measurer {
  private final Optional<Ndt7TcpInfo> tcpInfo;
  private final ObjectMapper json;
  private final String test;

  // Null until the WebSocket opens, and the addresses stay null for a connection that is not IP.
  private volatile @Nullable InetSocketAddress local;
  private volatile @Nullable InetSocketAddress remote;
  private volatile @Nullable OffsetDateTime startTime;
  private volatile Ndt7TcpInfo.@Nullable Sample lastTcp;
  private volatile long lastTcpMicros;

  Ndt7Measurer(Optional<Ndt7TcpInfo> tcpInfo, ObjectMapper json, String test) {
    this.tcpInfo = tcpInfo;
    this.json = json;
    this.test = test;
  }

  /** The WebSocket is open: its endpoints (null when not IP), and the test's start. */
  void opened(SocketAddress l, SocketAddress r, Instant start) {
    this.startTime = OffsetDateTime.ofInstant(start, ZoneOffset.UTC);
    this.local = l instanceof InetSocketAddress a ? a : null;
    this.remote = r instanceof InetSocketAddress a ? a : null;
  }

  @Nullable InetSocketAddress remote() {
    return remote;
  }

  /** Milliseconds to the next measurement, for a mean interval of {@code mean} ms. */
  static long nextDelayMillis(long mean) {
    // Memoryless (exponential) intervals clamped to [0.1, 2.5] x mean, as M-Lab's measurer.
    double draw = -Math.log(1 - ThreadLocalRandom.current().nextDouble()) * mean;
    return Math.round(Math.min(mean * 2.5, Math.max(mean * 0.1, draw)));
  }

  /**
   * Reads TCP_INFO now when it can (taken at {@code elapsedMicros} into the test) and returns it;
   * otherwise the latest sample, null when there is none.
   */
  Ndt7TcpInfo.@Nullable Sample sampleTcp(long elapsedMicros) {
    if (tcpInfo.isEmpty() || local == null || remote == null) {
      return lastTcp;
    }
    Optional<Ndt7TcpInfo.Sample> s = tcpInfo.get().sample(local, remote);
    if (s.isPresent()) {
      lastTcp = s.get();
      lastTcpMicros = elapsedMicros;
    }
    return lastTcp;
  }

  /**
   * The ndt7 measurement message (spec v0.8.0+ structure), from the server's side: {@code numBytes}
   * of payload after {@code elapsedMicros}, and the latest TCP_INFO sample.
   */
  String json(long elapsedMicros, long numBytes) {
    Map<String, Object> m = new LinkedHashMap<>();
    Map<String, Object> app = new LinkedHashMap<>();
    app.put("ElapsedTime", elapsedMicros);
    app.put("NumBytes", numBytes);
    m.put("AppInfo", app);
    Map<String, Object> conn = new LinkedHashMap<>();
    conn.put("Client", endpoint(remote));
    conn.put("Server", endpoint(local));
    OffsetDateTime started = startTime; // measurements are sent only after the WebSocket opened
    conn.put("StartTime", started == null ? "" : started.toString());
    m.put("ConnectionInfo", conn);
    m.put("Origin", "server");
    m.put("Test", test);
    Ndt7TcpInfo.Sample tcp = lastTcp;
    if (tcp != null) {
      tcp.bbr().ifPresent(b -> m.put("BBRInfo", b.toJson(lastTcpMicros)));
      m.put("TCPInfo", tcp.toJson(lastTcpMicros));
    }
    try {
      return json.writeValueAsString(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static ByteBuffer pingPayload() {
    Instant now = Instant.now();
    long ticks = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    return ByteBuffer.wrap(Long.toString(ticks).getBytes(StandardCharsets.US_ASCII));
  }

  /** Spec: IPv4 verbatim, IPv6 in brackets, then ":port". */
  static String endpoint(@Nullable InetSocketAddress a) {
    if (a == null) {
      return "";
    }
    String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
    int zone = host.indexOf('%');
    if (zone >= 0) {
      host = host.substring(0, zone);
    }
    return (a.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
