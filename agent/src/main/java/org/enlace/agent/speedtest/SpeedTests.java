package org.enlace.agent.speedtest;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.HttpURLConnection;
import java.net.ProxySelector;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.enlace.agent.config.AgentConfig;
import org.enlace.agent.config.Credentials;
import org.enlace.agent.config.SpeedTestConfig;
import org.enlace.agent.probe.ProxySupport;
import org.enlace.agent.upload.AgentVersion;
import org.enlace.agent.upload.ServerClient;
import org.jspecify.annotations.Nullable;

/** Runs the tests a slot allows, asks for slots, finds an M-Lab server, shows progress. */
public final class SpeedTests {
  public static final String METHOD = "ndt7";
  public static final String METHOD_MLAB = "ndt7-mlab";

  private SpeedTests() {}

  /** The server's answer to {@code POST /api/v1/speedtest/slot}. */
  public record SlotAnswer(
      int status,
      Optional<SpeedTestSlot> slot,
      Optional<Duration> retryAfter,
      String error,
      String message) {}

  /**
   * Asks the server for a slot to test now. {@code force}: {"force": true}, a person asking outside
   * the plan; the server still decides (one test per link at a time, monthly budget).
   */
  public static SlotAnswer requestSlot(ServerClient client, Credentials creds, boolean force)
      throws IOException, InterruptedException {
    byte[] body =
        force
            ? "{\"force\":true}".getBytes(StandardCharsets.UTF_8)
            : "{}".getBytes(StandardCharsets.UTF_8);
    ServerClient.Answer a =
        client.postJson(
            creds.serverUrl().resolve("/api/v1/speedtest/slot"),
            body,
            Optional.of(creds.authorization()),
            false);
    Optional<SpeedTestSlot> slot =
        a.status() == 200 ? SpeedTestSlot.fromJson(a.body()) : Optional.empty();
    return new SlotAnswer(a.status(), slot, a.retryAfter(), a.error(), a.message());
  }

  /** How many connections: the command line, else the slot's, else the setting. */
  public static int connections(
      @Nullable Integer commandLine, @Nullable SpeedTestSlot slot, SpeedTestConfig cfg) {
    if (commandLine != null) {
      return Math.max(1, Math.min(16, commandLine));
    }
    return slot != null && slot.connections() > 0 ? slot.connections() : cfg.connections();
  }

  /** The client's options for this agent: its proxy, and its CA file for the Enlace server. */
  public static Ndt7Client.Options options(
      AgentConfig config, boolean enlaceServer, Ndt7Client.Progress progress) throws IOException {
    ProxySelector proxy = ProxySupport.selector(config.proxy(), System.getenv());
    @Nullable SSLContext tls = // null: the JDK's default trust store
        enlaceServer && config.caFile().isPresent() ? sslContext(config.caFile().get()) : null;
    return Ndt7Client.Options.defaults().withNetwork(proxy, tls).withProgress(progress);
  }

  /** The Enlace test of a slot (never throws: a failure is a result with an error). */
  public static SpeedTestResult runSlot(
      URI serverUrl, SpeedTestSlot slot, int connections, Ndt7Client.Options o) {
    URI down;
    URI up;
    try {
      down = SpeedTestSlot.webSocketUri(serverUrl, slot.downloadUrl());
      up = SpeedTestSlot.webSocketUri(serverUrl, slot.uploadUrl());
    } catch (RuntimeException e) {
      return SpeedTestResult.notRun(
          METHOD,
          slot.testId(),
          null,
          connections,
          "unusable test URL from the server: " + e.getMessage());
    }
    return Ndt7Client.run(METHOD, slot.testId(), down, up, connections, slot.maxBytes(), o);
  }

  /** A test against M-Lab's nearest server, found with its locate API (never throws). */
  public static SpeedTestResult runMlab(
      SpeedTestConfig cfg,
      @Nullable ProxySelector proxy, // null: the JVM's default proxy selector
      long maxBytes,
      int connections,
      @Nullable String pairedWith,
      Ndt7Client.Options o) {
    URI[] urls;
    try {
      urls = locate(cfg.mlabLocateUrl(), proxy);
    } catch (IOException e) {
      return SpeedTestResult.notRun(
          METHOD_MLAB, pairedWith, null, connections, "M-Lab locate: " + e.getMessage());
    }
    return Ndt7Client.run(
        METHOD_MLAB,
        pairedWith,
        urls[0],
        urls[1],
        connections,
        maxBytes,
        o.withNetwork(o.proxy(), null));
  }

