package org.enlace.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ProxySelector;
import java.net.URI;
import java.time.Duration;
import org.enlace.agent.probe.StubHttpServer.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpProbeTest {
  static final Duration TIMEOUT = Duration.ofMillis(600);

  private StubHttpServer server;
  private final ProxySelector client = ProxySupport.DIRECT_ONLY;

  @BeforeEach
  void start() throws Exception {
    server = new StubHttpServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private CheckResults.Http probe(URI url) {
    return new HttpProbe(client, url, TIMEOUT).run();
  }

  private CheckResults.Http probe(String path) {
    return probe(server.url(path));
  }

  @Test
  void okFor200() {
    server.on("/site", Answer.status(200).body("<html>alcaldía</html>"));
    CheckResults.Http r = probe("/site");
    assertThat(r)
        .isEqualTo(new CheckResults.Http(server.url("/site").toString(), true, 200, r.ms(), null));
    assertThat(r.ms()).isBetween(0L, TIMEOUT.toMillis());
  }

  @Test
  void okFor204FromTheEnlacePing() {
    server.on("/api/v1/ping", Answer.status(204));
    CheckResults.Http r = probe("/api/v1/ping");
    assertThat(r.ok()).isTrue();
    assertThat(r.status()).isEqualTo(204);
    assertThat(r.error()).isNull();
  }

  @Test
  void redirectIsAnAnswerAndIsNotFollowed() {
    server.on("/old", Answer.status(301).header("Location", server.url("/new").toString()));
    server.on("/new", Answer.status(500));
    CheckResults.Http r = probe("/old");
    assertThat(r.ok()).isTrue();
    assertThat(r.status()).isEqualTo(301);
    assertThat(server.requests()).extracting(StubHttpServer.Seen::target).containsExactly("/old");
  }

  @Test
  void serverErrorIsNotOk() {
    server.on("/broken", Answer.status(500).body("oops"));
    CheckResults.Http r = probe("/broken");
    assertThat(r.ok()).isFalse();
    assertThat(r.status()).isEqualTo(500);
    assertThat(r.error()).isEqualTo("http_500");
  }

  @Test
  void proxyAuthenticationRequiredIsNotOk() {
    server.on("/proxied", Answer.status(407));
    CheckResults.Http r = probe("/proxied");
    assertThat(r.ok()).isFalse();
    assertThat(r.error()).isEqualTo("http_407");
  }

  @Test
  void slowAnswerIsTimeoutWithinTheTimeout() {
    server.on("/slow", Answer.status(200).delay(3_000));
    long start = System.nanoTime();
    CheckResults.Http r = probe("/slow");
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.ok()).isFalse();
    assertThat(r.status()).isZero();
    assertThat(r.error()).isEqualTo("timeout");
    assertThat(elapsedMs).isLessThan(TIMEOUT.toMillis() + 500);
  }

  @Test
  void bodyTricklingPastTheTimeoutIsTimeout() {
    server.on("/trickle", Answer.status(200).body("x".repeat(2000)).dribble(3_000));
    long start = System.nanoTime();
    CheckResults.Http r = probe("/trickle");
    assertThat(r.ok()).isFalse();
    assertThat(r.error()).isEqualTo("timeout");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(TIMEOUT.toMillis() + 500);
  }

  @Test
  void connectionResetIsReset() throws Exception {
    try (StubHttpServer.Resetting resetting = new StubHttpServer.Resetting()) {
      CheckResults.Http r = probe(resetting.url("/"));
      assertThat(r.ok()).isFalse();
      assertThat(r.status()).isZero();
      assertThat(r.error()).isEqualTo("reset");
    }
  }

  @Test
  void closedPortIsRefused() throws Exception {
    CheckResults.Http r =
        probe(URI.create("http://127.0.0.1:" + StubHttpServer.closedPort() + "/"));
    assertThat(r.ok()).isFalse();
    assertThat(r.status()).isZero();
    // the same token as TcpLatencyProbe gives for a closed port
    assertThat(r.error()).isEqualTo("refused");
  }

  @Test
  void onlyTheFirstKilobytesOfABigBodyAreRead() {
    server.on("/big", Answer.status(200).body("y".repeat(1_000_000)));
    HttpSupport.Outcome o = HttpSupport.get(client, server.url("/big"), TIMEOUT);
    assertThat(o.error()).isNull();
    assertThat(o.answer().body()).hasSize(HttpSupport.BODY_LIMIT);
    assertThat(o.answer().truncated()).isTrue();
    assertThat(probe("/big").ok()).isTrue();
  }

  @Test
  void unsupportedSchemeIsReportedNotThrown() {
    CheckResults.Http r = probe(URI.create("ftp://127.0.0.1/x"));
    assertThat(r.ok()).isFalse();
    assertThat(r.error()).isEqualTo("invalid_url");
  }
}
