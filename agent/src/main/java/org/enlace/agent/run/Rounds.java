package org.enlace.agent.run;

import java.net.ProxySelector;
import java.net.URI;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;
import org.enlace.agent.config.AgentConfig;
import org.enlace.agent.probe.CheckResults;
import org.enlace.agent.probe.CheckRunner;
import org.enlace.agent.probe.ProbeConfig;
import org.enlace.agent.probe.ProxySupport;
import org.enlace.agent.probe.RoundResult;
import org.jspecify.annotations.Nullable;

/** Builds the round of checks from the settings, and prints one for a person. */
public final class Rounds {
  private Rounds() {}

  public static ProxySelector proxySelector(AgentConfig config) {
    return ProxySupport.selector(config.proxy(), System.getenv());
  }

  /** The configured checks, plus the Enlace server's own ping when the agent knows its server. */
  public static Supplier<RoundResult> create(AgentConfig config, Optional<URI> serverUrl) {
    ProbeConfig probes = serverUrl.map(config::probesWithServer).orElseGet(config::probes);
    CheckRunner runner = new CheckRunner(probes, proxySelector(config), Clock.systemUTC());
    return runner::run;
  }

  public static String describe(RoundResult r) {
    StringBuilder sb = new StringBuilder();
    sb.append(r.status().wire().toUpperCase(Locale.ROOT))
        .append(" — ")
        .append(r.reason())
        .append('\n');
    CheckResults c = r.checks();
    c.dns()
        .forEach(
            d ->
                sb.append(
                    String.format(
                        "  dns      %-45s %s %5d ms %s%n",
                        d.name(), mark(d.ok()), d.ms(), text(d.error()))));
    c.http()
        .forEach(
            h ->
                sb.append(
                    String.format(
                        "  http     %-45s %s %5d ms %s%n",
                        h.url(),
                        mark(h.ok()),
                        h.ms(),
                        h.status() > 0 ? "HTTP " + h.status() : text(h.error()))));
    c.latency()
        .forEach(
            l ->
                sb.append(
                    String.format(
                        "  tcp      %-45s %s %8.1f ms %s%n",
                        l.target(), mark(l.ok()), l.ms(), text(l.error()))));
    c.captivePortal()
        .ifPresent(
            p ->
                sb.append(
                    String.format(
                        "  portal   %-45s %s %5d ms %s%n",
                        p.url(),
                        mark(p.ok() && !p.intercepted()),
                        p.ms(),
                        p.intercepted()
                            ? "INTERCEPTED (HTTP " + p.status() + ")"
                            : text(p.error()))));
    sb.append(String.format("  loss     %.0f %%", c.loss() * 100));
    return sb.toString();
  }

  private static String text(@Nullable String error) {
    return error == null ? "" : error;
  }

  private static String mark(boolean ok) {
    return ok ? "ok  " : "FAIL";
  }
}
