package org.enlace.agent.probe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A stub web server on 127.0.0.1 (random port) for the probe tests, on the JDK's own
 * com.sun.net.httpserver: WireMock 3 needs Jetty 11, and this reactor's Dropwizard BOM pins Jetty
 * 12, so WireMock cannot start in the agent module (see the report to the lead).
 *
 * <p>Answers per path; records every request (with its Host header and the request target as sent,
 * absolute when the client thinks it talks to a proxy). Unknown paths get 404.
 */
final class StubHttpServer implements AutoCloseable {

  /** One canned answer. {@code dribbleMs}: the body is sent in 10 chunks over that long. */
  record Answer(
      int status, Map<String, String> headers, String body, long delayMs, long dribbleMs) {
    static Answer status(int status) {
      return new Answer(status, Map.of(), "", 0, 0);
    }

    Answer body(String b) {
      return new Answer(status, headers, b, delayMs, dribbleMs);
    }

    Answer header(String name, String value) {
      Map<String, String> h = new HashMap<>(headers);
      h.put(name, value);
      return new Answer(status, Map.copyOf(h), body, delayMs, dribbleMs);
    }

    Answer delay(long ms) {
      return new Answer(status, headers, body, ms, dribbleMs);
    }

    Answer dribble(long ms) {
      return new Answer(status, headers, body, delayMs, ms);
    }
  }

  /** A request as the server saw it. */
  record Seen(String method, String target, String host) {}

  private final HttpServer server;
  private final ExecutorService executor =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "stub-http");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final List<Seen> seen = new CopyOnWriteArrayList<>();

  StubHttpServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  StubHttpServer on(String path, Answer answer) {
    answers.put(path, answer);
    return this;
  }

  int port() {
    return server.getAddress().getPort();
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + port() + path);
  }

  List<Seen> requests() {
    return List.copyOf(seen);
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      seen.add(
          new Seen(
              ex.getRequestMethod(),
              ex.getRequestURI().toString(),
              ex.getRequestHeaders().getFirst("Host")));
      ex.getRequestBody().readAllBytes();
      Answer a = answers.getOrDefault(ex.getRequestURI().getPath(), Answer.status(404));
      sleep(a.delayMs());
      a.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
      if (a.dribbleMs() > 0) {
        ex.sendResponseHeaders(a.status(), 0); // chunked
        OutputStream out = ex.getResponseBody();
        int chunk = Math.max(1, body.length / 10);
        for (int i = 0; i < body.length; i += chunk) {
          out.write(body, i, Math.min(chunk, body.length - i));
          out.flush();
          sleep(a.dribbleMs() / 10);
        }
      } else {
        ex.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
          ex.getResponseBody().write(body);
        }
      }
    } catch (IOException e) {
      // the client gave up (timeouts are what these tests are about)
    }
  }

  private static void sleep(long ms) {
    if (ms > 0) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /**
   * A server that reads the request and resets the connection (RST, via SO_LINGER 0), like a
   * firewall or an overloaded proxy killing it.
   */
  static final class Resetting implements AutoCloseable {
    private final ServerSocket socket;

    Resetting() throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread t =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try (Socket s = socket.accept()) {
                    InputStream in = s.getInputStream();
                    in.read(new byte[4096]);
                    s.setSoLinger(true, 0);
                  } catch (IOException e) {
                    // closed
                  }
                }
              },
              "stub-reset");
      t.setDaemon(true);
      t.start();
    }

    URI url(String path) {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort() + path);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  /** A loopback port with nothing listening (bound, then released). */
  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
