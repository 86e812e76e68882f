package org.enlace.server.speedtest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * M-Lab's vendored ndt7-js and the test page that drives it (src/test/resources/mlab-ndt7/), served
 * from a small static server: a Worker must be same-origin with its page, so the page cannot be a
 * file. Used by MlabClientCompatibilityTest (on loopback) and the accuracy bench (on the shaped
 * link's root-side address). {@code POST /result} takes the page's JSON when it runs by itself
 * ({@code compat.html?server=…&down=…&up=…}), so a browser can be driven without DevTools.
 */
public final class MlabPages implements AutoCloseable {
  /** What is served, from the classpath under mlab-ndt7/. */
  static final Map<String, String> FILES =
      Map.of(
          "/compat.html", "text/html; charset=utf-8",
          "/package/src/ndt7.js", "text/javascript; charset=utf-8",
          "/package/src/ndt7-download-worker.js", "text/javascript; charset=utf-8",
          "/package/src/ndt7-upload-worker.js", "text/javascript; charset=utf-8");

  private static final int MAX_RESULT = 1 << 20;

  private final HttpServer server;
  private final String host;

  /** The first result the page posted. */
  public final CompletableFuture<String> result = new CompletableFuture<>();

  private MlabPages(HttpServer server, String host) {
    this.server = server;
    this.host = host;
  }

  /** Serves on an ephemeral port of address (loopback or a test link's address only). */
  public static MlabPages start(InetAddress address) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(address, 0), 0);
    MlabPages pages = new MlabPages(s, address.getHostAddress());
    s.createContext("/", pages::serve);
    s.start();
    return pages;
  }

  /** http://host:port/compat.html */
  public String pageUrl() {
    return "http://" + host + ":" + server.getAddress().getPort() + "/compat.html";
  }

  /** The {@code access_token} of a slot URL (absolute or relative), decoded. */
  public static String accessToken(URI url) {
    String query = url.getRawQuery();
    for (String kv : query == null ? new String[0] : query.split("&", 0)) {
      if (kv.startsWith("access_token=")) {
        return URLDecoder.decode(kv.substring("access_token=".length()), StandardCharsets.UTF_8);
      }
    }
    throw new IllegalArgumentException("no access_token in " + url);
  }

  private void serve(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      if (path.equals("/result") && ex.getRequestMethod().equals("POST")) {
        byte[] body = ex.getRequestBody().readNBytes(MAX_RESULT);
        result.complete(new String(body, StandardCharsets.UTF_8));
        ex.sendResponseHeaders(204, -1);
        return;
      }
      String type = FILES.get(path);
      byte[] body = null;
      if (type != null && Set.of("GET", "HEAD").contains(ex.getRequestMethod())) {
        try (InputStream in = MlabPages.class.getResourceAsStream("/mlab-ndt7" + path)) {
          body = in == null ? null : in.readAllBytes();
        }
      }
      if (body == null) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      ex.getResponseHeaders().set("Content-Type", type);
      ex.getResponseHeaders().set("Cache-Control", "no-store");
      boolean head = ex.getRequestMethod().equals("HEAD");
      ex.sendResponseHeaders(200, head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
