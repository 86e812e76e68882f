package org.enlace.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import org.enlace.server.app.EnlaceApplication;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.testing.TestApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Slowloris: a client that sends its headers one byte every second is cut once the header read
 * timeout (2 s here) has passed, although each byte restarts the connector's idle timeout (30 s); a
 * request sent in time, and a kept-alive connection waiting between requests, are not.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class HeaderReadDeadlineTest {
  static final TestApp APP =
      TestApp.create(
          ConfigOverride.config("limits.headerReadTimeout", "2 seconds"),
          ConfigOverride.config("server.applicationConnectors[0].idleTimeout", "30 seconds"));
  static final DropwizardAppExtension<EnlaceConfiguration> EXT = APP.extension();

  private static Socket connect() throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress(RawHttp.ipv4("127.0.0.1"), EXT.getLocalPort()), 5_000);
    return s;
  }

  private static double cut() {
    var c =
        ((EnlaceApplication) EXT.getApplication())
            .meters()
            .find("enlace.rate.limited")
            .tag("reason", "slow_header")
            .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void headersTrickledOneByteASecondAreCutAfterTheHeaderReadTimeout() throws Exception {
    double before = cut();
    try (Socket s = connect()) {
      OutputStream out = s.getOutputStream();
      out.write("GET /api/v1/ping HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      boolean closed = false;
      // 20 bytes a second apart: ten times the header read timeout, under the idle timeout.
      for (int i = 0; i < 20 && !closed; i++) {
        Thread.sleep(1_000);
        try {
          out.write('X');
          out.flush();
        } catch (SocketException e) {
          closed = true;
        }
        s.setSoTimeout(1);
        try {
          closed = s.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException e) {
          // still open
        } catch (SocketException e) {
          closed = true;
        }
      }
      assertThat(closed).as("connection cut while its headers trickled in").isTrue();
    }
    assertThat(cut() - before).isEqualTo(1);
  }

  @Test
  void aRequestSentInTimeAndAnIdleKeptAliveConnectionAreNotCut() throws Exception {
    try (Socket s = connect()) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      byte[] request =
          "GET /api/v1/ping HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
      // Headers in two halves half a second apart: slow, but inside the timeout.
      out.write(request, 0, 20);
      out.flush();
      Thread.sleep(500);
      out.write(request, 20, request.length - 20);
      out.flush();
      assertThat(statusLine(in)).isEqualTo("HTTP/1.1 204 No Content");
      // Idle between requests for longer than the header read timeout: still open.
      Thread.sleep(4_000);
      out.write(request);
      out.flush();
      assertThat(statusLine(in)).isEqualTo("HTTP/1.1 204 No Content");
    }
  }

  /** Reads one response's status line and skips its body (ping: 204, none). */
  private static String statusLine(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed after: " + head);
      }
      head.append((char) b);
    }
    String text = head.toString();
    int length = 0;
    for (String line : text.split("\r\n", -1)) {
      if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    in.readNBytes(length);
    return text.substring(0, text.indexOf("\r\n"));
  }
}
