package org.enlace.agent.run;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.enlace.agent.probe.CheckResults;
import org.enlace.agent.probe.RoundResult;
import org.jspecify.annotations.Nullable;

/** One round as a protocol v1 observation (docs/protocol.md), as journaled and sent. */
public final class ObservationJson {
  /** RFC 3339 with seconds always present (OffsetDateTime.toString drops ":00"). */
  static final DateTimeFormatter RFC3339 =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX");

  private ObservationJson() {}

  public static byte[] encode(long seq, RoundResult round, Optional<Long> clockOffsetMs) {
    return encode(seq, round, clockOffsetMs, Map.of());
  }

  /**
   * With optional fields after {@code checks}: {@code speedTest} (a test's result) and {@code
   * interfaceCounters} (passive counters), as docs/protocol.md describes them.
   */
  public static byte[] encode(
      long seq, RoundResult round, Optional<Long> clockOffsetMs, Map<String, Object> extra) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("seq", seq);
    // Local time with its offset: readable in a support session, exact for the server.
    o.put("observedAt", RFC3339.format(round.at().atZone(ZoneId.systemDefault())));
    clockOffsetMs.ifPresent(off -> o.put("clockOffsetMs", off));
    o.put("status", round.status().wire());
    o.put("reason", round.reason());
    o.put("checks", checks(round.checks()));
    o.putAll(extra);
    try {
      return JSON.std.asBytes(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, Object> checks(CheckResults c) {
    Map<String, Object> m = new LinkedHashMap<>();
    List<Object> dns = new ArrayList<>();
    for (CheckResults.Dns d : c.dns()) {
      dns.add(entry("name", d.name(), "ok", d.ok(), "ms", d.ms(), "error", d.error()));
    }
    List<Object> http = new ArrayList<>();
    for (CheckResults.Http h : c.http()) {
      http.add(
          entry(
              "url",
              h.url(),
              "ok",
              h.ok(),
              "status",
              h.status(),
              "ms",
              h.ms(),
              "error",
              h.error()));
    }
    List<Object> latency = new ArrayList<>();
    for (CheckResults.Latency l : c.latency()) {
      latency.add(
          entry(
              "target",
              l.target(),
              "ok",
              l.ok(),
              "ms",
              Math.round(l.ms() * 10) / 10.0,
              "error",
              l.error()));
    }
    m.put("dns", dns);
    m.put("http", http);
    m.put("latency", latency);
    c.captivePortal()
        .ifPresent(
            p ->
                m.put(
                    "captivePortal",
                    entry(
                        "url",
                        p.url(),
                        "ok",
                        p.ok(),
                        "intercepted",
                        p.intercepted(),
                        "status",
                        p.status(),
                        "ms",
                        p.ms(),
                        "error",
                        p.error())));
    m.put("loss", Math.round(c.loss() * 1000) / 1000.0);
    return m;
  }

  /** Key/value pairs in order; empty error strings are left out to keep the journal small. */
  private static Map<String, Object> entry(@Nullable Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      Object v = kv[i + 1];
      if ("error".equals(kv[i]) && (v == null || (v instanceof String s && s.isEmpty()))) {
        continue;
      }
      m.put((String) kv[i], v);
    }
    return m;
  }
}
