package org.enlace.server.speedtest;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's TCP_INFO of one connection, read on Linux through iproute2's {@code ss -tin} (the
 * JDK cannot read TCP_INFO: jdk.net.ExtendedSocketOptions offers no such option, and Jetty does not
 * expose the socket's descriptor). {@code ss} queries the kernel over netlink (inet_diag), which
 * reports the same {@code struct tcp_info} that M-Lab's server reads.
 */
final class Ndt7TcpInfo {
  private static final Logger LOG = LoggerFactory.getLogger(Ndt7TcpInfo.class);
  private static final long TIMEOUT_MS = 2_000;

  /**
   * One sample; counters in bytes, times in microseconds, as in the ndt7 specification. rtt and the
   * counters are what the kernel reported (ss omits zero counters, read here as 0).
   */
  record Sample(
      long busyTime,
      long bytesAcked,
      long bytesReceived,
      long bytesSent,
      long bytesRetrans,
      long minRtt,
      long rtt,
      long rttVar,
      long rwndLimited,
      long sndBufLimited,
      Optional<Bbr> bbr) {
    /** The ndt7 TCPInfo object (field names and units of the specification). */
    Map<String, Object> toJson(long elapsedMicros) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("BusyTime", busyTime);
      m.put("BytesAcked", bytesAcked);
      m.put("BytesReceived", bytesReceived);
      m.put("BytesSent", bytesSent);
      m.put("BytesRetrans", bytesRetrans);
      m.put("ElapsedTime", elapsedMicros);
      m.put("MinRTT", minRtt);
      m.put("RTT", rtt);
      m.put("RTTVar", rttVar);
      m.put("RWndLimited", rwndLimited);
      m.put("SndBufLimited", sndBufLimited);
      return m;
    }
  }

  /** BBR's state (M-Lab's BBRInfo): BW in bytes/s, MinRTT in µs, gains in 1/256 units. */
  record Bbr(long bw, long minRtt, long pacingGain, long cwndGain) {
    Map<String, Object> toJson(long elapsedMicros) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("BW", bw);
      m.put("MinRTT", minRtt);
      m.put("PacingGain", pacingGain);
      m.put("CwndGain", cwndGain);
      m.put("ElapsedTime", elapsedMicros);
      return m;
    }
  }

  private final String ss;

  private Ndt7TcpInfo(String ss) {
    this.ss = ss;
  }

  /** A reader when this system has a working {@code ss}, else empty. */
  static Optional<Ndt7TcpInfo> detect() {
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
      return Optional.empty();
    }
    for (String candidate : new String[] {"/usr/bin/ss", "/bin/ss", "/usr/sbin/ss", "/sbin/ss"}) {
      if (new File(candidate).canExecute()) {
        try {
          run(candidate, "-V");
          LOG.info("event=ndt7_tcp_info source={}", candidate);
          return Optional.of(new Ndt7TcpInfo(candidate));
        } catch (IOException e) {
          LOG.warn("event=ndt7_tcp_info_unavailable ss={} error=\"{}\"", candidate, e.toString());
        }
      }
    }
    LOG.info("event=ndt7_tcp_info_unavailable reason=\"no iproute2 ss\"");
    return Optional.empty();
  }

  /** The connection between local (our end) and remote, if the kernel still knows it. */
  Optional<Sample> sample(InetSocketAddress local, InetSocketAddress remote) {
    try {
      String out =
          run(
              ss,
              "-H",
              "-t",
              "-i",
              "-n",
              "sport = :" + local.getPort() + " and dport = :" + remote.getPort());
      return parse(out, remote.getAddress());
    } catch (IOException | RuntimeException e) {
      LOG.debug("event=ndt7_tcp_info_failed error=\"{}\"", e.toString());
      return Optional.empty();
    }
  }

  private static String run(String... command) throws IOException {
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = p.getInputStream()) {
      in.transferTo(out);
      if (!p.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new IOException("ss timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted");
    }
    if (p.exitValue() != 0) {
      throw new IOException("ss exited " + p.exitValue());
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static final Pattern SOCKET_LINE =
      Pattern.compile("^\\S+\\s+\\d+\\s+\\d+\\s+(\\S+)\\s+(\\S+)\\s*$");

  // As String.split with these literals: trailing empty strings dropped.
  private static final Pattern LINES = Pattern.compile("\n", Pattern.LITERAL);
  private static final Pattern SLASH = Pattern.compile("/", Pattern.LITERAL);
  private static final Pattern COMMA = Pattern.compile(",", Pattern.LITERAL);

  /** ss prints one line per socket, then its details on an indented line. */
  static Optional<Sample> parse(String out, InetAddress remote) {
    String[] lines = LINES.splitAsStream(out).toArray(String[]::new);
    for (int i = 0; i < lines.length; i++) {
      Matcher m = SOCKET_LINE.matcher(lines[i]);
      if (!m.matches()
          || i + 1 >= lines.length
          || !Character.isWhitespace(lines[i + 1].isEmpty() ? 'x' : lines[i + 1].charAt(0))) {
        continue;
      }
      if (remote != null && !sameHost(m.group(2), remote)) {
        continue;
      }
      return Optional.of(parseDetails(lines[i + 1]));
    }
    return Optional.empty();
  }

  private static boolean sameHost(String peer, InetAddress remote) {
    int colon = peer.lastIndexOf(':');
    String host = colon > 0 ? peer.substring(0, colon) : peer;
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int zone = host.indexOf('%');
    if (zone >= 0) {
      host = host.substring(0, zone);
    }
    if (host.regionMatches(true, 0, "::ffff:", 0, 7) && host.indexOf('.') > 0) {
      host = host.substring(7);
    }
    try {
      // Numeric only (ss -n), so this never resolves names.
      InetAddress a = InetAddress.getByName(host);
      return a.equals(remote) || a.getHostAddress().equals(remote.getHostAddress());
    } catch (IOException e) {
      return false;
    }
  }

  private static final Pattern TOKEN = Pattern.compile("(\\w+):(\\S+)");

  static Sample parseDetails(String details) {
    Map<String, String> kv = new LinkedHashMap<>();
    Matcher m = TOKEN.matcher(details);
    while (m.find()) {
      kv.putIfAbsent(m.group(1), m.group(2));
    }
    long rtt = 0;
    long rttVar = 0;
    String rttText = kv.get("rtt");
    if (rttText != null) {
      String[] parts = SLASH.splitAsStream(rttText).toArray(String[]::new);
      rtt = msToMicros(parts[0]);
      rttVar = parts.length > 1 ? msToMicros(parts[1]) : 0;
    }
    Optional<Bbr> bbr = Optional.empty();
    String bbrText = kv.get("bbr");
    if (bbrText != null && bbrText.startsWith("(")) {
      Map<String, String> b = new LinkedHashMap<>();
      for (String part : COMMA.splitAsStream(bbrText.replace("(", "").replace(")", "")).toList()) {
        int c = part.indexOf(':');
        if (c > 0) {
          b.put(part.substring(0, c), part.substring(c + 1));
        }
      }
      bbr =
          Optional.of(
              new Bbr(
                  rateBitsToBytes(b.getOrDefault("bw", "0bps")),
                  msToMicros(b.getOrDefault("mrtt", "0")),
                  Math.round(parseDouble(b.getOrDefault("pacing_gain", "0")) * 256),
                  Math.round(parseDouble(b.getOrDefault("cwnd_gain", "0")) * 256)));
    }
    return new Sample(
        msToMicros(stripUnit(kv.getOrDefault("busy", "0"))),
        parseLong(kv.get("bytes_acked")),
        parseLong(kv.get("bytes_received")),
        parseLong(kv.get("bytes_sent")),
        parseLong(kv.get("bytes_retrans")),
        msToMicros(kv.getOrDefault("minrtt", "0")),
        rtt,
        rttVar,
        msToMicros(stripUnit(kv.getOrDefault("rwnd_limited", "0"))),
        msToMicros(stripUnit(kv.getOrDefault("sndbuf_limited", "0"))),
        bbr);
  }

  /** "1234ms(12.3%)" → "1234". */
  private static String stripUnit(String v) {
    int end = 0;
    while (end < v.length() && (Character.isDigit(v.charAt(end)) || v.charAt(end) == '.')) {
      end++;
    }
    return end == 0 ? "0" : v.substring(0, end);
  }

  private static long msToMicros(String ms) {
    return Math.round(parseDouble(ms) * 1000);
  }

  private static long rateBitsToBytes(String rate) {
    return Math.round(parseDouble(stripUnit(rate)) / 8);
  }

  private static double parseDouble(String v) {
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static long parseLong(@Nullable String v) {
    if (v == null) {
      return 0;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
