package org.enlace.agent.speedtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Passive counters: the cumulative bytes in and out of the interface that carries the default
 * route, sent with every observation ({@code interfaceCounters}, docs/protocol.md) so that the
 * server can tell how busy the link was between reports without any test traffic.
 *
 * <p>Linux only: the interface from {@code /proc/net/route} (the default route with the lowest
 * metric), its counters from {@code /proc/net/dev}; reading two small files costs nothing. On
 * Windows the field is left out: {@code netstat -e} sums every interface and would mean starting a
 * process every minute, and the per-interface API (GetIfTable2) needs native code the agent does
 * not carry (docs/agent.md, "Passive counters").
 */
public final class InterfaceCounters {
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  private final Path procNet;

  public InterfaceCounters(Path procNet) {
    this.procNet = procNet;
  }

  /** /proc/net on Linux, nothing elsewhere. */
  public static InterfaceCounters system() {
    return new InterfaceCounters(Path.of("/proc/net"));
  }

  /** The {@code interfaceCounters} object, or empty where they cannot be read (never throws). */
  public Optional<Map<String, Object>> read() {
    try {
      Path route = procNet.resolve("route");
      Path dev = procNet.resolve("dev");
      if (!Files.isReadable(route) || !Files.isReadable(dev)) {
        return Optional.empty();
      }
      Optional<String> iface =
          defaultInterface(Files.readAllLines(route, StandardCharsets.US_ASCII));
      if (iface.isEmpty()) {
        return Optional.empty();
      }
      return counters(Files.readAllLines(dev, StandardCharsets.US_ASCII), iface.get());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** The default route's interface (destination and mask 0), lowest metric first. */
  static Optional<String> defaultInterface(List<String> routeLines) {
    @Nullable String best = null;
    long bestMetric = Long.MAX_VALUE;
    for (String line : routeLines) {
      String[] f = WHITESPACE.splitAsStream(line.trim()).toArray(String[]::new);
      // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
      if (f.length < 8 || f[0].equals("Iface")) {
        continue;
      }
      int flags = Integer.parseInt(f[3], 16);
      boolean up = (flags & 0x1) != 0;
      if (up && f[1].equals("00000000") && f[7].equals("00000000")) {
        long metric = Long.parseLong(f[6]);
        if (metric < bestMetric) {
          bestMetric = metric;
          best = f[0];
        }
      }
    }
    return Optional.ofNullable(best);
  }

  static Optional<Map<String, Object>> counters(List<String> devLines, String iface) {
    for (String line : devLines) {
      int colon = line.indexOf(':');
      if (colon < 0 || !line.substring(0, colon).trim().equals(iface)) {
        continue;
      }
      String[] f =
          WHITESPACE.splitAsStream(line.substring(colon + 1).trim()).toArray(String[]::new);
      // receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes packets
      // errs ...
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("interface", iface);
      m.put("rxBytes", Long.parseLong(f[0]));
      m.put("txBytes", Long.parseLong(f[8]));
      m.put("rxPackets", Long.parseLong(f[1]));
      m.put("txPackets", Long.parseLong(f[9]));
      m.put("rxErrors", Long.parseLong(f[2]));
      m.put("txErrors", Long.parseLong(f[10]));
      m.put("rxDropped", Long.parseLong(f[3]));
      m.put("txDropped", Long.parseLong(f[11]));
      return Optional.of(m);
    }
    return Optional.empty();
  }
}
