package org.enlace.agent.config;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import org.enlace.agent.journal.JournalConfig;
import org.enlace.agent.probe.ProbeConfig;
import org.jspecify.annotations.Nullable;

/**
 * The agent's settings, from a Java properties file ({@code agent.properties}); every key has a
 * default, documented in docs/agent.md and in the sample agent/packaging/agent.properties.
 */
public record AgentConfig(
    Optional<URI> serverUrl,
    String role,
    Duration interval,
    Duration jitter,
    ProbeConfig probes,
    Optional<URI> proxy,
    Optional<Path> caFile,
    int batchMaxObservations,
    long batchMaxBytes,
    Duration minBackoff,
    Duration maxBackoff,
    Duration requestTimeout,
    JournalConfig journal,
    long logMaxBytes,
    int logFiles,
    SpeedTestConfig speedTest) {

  public static final String FILE_NAME = "agent.properties";

  /**
   * Each setting within a range an operator can mean, named by its key in agent.properties so the
   * error says which line to fix. The journal's and the speed test's own rules are checked by their
   * records.
   */
  public AgentConfig {
    // A round a second apart is for tests and the lab; an hour apart would miss most outages.
    between("check.interval", interval, Duration.ofSeconds(1), Duration.ofHours(1));
    // Rounds vary by ± half the jitter: more than the interval would let them overlap.
    if (jitter.isNegative() || jitter.compareTo(interval) > 0) {
      throw new IllegalArgumentException(
          "check.jitter: '"
              + text(jitter)
              + "' must be between 0s and check.interval ("
              + text(interval)
              + ")");
    }
    between("check.timeout", probes.timeout(), Duration.ofMillis(100), Duration.ofSeconds(60));
    // The server refuses a report of more than 5000 observations (ingest.maxObservationsPerReport)
    // and a body over 1 MiB (ingest.maxBodySize) by default.
    between("upload.batchMaxObservations", batchMaxObservations, 1, 5_000, "1", "5000");
    between("upload.batchMaxBytes", batchMaxBytes, 1L << 10, 1L << 20, "1KiB", "1MiB");
    between("upload.minBackoff", minBackoff, Duration.ofMillis(100), Duration.ofHours(1));
    between("upload.maxBackoff", maxBackoff, Duration.ofSeconds(1), Duration.ofDays(1));
    if (minBackoff.compareTo(maxBackoff) > 0) {
      throw new IllegalArgumentException(
          "upload.minBackoff: '"
              + text(minBackoff)
              + "' must not be longer than upload.maxBackoff ("
              + text(maxBackoff)
              + ")");
    }
    between("upload.timeout", requestTimeout, Duration.ofSeconds(1), Duration.ofMinutes(10));
    // A log file under 64 KiB rotates every few minutes when something goes wrong, which is when
    // the log is needed; over 100 MiB it fills a small disk.
    between("log.maxBytes", logMaxBytes, 64L << 10, 100L << 20, "64KiB", "100MiB");
    between("log.files", logFiles, 1, 100, "1", "100");
  }

  private static void between(String key, Duration value, Duration min, Duration max) {
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          key + ": '" + text(value) + "' must be between " + text(min) + " and " + text(max));
    }
  }

  private static void between(
      String key, long value, long min, long max, String minText, String maxText) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          key + ": '" + value + "' must be between " + minText + " and " + maxText);
    }
  }

  /** A duration as agent.properties writes it: 500ms, 30s, 5m, 2h, 1d. */
  static String text(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    long s = ms / 1000;
    if (s != 0 && s % 86_400 == 0) {
      return s / 86_400 + "d";
    }
    if (s != 0 && s % 3_600 == 0) {
      return s / 3_600 + "h";
    }
    if (s != 0 && s % 60 == 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }

  public static AgentConfig defaults() {
    return from(new Properties());
  }

  public static AgentConfig load(Path file) throws IOException {
    Properties p = new Properties();
    if (Files.exists(file)) {
      // Edited by people, on Windows too: any encoding Notepad or PowerShell writes.
      try (Reader r = new StringReader(TextFiles.read(file))) {
        p.load(r);
      }
    }
    return from(p);
  }

  public static AgentConfig from(Properties p) {
    Duration timeout = duration(p, "check.timeout", "5s");
    JournalConfig jd = JournalConfig.defaults();
    return new AgentConfig(
        nonBlank(p.getProperty("server.url")).map(URI::create),
        p.getProperty("role", "office"),
        duration(p, "check.interval", "60s"),
        duration(p, "check.jitter", "10s"),
        new ProbeConfig(
            list(p, "dns.names", "www.gov.co,www.elcontadero-narino.gov.co"),
            list(p, "dns.servers", ""),
            list(p, "http.targets", "https://www.gov.co/,https://www.elcontadero-narino.gov.co/")
                .stream()
                .map(URI::create)
                .toList(),
            nonBlank(
                    p.getProperty(
                        "captivePortal.url", "http://connectivitycheck.gstatic.com/generate_204"))
                .map(URI::create),
            p.getProperty("captivePortal.expectedBody", ""),
            list(p, "tcp.targets", "www.gov.co:443"),
            list(p, "lan.targets", ""),
            timeout),
        nonBlank(p.getProperty("proxy")).map(URI::create),
        nonBlank(p.getProperty("tls.caFile")).map(Path::of),
        Integer.parseInt(p.getProperty("upload.batchMaxObservations", "500")),
        size(p, "upload.batchMaxBytes", "768KiB"),
        duration(p, "upload.minBackoff", "5s"),
        duration(p, "upload.maxBackoff", "15m"),
        duration(p, "upload.timeout", "60s"),
        journal(
            size(p, "journal.maxDiskBytes", Long.toString(jd.maxDiskBytes())),
            jd.segmentBytes(),
            duration(p, "journal.syncInterval", "0s")),
        size(p, "log.maxBytes", "1MiB"),
        Integer.parseInt(p.getProperty("log.files", "5")),
        new SpeedTestConfig(
            bool(p, "speedTest.enabled", "true"),
            Integer.parseInt(p.getProperty("speedTest.connections", "1").trim()),
            bool(p, "speedTest.mlab.enabled", "false"),
            URI.create(
                p.getProperty("speedTest.mlab.locateUrl", SpeedTestConfig.DEFAULT_LOCATE_URL)
                    .trim()),
            size(p, "speedTest.mlab.maxBytes", "40MiB")));
  }

  /** JournalConfig's own checks, their errors named by the keys of agent.properties. */
  private static JournalConfig journal(long maxDiskBytes, long segmentBytes, Duration sync) {
    try {
      return new JournalConfig(maxDiskBytes, segmentBytes, sync);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("journal." + e.getMessage(), e);
    }
  }

  /** The probe targets with the configured server's own ping added. */
  public ProbeConfig probesWithServer() {
    return serverUrl.map(this::probesWithServer).orElse(probes);
  }

  /** The probe targets with this server's own ping added, so that it is always checked. */
  public ProbeConfig probesWithServer(URI server) {
    URI ping = server.resolve("/api/v1/ping");
    if (probes.httpTargets().contains(ping)) {
      return probes;
    }
    List<URI> targets = new ArrayList<>(probes.httpTargets());
    targets.add(0, ping);
    return new ProbeConfig(
        probes.dnsNames(),
        probes.dnsServers(),
        List.copyOf(targets),
        probes.captivePortalUrl(),
        probes.captivePortalExpectedBody(),
        probes.tcpTargets(),
        probes.lanTargets(),
        probes.timeout());
  }

  private static boolean bool(Properties p, String key, String def) {
    String v = p.getProperty(key, def).trim().toLowerCase(Locale.ROOT);
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException(key + ": '" + v + "' is not true or false");
    }
    return v.equals("true");
  }

  /** A setting's value, trimmed; empty when the setting is absent or blank. */
  private static Optional<String> nonBlank(@Nullable String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.trim());
  }

  private static List<String> list(Properties p, String key, String def) {
    return Arrays.stream(p.getProperty(key, def).split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  /** "500ms", "30s", "5m", "2h", "1d"; a bare number is seconds. */
  public static Duration duration(Properties p, String key, String def) {
    String v = p.getProperty(key, def).trim().toLowerCase(Locale.ROOT);
    try {
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
      }
      char unit = v.charAt(v.length() - 1);
      String n = Character.isDigit(unit) ? v : v.substring(0, v.length() - 1).trim();
      long amount = Long.parseLong(n);
      return switch (Character.isDigit(unit) ? 's' : unit) {
        case 's' -> Duration.ofSeconds(amount);
        case 'm' -> Duration.ofMinutes(amount);
        case 'h' -> Duration.ofHours(amount);
        case 'd' -> Duration.ofDays(amount);
        default -> throw new IllegalArgumentException();
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(key + ": '" + v + "' is not a duration such as 60s, 5m");
    }
  }

  /** "900000", "512KiB", "16MiB". */
  public static long size(Properties p, String key, String def) {
    String v = p.getProperty(key, def).trim();
    try {
      if (v.endsWith("KiB")) {
        return Long.parseLong(v.substring(0, v.length() - 3).trim()) * 1024;
      }
      if (v.endsWith("MiB")) {
        return Long.parseLong(v.substring(0, v.length() - 3).trim()) * 1024 * 1024;
      }
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": '" + v + "' is not a size such as 16MiB");
    }
  }
}
