package org.enlace.agent.probe;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Decides a round's status, and says why in a short sentence kept with the observation. A pure
 * function of the results: no clock, no network, no configuration beyond what the results name.
 *
 * <p>LAN or internet? A target is on the LAN when its host (as written, compared without DNS) is
 * the host of one of the LAN targets; everything else is on the internet. That is how the Enlace
 * server's own /api/v1/ping counts: if the town hall runs it on its LAN, listing its host among the
 * LAN targets (e.g. {@code enlace.alcaldia.local:443}) makes its answer prove the LAN, not the
 * internet; otherwise it is an internet target like any website. The same rule applies to TCP
 * latency targets and to the captive-portal URL.
 *
 * <p>The rules, in order (first match wins):
 *
 * <ol>
 *   <li>the captive-portal check was intercepted → LIMITED, "captive portal intercepts URL
 *       (http_NNN)", whatever else answered (portals often let a few sites through);
 *   <li>an internet target answered — an HTTP target with ok (status 200–399), a TCP target that
 *       connected, or the captive-portal URL answering honestly (its 204 comes from the internet
 *       too) — then:
 *       <ol>
 *         <li>DNS names were checked and none resolved → LIMITED, "DNS fails: ..." (the internet
 *             answers by IP or through the proxy, but people browse by name);
 *         <li>otherwise ONLINE: "all probes ok", or "online; " and what failed, e.g. "online; 1 of
 *             3 http targets failed: https://www.gov.co/ (timeout)";
 *       </ol>
 *   <li>no internet target answered but something local did — a LAN target, an HTTP/TCP target on
 *       the LAN (the Enlace server in the town hall), a DNS name resolved, or any HTTP target
 *       answered with a status that is not ok (typically the proxy's 502/407) → LIMITED, "LAN
 *       works, internet unreachable; 0 of N internet targets answered: ...";
 *   <li>nothing answered → OFFLINE, "no network: every probe failed" ("no probes configured" when
 *       the round had no probe at all).
 * </ol>
 *
 * <p>Reasons are at most {@value #MAX_REASON} characters (the protocol's limit) and list failures
 * as "target (error)".
 */
public final class StatusClassifier {
  static final int MAX_REASON = 500;

  private StatusClassifier() {}

  /** The outcome of a round: its status and why. */
  public record Verdict(Status status, String reason) {}

  /**
   * Classifies a round.
   *
   * @param checks the round's results
   * @param lan the results of the LAN targets (TCP connects to ProbeConfig.lanTargets); their hosts
   *     also decide which other targets are on the LAN
   */
  public static Verdict classify(CheckResults checks, List<CheckResults.Latency> lan) {
    Set<String> lanHosts =
        lan.stream()
            .map(l -> HostPort.hostOf(l.target()))
            .filter(Objects::nonNull)
            .collect(Collectors.toSet());
    Predicate<String> onLanUrl = url -> lanHosts.contains(urlHost(url));
    Predicate<String> onLanTarget = t -> lanHosts.contains(HostPort.hostOf(t));

    List<CheckResults.Http> netHttp = filter(checks.http(), h -> !onLanUrl.test(h.url()));
    List<CheckResults.Http> lanHttp = filter(checks.http(), h -> onLanUrl.test(h.url()));
    List<CheckResults.Latency> netTcp =
        filter(checks.latency(), l -> !onLanTarget.test(l.target()));
    List<CheckResults.Latency> lanTcp = filter(checks.latency(), l -> onLanTarget.test(l.target()));
    Optional<CheckResults.CaptivePortal> portal = checks.captivePortal();
    boolean portalOnLan = portal.map(p -> onLanUrl.test(p.url())).orElse(false);
    boolean portalHonest = portal.map(p -> p.ok() && !p.intercepted()).orElse(false);

    // 1. a portal answered in place of the internet
    if (portal.isPresent() && portal.get().intercepted()) {
      CheckResults.CaptivePortal p = portal.get();
      return verdict(
          Status.LIMITED, "captive portal intercepts " + p.url() + " (http_" + p.status() + ")");
    }

    // 2. the internet answered
    boolean internet =
        netHttp.stream().anyMatch(CheckResults.Http::ok)
            || netTcp.stream().anyMatch(CheckResults.Latency::ok)
            || (portalHonest && !portalOnLan);
    if (internet) {
      if (!checks.dns().isEmpty() && checks.dns().stream().noneMatch(CheckResults.Dns::ok)) {
        return verdict(
            Status.LIMITED,
            "DNS fails: "
                + failures(
                    checks.dns(),
                    "dns names",
                    CheckResults.Dns::ok,
                    CheckResults.Dns::name,
                    CheckResults.Dns::error));
      }
      List<String> problems = new ArrayList<>();
      problems.add(
          failures(
              checks.http(),
              "http targets",
              CheckResults.Http::ok,
              CheckResults.Http::url,
              CheckResults.Http::error));
      problems.add(
          failures(
              checks.latency(),
              "tcp targets",
              CheckResults.Latency::ok,
              CheckResults.Latency::target,
              CheckResults.Latency::error));
      problems.add(
          failures(
              checks.dns(),
              "dns names",
              CheckResults.Dns::ok,
              CheckResults.Dns::name,
              CheckResults.Dns::error));
      problems.add(
          failures(
              lan,
              "lan targets",
              CheckResults.Latency::ok,
              CheckResults.Latency::target,
              CheckResults.Latency::error));
      portal
          .filter(p -> !p.ok())
          .ifPresent(
              p ->
                  problems.add("captive portal check failed: " + p.url() + " (" + p.error() + ")"));
      problems.removeIf(String::isEmpty);
      return verdict(
          Status.ONLINE,
          problems.isEmpty() ? "all probes ok" : "online; " + String.join("; ", problems));
    }

    // 3. something local answered
    boolean local =
        lan.stream().anyMatch(CheckResults.Latency::ok)
            || lanHttp.stream().anyMatch(CheckResults.Http::ok)
            // a status that is not ok (a proxy's 502, 407) still came from something that works
            || checks.http().stream().anyMatch(h -> h.status() > 0)
            || lanTcp.stream().anyMatch(CheckResults.Latency::ok)
            || checks.dns().stream().anyMatch(CheckResults.Dns::ok)
            || (portalHonest && portalOnLan);
    if (local) {
      List<String[]> net = new ArrayList<>();
      netHttp.forEach(h -> net.add(new String[] {h.url(), h.error()}));
      netTcp.forEach(l -> net.add(new String[] {l.target(), l.error()}));
      portal.filter(p -> !portalOnLan).ifPresent(p -> net.add(new String[] {p.url(), p.error()}));
      String detail =
          net.isEmpty()
              ? "no internet targets configured"
              : "0 of "
                  + net.size()
                  + " internet targets answered: "
                  + net.stream()
                      .map(t -> t[0] + " (" + t[1] + ")")
                      .collect(Collectors.joining(", "));
      return verdict(Status.LIMITED, "LAN works, internet unreachable; " + detail);
    }

    // 4. silence
    boolean anyProbe =
        !checks.dns().isEmpty()
            || !checks.http().isEmpty()
            || !checks.latency().isEmpty()
            || portal.isPresent()
            || !lan.isEmpty();
    return verdict(
        Status.OFFLINE, anyProbe ? "no network: every probe failed" : "no probes configured");
  }

  /** "1 of 3 http targets failed: url (timeout)", or "" when none failed. */
  private static <T> String failures(
      List<T> results,
      String noun,
      Predicate<T> ok,
      Function<T, String> label,
      Function<T, String> error) {
    List<T> failed = filter(results, ok.negate());
    if (failed.isEmpty()) {
      return "";
    }
    return failed.size()
        + " of "
        + results.size()
        + " "
        + noun
        + " failed: "
        + failed.stream()
            .map(r -> label.apply(r) + " (" + error.apply(r) + ")")
            .collect(Collectors.joining(", "));
  }

  private static <T> List<T> filter(List<T> list, Predicate<T> keep) {
    return list.stream().filter(keep).toList();
  }

  private static @Nullable String urlHost(String url) {
    try {
      String host = URI.create(url).getHost();
      return host == null ? null : HostPort.normalizeHost(host);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Verdict verdict(Status status, String reason) {
    String r = reason.length() <= MAX_REASON ? reason : reason.substring(0, MAX_REASON - 1) + "…";
    return new Verdict(status, r);
  }
}
