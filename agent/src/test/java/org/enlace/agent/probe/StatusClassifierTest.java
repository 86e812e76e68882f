package org.enlace.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.enlace.agent.probe.CheckResults.CaptivePortal;
import org.enlace.agent.probe.CheckResults.Dns;
import org.enlace.agent.probe.CheckResults.Http;
import org.enlace.agent.probe.CheckResults.Latency;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StatusClassifierTest {
  static final String GOV = "https://www.gov.co/";
  static final String TOWN = "https://www.elcontadero-narino.gov.co/";
  static final String CLOUD_PING = "https://enlace.example.org/api/v1/ping";
  static final String LAN_PING = "http://enlace.alcaldia.local/api/v1/ping";
  static final String PORTAL = "http://connectivitycheck.gstatic.com/generate_204";

  // --- building blocks -------------------------------------------------------------------

  static Dns dnsOk(String name) {
    return new Dns(name, true, 12, null);
  }

  static Dns dnsFail(String name, String error) {
    return new Dns(name, false, 5000, error);
  }

  static Http httpOk(String url, int status) {
    return new Http(url, true, status, 80, null);
  }

  static Http httpFail(String url, String error) {
    return new Http(url, false, 0, 5000, error);
  }

  static Http httpStatus(String url, int status) {
    return new Http(url, false, status, 40, "http_" + status);
  }

  static Latency tcpOk(String target) {
    return new Latency(target, true, 23.456, null);
  }

  static Latency tcpFail(String target, String error) {
    return new Latency(target, false, 5000, error);
  }

  static Optional<CaptivePortal> honest() {
    return Optional.of(new CaptivePortal(PORTAL, true, false, 204, 60, null));
  }

  static Optional<CaptivePortal> intercepted(int status) {
    return Optional.of(new CaptivePortal(PORTAL, true, true, status, 30, null));
  }

  static Optional<CaptivePortal> portalFail(String error) {
    return Optional.of(new CaptivePortal(PORTAL, false, false, 0, 5000, error));
  }

  static CheckResults checks(
      List<Dns> dns, List<Http> http, List<Latency> tcp, Optional<CaptivePortal> portal) {
    return new CheckResults(dns, http, tcp, portal, 0.0);
  }

  static Arguments row(
      String name, CheckResults checks, List<Latency> lan, Status status, String reason) {
    return Arguments.of(name, checks, lan, status, reason);
  }

  // --- the table -----------------------------------------------------------------------

  static Stream<Arguments> table() {
    List<Dns> dnsAllOk = List.of(dnsOk("www.gov.co"), dnsOk("www.elcontadero-narino.gov.co"));
    List<Dns> dnsAllFail =
        List.of(
            dnsFail("www.gov.co", "timeout"), dnsFail("www.elcontadero-narino.gov.co", "servfail"));
    List<Latency> routerOk = List.of(tcpOk("192.168.1.1:80"));
    List<Latency> routerFail = List.of(tcpFail("192.168.1.1:80", "timeout"));
    List<Latency> noLan = List.of();

    return Stream.of(
        // ONLINE
        row(
            "everything answers",
            checks(
                dnsAllOk,
                List.of(httpOk(CLOUD_PING, 204), httpOk(GOV, 200)),
                List.of(tcpOk("1.1.1.1:443")),
                honest()),
            routerOk,
            Status.ONLINE,
            "all probes ok"),
        row(
            "one website down",
            checks(
                dnsAllOk,
                List.of(httpOk(CLOUD_PING, 204), httpFail(GOV, "timeout"), httpOk(TOWN, 301)),
                List.of(),
                honest()),
            noLan,
            Status.ONLINE,
            "online; 1 of 3 http targets failed: " + GOV + " (timeout)"),
        row(
            "only a TCP target answers",
            checks(
                dnsAllOk,
                List.of(httpFail(GOV, "tls")),
                List.of(tcpOk("1.1.1.1:443")),
                Optional.empty()),
            noLan,
            Status.ONLINE,
            "online; 1 of 1 http targets failed: " + GOV + " (tls)"),
        row(
            "only the honest generate_204 answers",
            checks(List.of(), List.of(httpFail(GOV, "timeout")), List.of(), honest()),
            noLan,
            Status.ONLINE,
            "online; 1 of 1 http targets failed: " + GOV + " (timeout)"),
        row(
            "the Enlace server in the cloud answers: internet",
            checks(List.of(), List.of(httpOk(CLOUD_PING, 204)), List.of(), Optional.empty()),
            routerOk,
            Status.ONLINE,
            "all probes ok"),
        row(
            "several failures are all listed",
            checks(
                List.of(dnsOk("www.gov.co"), dnsFail("nope.gov.co", "nxdomain")),
                List.of(httpOk(GOV, 200)),
                List.of(tcpFail("8.8.8.8:53", "timeout")),
                portalFail("timeout")),
            routerFail,
            Status.ONLINE,
            "online; 1 of 1 tcp targets failed: 8.8.8.8:53 (timeout); 1 of 2 dns names failed: "
                + "nope.gov.co (nxdomain); 1 of 1 lan targets failed: 192.168.1.1:80 (timeout); "
                + "captive portal check failed: "
                + PORTAL
                + " (timeout)"),
        row(
            "a proxy failing the portal check is not a portal",
            checks(
                dnsAllOk,
                List.of(httpOk(GOV, 200)),
                List.of(),
                Optional.of(new CaptivePortal(PORTAL, false, false, 502, 20, "http_502"))),
            noLan,
            Status.ONLINE,
            "online; captive portal check failed: " + PORTAL + " (http_502)"),

        // LIMITED: captive portal
        row(
            "portal login page while the Enlace server still answers",
            checks(dnsAllOk, List.of(httpOk(CLOUD_PING, 204)), List.of(), intercepted(200)),
            routerOk,
            Status.LIMITED,
            "captive portal intercepts " + PORTAL + " (http_200)"),
        row(
            "portal redirect and nothing else answers",
            checks(dnsAllOk, List.of(httpStatus(GOV, 404)), List.of(), intercepted(302)),
            noLan,
            Status.LIMITED,
            "captive portal intercepts " + PORTAL + " (http_302)"),

        // LIMITED: DNS fails while IPs answer
        row(
            "DNS fails, the internet answers by IP",
            checks(
                dnsAllFail,
                List.of(httpFail(GOV, "unknown_host")),
                List.of(tcpOk("1.1.1.1:443")),
                portalFail("unknown_host")),
            routerOk,
            Status.LIMITED,
            "DNS fails: 2 of 2 dns names failed: www.gov.co (timeout), "
                + "www.elcontadero-narino.gov.co (servfail)"),

        // LIMITED: LAN only
        row(
            "router answers, internet does not",
            checks(
                dnsAllFail,
                List.of(httpFail(GOV, "connect_failed")),
                List.of(tcpFail("1.1.1.1:443", "timeout")),
                portalFail("timeout")),
            routerOk,
            Status.LIMITED,
            "LAN works, internet unreachable; 0 of 3 internet targets answered: "
                + GOV
                + " (connect_failed), 1.1.1.1:443 (timeout), "
                + PORTAL
                + " (timeout)"),
        row(
            "the Enlace server on the town-hall LAN answers, internet does not",
            checks(
                List.of(),
                List.of(httpOk(LAN_PING, 204), httpFail(GOV, "timeout")),
                List.of(),
                Optional.empty()),
            List.of(tcpFail("enlace.alcaldia.local:443", "refused")),
            Status.LIMITED,
            "LAN works, internet unreachable; 0 of 1 internet targets answered: "
                + GOV
                + " (timeout)"),
        row(
            "only DNS resolves",
            checks(
                List.of(dnsOk("www.gov.co")),
                List.of(httpFail(GOV, "timeout")),
                List.of(),
                Optional.empty()),
            noLan,
            Status.LIMITED,
            "LAN works, internet unreachable; 0 of 1 internet targets answered: "
                + GOV
                + " (timeout)"),
        row(
            "only a proxy error page comes back",
            checks(List.of(), List.of(httpStatus(GOV, 502)), List.of(), Optional.empty()),
            noLan,
            Status.LIMITED,
            "LAN works, internet unreachable; 0 of 1 internet targets answered: "
                + GOV
                + " (http_502)"),
        row(
            "a TCP target on the LAN answers",
            checks(List.of(), List.of(), List.of(tcpOk("192.168.1.1:53")), Optional.empty()),
            List.of(tcpFail("192.168.1.1:80", "refused")),
            Status.LIMITED,
            "LAN works, internet unreachable; no internet targets configured"),

        // OFFLINE
        row(
            "nothing answers",
            checks(
                dnsAllFail,
                List.of(httpFail(CLOUD_PING, "timeout"), httpFail(GOV, "timeout")),
                List.of(tcpFail("1.1.1.1:443", "unreachable")),
                portalFail("timeout")),
            routerFail,
            Status.OFFLINE,
            "no network: every probe failed"),
        row(
            "nothing configured",
            checks(List.of(), List.of(), List.of(), Optional.empty()),
            noLan,
            Status.OFFLINE,
            "no probes configured"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void classifies(
      String name, CheckResults checks, List<Latency> lan, Status status, String reason) {
    StatusClassifier.Verdict v = StatusClassifier.classify(checks, lan);
    assertThat(v.status()).isEqualTo(status);
    assertThat(v.reason()).isEqualTo(reason);
  }

  @Test
  void reasonIsCutToTheProtocolLimit() {
    List<Http> many =
        Stream.iterate(0, i -> i + 1)
            .limit(40)
            .map(
                i ->
                    httpFail("https://site-number-" + i + ".example.org/some/long/path", "timeout"))
            .toList();
    List<Http> http = Stream.concat(Stream.of(httpOk(GOV, 200)), many.stream()).toList();
    StatusClassifier.Verdict v =
        StatusClassifier.classify(checks(List.of(), http, List.of(), Optional.empty()), List.of());
    assertThat(v.status()).isEqualTo(Status.ONLINE);
    assertThat(v.reason())
        .hasSize(StatusClassifier.MAX_REASON)
        .endsWith("…")
        .startsWith("online; 40 of 41 http targets failed: ");
  }

  @Test
  void lanHostsAreComparedWithoutCaseOrPort() {
    // the LAN target names the host in capitals on another port; the ping is still LAN
    StatusClassifier.Verdict v =
        StatusClassifier.classify(
            checks(
                List.of(),
                List.of(httpOk("http://Enlace.Alcaldia.Local:8080/api/v1/ping", 204)),
                List.of(),
                Optional.empty()),
            List.of(tcpOk("ENLACE.alcaldia.local:22")));
    assertThat(v.status()).isEqualTo(Status.LIMITED);
  }
}