  /**
   * M-Lab's locate API v2: {@code results[0].urls["wss:///ndt/v7/download"]} and {@code
   * ["wss:///ndt/v7/upload"]}, each with its access token. 204: no capacity. {@code proxies} null:
   * the JVM's default proxy selector.
   */
  static URI[] locate(URI locateUrl, @Nullable ProxySelector proxies) throws IOException {
    // No selector (Options.proxy null): the JVM's default one, as for the test itself.
    HttpURLConnection c =
        (HttpURLConnection)
            (proxies == null
                ? locateUrl.toURL().openConnection()
                : locateUrl.toURL().openConnection(ProxySupport.proxyFor(proxies, locateUrl)));
    c.setConnectTimeout(10_000);
    c.setReadTimeout(10_000);
    c.setRequestProperty("User-Agent", "enlace-agent/" + AgentVersion.get());
    c.setRequestProperty("Accept", "application/json");
    try {
      int status = c.getResponseCode();
      if (status == 204) {
        throw new IOException("M-Lab has no capacity now (204)");
      }
      if (status != 200) {
        throw new IOException("answered HTTP " + status);
      }
      Map<String, Object> body;
      try (InputStream in = c.getInputStream()) {
        body = JSON.std.mapFrom(in.readNBytes(1 << 20));
      }
      if (body.get("results") instanceof List<?> results) {
        for (Object r : results) {
          if (r instanceof Map<?, ?> m && m.get("urls") instanceof Map<?, ?> u) {
            Object down = u.get("wss:///ndt/v7/download");
            Object up = u.get("wss:///ndt/v7/upload");
            if (down == null || up == null) {
              down = u.get("ws:///ndt/v7/download");
              up = u.get("ws:///ndt/v7/upload");
            }
            if (down != null && up != null) {
              return new URI[] {URI.create(down.toString()), URI.create(up.toString())};
            }
          }
        }
      }
      throw new IOException("no ndt7 server in the answer");
    } catch (RuntimeException e) {
      throw new IOException("unreadable answer: " + e.getMessage(), e);
    } finally {
      c.disconnect();
    }
  }

  /** Trusts exactly the certificates in a PEM file (tls.caFile), as uploads do. */
  static SSLContext sslContext(Path caFile) throws IOException {
    return ServerClient.sslContext(caFile);
  }

  /**
   * Progress for a person: on a terminal one line rewritten with \r; otherwise (a log, a pipe) a
   * plain line a second.
   */
  public static Ndt7Client.Progress printer(PrintWriter out, boolean terminal) {
    return new Ndt7Client.Progress() {
      private String lastPhase = "";
      private long lastLine;
      private int width;

      @Override
      public synchronized void update(String phase, double mbps, long bytes, double seconds) {
        String line =
            phase.equals("latency")
                ? "latency   measuring idle round trip…"
                : String.format(
                    Locale.ROOT,
                    "%-9s %s %8.2f Mbit/s %9.1f MB %5.1f s",
                    phase,
                    bar(seconds),
                    mbps,
                    bytes / 1e6,
                    seconds);
        if (terminal) {
          if (!phase.equals(lastPhase) && !lastPhase.isEmpty()) {
            out.print('\n');
          }
          String pad = line.length() < width ? " ".repeat(width - line.length()) : "";
          out.print("\r" + line + pad);
          width = line.length();
          out.flush();
        } else {
          long now = System.nanoTime();
          if (!phase.equals(lastPhase) || now - lastLine >= 1_000_000_000L) {
            out.println(line);
            lastLine = now;
          }
        }
        lastPhase = phase;
      }

      private String bar(double seconds) {
        int n = (int) Math.max(0, Math.min(20, Math.round(seconds * 2)));
        return "[" + "#".repeat(n) + " ".repeat(20 - n) + "]";
      }
    };
  }

  /** Ends a terminal progress line before the result is printed. */
  public static void endProgress(PrintWriter out, boolean terminal) {
    if (terminal) {
      out.println();
    }
  }

  /** The results of one slot: the Enlace test, then M-Lab's when paired. */
  public static List<SpeedTestResult> runScheduled(
      AgentConfig config, URI serverUrl, SpeedTestSlot slot) {
    List<SpeedTestResult> out = new ArrayList<>();
    SpeedTestConfig st = config.speedTest();
    int connections = connections(null, slot, st);
    Ndt7Client.Options o;
    try {
      o = options(config, true, Ndt7Client.Progress.NONE);
    } catch (IOException e) {
      out.add(
          SpeedTestResult.notRun(
              METHOD,
              slot.testId(),
              null,
              connections,
              Objects.requireNonNullElse(e.getMessage(), e.toString())));
      return out;
    }
    out.add(runSlot(serverUrl, slot, connections, o));
    if (st.mlabEnabled()) {
      out.add(runMlab(st, o.proxy(), slot.maxBytes(), connections, slot.testId(), o));
    }
    return out;
  }
}
