package org.enlace.agent.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.enlace.agent.probe.StubHttpServer.Answer;
import org.enlace.agent.upload.ServerClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProxySupportTest {
  private static final Optional<URI> NONE = Optional.empty();

  private static String chosen(ProxySelector selector, String url) {
    List<Proxy> proxies = selector.select(URI.create(url));
    assertThat(proxies).hasSize(1);
    Proxy p = proxies.get(0);
    if (p.type() == Proxy.Type.DIRECT) {
      return "DIRECT";
    }
    InetSocketAddress a = (InetSocketAddress) p.address();
    return a.getHostString() + ":" + a.getPort();
  }

  @Test
  void noProxyVariablesFallBackToTheJvmDefault() {
    assertThat(ProxySupport.selector(NONE, Map.of())).isSameAs(ProxySelector.getDefault());
    // NO_PROXY alone configures nothing
    assertThat(ProxySupport.selector(NONE, Map.of("NO_PROXY", "gov.co")))
        .isSameAs(ProxySelector.getDefault());
  }

  @Test
  void httpProxyServesBothSchemesWhenHttpsProxyIsUnset() {
    ProxySelector s =
        ProxySupport.selector(NONE, Map.of("HTTP_PROXY", "http://proxy.alcaldia:3128"));
    assertThat(chosen(s, "http://www.gov.co/")).isEqualTo("proxy.alcaldia:3128");
    assertThat(chosen(s, "https://www.gov.co/")).isEqualTo("proxy.alcaldia:3128");
  }

  @Test
  void httpsProxyIsUsedForHttpsOnly() {
    ProxySelector s =
        ProxySupport.selector(
            NONE, Map.of("https_proxy", "secure:8443", "http_proxy", "plain:8080"));
    assertThat(chosen(s, "https://www.gov.co/")).isEqualTo("secure:8443");
    assertThat(chosen(s, "http://www.gov.co/")).isEqualTo("plain:8080");
  }

  @Test
  void upperCaseWinsOverLowerCase() {
    ProxySelector s =
        ProxySupport.selector(NONE, Map.of("HTTPS_PROXY", "upper:1", "https_proxy", "lower:2"));
    assertThat(chosen(s, "https://x.test/")).isEqualTo("upper:1");
    assertThat(chosen(s, "http://x.test/")).isEqualTo("DIRECT"); // no HTTP proxy given
  }

  @Test
  void bareHostGetsPort80() {
    ProxySelector s = ProxySupport.selector(NONE, Map.of("HTTP_PROXY", "proxy"));
    assertThat(chosen(s, "http://x.test/")).isEqualTo("proxy:80");
  }

  @Test
  void explicitProxyWinsOverTheEnvironmentAndStillHonoursNoProxy() {
    ProxySelector s =
        ProxySupport.selector(
            Optional.of(URI.create("http://explicit:3128")),
            Map.of("HTTP_PROXY", "env:8080", "NO_PROXY", "alcaldia.local"));
    assertThat(chosen(s, "https://www.gov.co/")).isEqualTo("explicit:3128");
    assertThat(chosen(s, "http://enlace.alcaldia.local/api/v1/ping")).isEqualTo("DIRECT");
  }

  @Test
  void explicitProxyWrittenWithoutScheme() {
    // AgentConfig parses "proxy=proxy:3128" with URI.create: scheme "proxy", no host
    ProxySelector s = ProxySupport.selector(Optional.of(URI.create("proxy:3128")), Map.of());
    assertThat(chosen(s, "http://x.test/")).isEqualTo("proxy:3128");
  }

  @ParameterizedTest(name = "NO_PROXY={0}: {1} -> {2}")
  @CsvSource({
    "'gov.co',                      http://www.gov.co/,            DIRECT",
    "'gov.co',                      http://gov.co/,                DIRECT",
    "'.gov.co',                     http://gov.co/,                DIRECT",
    "'*.gov.co',                    https://portal.gov.co/,        DIRECT",
    "'gov.co',                      http://notgov.co/,             p:1",
    "'gov.co',                      http://gov.co.evil.test/,      p:1",
    "'localhost, 127.0.0.1',        http://127.0.0.1:8080/x,       DIRECT",
    "'localhost 127.0.0.1',         http://localhost/x,            DIRECT",
    "'192.168.1.10:8080',           http://192.168.1.10:8080/,     DIRECT",
    "'192.168.1.10:8080',           http://192.168.1.10/,          p:1",
    "'*',                           https://anything.test/,        DIRECT",
    "'[::1]',                       http://[::1]:8080/,            DIRECT",
    "'::1',                         http://[::1]/,                 DIRECT",
    "'GOV.CO',                      http://WWW.Gov.Co/,            DIRECT",
    "'bad:port:x:, gov.co',         http://www.gov.co/,            DIRECT",
    "'',                            http://www.gov.co/,            p:1",
  })
  void noProxyMatching(String noProxy, String url, String expected) {
    ProxySelector s =
        ProxySupport.selector(
            NONE,
            Map.of("HTTP_PROXY", "http://p:1", "HTTPS_PROXY", "http://p:1", "NO_PROXY", noProxy));
    assertThat(chosen(s, url)).isEqualTo(expected);
  }

  @Test
  void unusableProxiesAreRefusedLoudly() {
    assertThatThrownBy(() -> ProxySupport.selector(NONE, Map.of("HTTPS_PROXY", "https://p:3129")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only http://");
    assertThatThrownBy(() -> ProxySupport.selector(NONE, Map.of("HTTP_PROXY", "socks5://p:1080")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ProxySupport.selector(NONE, Map.of("HTTP_PROXY", "http://:3128")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** The HTTP probe really goes through the proxy, and around it for NO_PROXY hosts. */
  @Test
  void httpProbeGoesThroughTheProxyAndBypassesItForNoProxyHosts() throws Exception {
    Duration timeout = Duration.ofSeconds(2);
    try (StubHttpServer proxy = new StubHttpServer();
        StubHttpServer direct = new StubHttpServer()) {
      // The proxy stub answers like a proxy that fetched the page; the name never resolves
      // (.invalid) and is never looked up: with a proxy the client sends it to the proxy.
      proxy.on("/api/v1/ping", Answer.status(204));
      direct.on("/api/v1/ping", Answer.status(204));
      Map<String, String> env =
          Map.of(
              "HTTP_PROXY",
              "http://127.0.0.1:" + proxy.port(),
              "NO_PROXY",
              "localhost,.alcaldia.local");
      ProxySelector client = ProxySupport.selector(NONE, env);

      URI far = URI.create("http://enlace.municipio.invalid/api/v1/ping");
      CheckResults.Http viaProxy = new HttpProbe(client, far, timeout).run();
      assertThat(viaProxy.ok()).isTrue();
      assertThat(proxy.requests())
          .singleElement()
          .satisfies(
              seen -> {
                assertThat(seen.target()).isEqualTo(far.toString()); // absolute form: proxy request
                assertThat(seen.host()).isEqualTo("enlace.municipio.invalid");
              });

      URI near = URI.create("http://localhost:" + direct.port() + "/api/v1/ping");
      CheckResults.Http bypass = new HttpProbe(client, near, timeout).run();
      assertThat(bypass.ok()).isTrue();
      assertThat(direct.requests())
          .singleElement()
          .satisfies(seen -> assertThat(seen.target()).isEqualTo("/api/v1/ping"));
      assertThat(proxy.requests()).hasSize(1); // still only the first one
    }
  }

  /**
   * A proxy that refuses the CONNECT tunnel for an https:// target answered, like a proxy's 407 for
   * http://: the check records http_407 (and the uploader gets status 407), not a crash.
   */
  @Test
  void aProxyRefusingTheHttpsTunnelIsAnAnswer() throws Exception {
    try (ServerSocket proxy = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Thread t =
          new Thread(
              () -> {
                try {
                  while (true) {
                    try (Socket s = proxy.accept()) {
                      BufferedReader r =
                          new BufferedReader(
                              new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                      for (String line = r.readLine();
                          line != null && !line.isEmpty();
                          line = r.readLine()) {
                        // the CONNECT request and its headers
                      }
                      s.getOutputStream()
                          .write(
                              """
                              HTTP/1.1 407 Proxy Authentication Required\r
                              Proxy-Authenticate: Basic realm="alcaldia"\r
                              Content-Length: 0\r
                              Connection: close\r
                              \r
                              """
                                  .getBytes(StandardCharsets.US_ASCII));
                    }
                  }
                } catch (IOException closed) {
                  // the test is over
                }
              });
      t.setDaemon(true);
      t.start();
      ProxySelector selector =
          ProxySupport.selector(
              NONE, Map.of("HTTPS_PROXY", "http://127.0.0.1:" + proxy.getLocalPort()));
      URI far = URI.create("https://www.gov.co.invalid/");
      CheckResults.Http r = new HttpProbe(selector, far, Duration.ofSeconds(2)).run();
      assertThat(r.ok()).isFalse();
      assertThat(r.status()).isEqualTo(407);
      assertThat(r.error()).isEqualTo("http_407");
      ServerClient.Answer a =
          new ServerClient(selector, Optional.empty(), Duration.ofSeconds(2))
              .postJson(
                  URI.create("https://enlace.alcaldia.invalid/api/v1/reports"),
                  "{}".getBytes(StandardCharsets.UTF_8),
                  Optional.empty(),
                  true);
      assertThat(a.status()).isEqualTo(407);
    }
  }
}
