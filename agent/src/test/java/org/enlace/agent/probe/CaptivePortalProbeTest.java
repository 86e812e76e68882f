package org.enlace.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ProxySelector;
import java.net.URI;
import java.time.Duration;
import org.enlace.agent.probe.StubHttpServer.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CaptivePortalProbeTest {
  static final Duration TIMEOUT = Duration.ofMillis(600);
  static final String LOGIN_PAGE =
      "<html><body><form action=/login>Bienvenido a la red WiFi gratis</form></body></html>";

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

  private CheckResults.CaptivePortal probe(String expectedBody) {
    return new CaptivePortalProbe(client, server.url("/generate_204"), expectedBody, TIMEOUT).run();
  }

  @Test
  void honest204IsNotIntercepted() {
    server.on("/generate_204", Answer.status(204));
    CheckResults.CaptivePortal r = probe("");
    assertThat(r.ok()).isTrue();
    assertThat(r.intercepted()).isFalse();
    assertThat(r.status()).isEqualTo(204);
    assertThat(r.error()).isNull();
    assertThat(r.url()).isEqualTo(server.url("/generate_204").toString());
  }

  @Test
  void loginPageInsteadOf204IsIntercepted() {
    server.on("/generate_204", Answer.status(200).body(LOGIN_PAGE));
    CheckResults.CaptivePortal r = probe("");
    assertThat(r.ok()).isTrue();
    assertThat(r.intercepted()).isTrue();
    assertThat(r.status()).isEqualTo(200);
  }

  @Test
  void redirectToAPortalIsIntercepted() {
    server.on(
        "/generate_204", Answer.status(302).header("Location", "http://portal.wifi.invalid/login"));
    CheckResults.CaptivePortal r = probe("");
    assertThat(r.ok()).isTrue();
    assertThat(r.intercepted()).isTrue();
    assertThat(r.status()).isEqualTo(302);
    // not followed: the portal's (unreachable) address is never asked
    assertThat(server.requests()).hasSize(1);
  }

  @Test
  void emptyOkIsNot204AndCountsAsIntercepted() {
    server.on("/generate_204", Answer.status(200));
    assertThat(probe("").intercepted()).isTrue();
  }

  @Test
  void expectedBodyMatches() {
    server.on("/generate_204", Answer.status(200).body("success\n"));
    CheckResults.CaptivePortal r = probe("success");
    assertThat(r.ok()).isTrue();
    assertThat(r.intercepted()).isFalse();
  }

  @Test
  void differentBodyIsIntercepted() {
    server.on("/generate_204", Answer.status(200).body(LOGIN_PAGE));
    assertThat(probe("success").intercepted()).isTrue();
  }

  @Test
  void expectedBodyWith204IsIntercepted() {
    server.on("/generate_204", Answer.status(204));
    assertThat(probe("success").intercepted()).isTrue();
  }

  @Test
  void serverErrorIsAFailureNotAPortal() {
    server.on("/generate_204", Answer.status(502).body("Bad gateway (proxy)"));
    CheckResults.CaptivePortal r = probe("");
    assertThat(r.ok()).isFalse();
    assertThat(r.intercepted()).isFalse();
    assertThat(r.status()).isEqualTo(502);
    assertThat(r.error()).isEqualTo("http_502");
  }

  @Test
  void noAnswerIsNotOkAndNotIntercepted() throws Exception {
    URI url = URI.create("http://127.0.0.1:" + StubHttpServer.closedPort() + "/generate_204");
    CheckResults.CaptivePortal r = new CaptivePortalProbe(client, url, "", TIMEOUT).run();
    assertThat(r.ok()).isFalse();
    assertThat(r.intercepted()).isFalse();
    assertThat(r.status()).isZero();
    assertThat(r.error()).isEqualTo("refused");
  }

  @Test
  void slowAnswerIsATimeout() {
    server.on("/generate_204", Answer.status(204).delay(3_000));
    CheckResults.CaptivePortal r = probe("");
    assertThat(r.ok()).isFalse();
    assertThat(r.intercepted()).isFalse();
    assertThat(r.error()).isEqualTo("timeout");
  }
}
