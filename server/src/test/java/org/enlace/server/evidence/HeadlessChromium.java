package org.enlace.server.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Debian's headless Chromium driven over the Chrome DevTools Protocol: a WebSocket and JSON,
 * nothing else (no WebDriver, so no driver version to match). Only loopback URLs are opened.
 */
public final class HeadlessChromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> CANDIDATES =
      List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable");

  /** Headless, as root in a container, and quiet: no sync, updates or background traffic. */
  public static final List<String> HEADLESS =
      List.of(
          "--headless=new",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-dev-shm-usage",
          "--no-first-run",
          "--no-default-browser-check",
          "--disable-extensions",
          "--disable-sync",
          "--disable-background-networking",
          "--disable-component-update",
          "--password-store=basic",
          "--use-mock-keychain");

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  /** The browser executable on PATH, if any. */
  public static Optional<Path> find() {
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String name : CANDIDATES) {
      for (String dir : path.split(File.pathSeparator, 0)) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  private HeadlessChromium(Process process, Path profile, WebSocket socket) {
    this.process = process;
    this.profile = profile;
    this.socket = socket;
  }

  public static HeadlessChromium start(Path executable, Path workDir) throws Exception {
    Path profile = Files.createDirectories(workDir.resolve("profile"));
    List<String> cmd = new ArrayList<>(List.of(executable.toString()));
    cmd.addAll(HEADLESS);
    cmd.addAll(
        List.of(
            "--window-size=1100,1400",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "--remote-allow-origins=*",
            "--user-data-dir=" + profile,
            "about:blank"));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true);
    pb.redirectOutput(workDir.resolve("chromium.log").toFile());
    Process process = pb.start();
    Path portFile = profile.resolve("DevToolsActivePort");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!(Files.exists(portFile) && Files.readAllLines(portFile).size() >= 2)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "chromium exited "
                + process.exitValue()
                + ": "
                + Files.readString(workDir.resolve("chromium.log")));
      }
      if (System.nanoTime() > deadline) {
        process.destroyForcibly();
        throw new IllegalStateException("chromium did not open its DevTools port");
      }
      Thread.sleep(100);
    }
    List<String> lines = Files.readAllLines(portFile);
    URI ws = URI.create("ws://127.0.0.1:" + lines.get(0).trim() + lines.get(1).trim());
    HeadlessChromium[] self = new HeadlessChromium[1];
    WebSocket socket =
        HttpClient.newHttpClient()
            .newWebSocketBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(
                ws,
                new WebSocket.Listener() {
                  private final StringBuilder text = new StringBuilder();

                  @Override
                  public CompletionStage<?> onText(
                      WebSocket webSocket, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                      String message = text.toString();
                      text.setLength(0);
                      self[0].received(message);
                    }
                    webSocket.request(1);
                    return null;
                  }
                })
            .get(20, TimeUnit.SECONDS);
    self[0] = new HeadlessChromium(process, profile, socket);
    return self[0];
  }

  private void received(String message) {
    try {
      JsonNode node = JSON.readTree(message);
      if (node.has("id")) {
        CompletableFuture<JsonNode> f = pending.remove(node.get("id").asInt());
        if (f != null) {
          if (node.has("error")) {
            f.completeExceptionally(new IllegalStateException(node.get("error").toString()));
          } else {
            f.complete(node.get("result"));
          }
        }
      }
    } catch (IOException e) {
      // not JSON: ignore
    }
  }

  /** A DevTools command; sessionId null for the browser itself. */
  public JsonNode send(String sessionId, String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
    msg.set("params", params == null ? JSON.createObjectNode() : params);
    if (sessionId != null) {
      msg.put("sessionId", sessionId);
    }
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(id, f);
    synchronized (socket) {
      socket.sendText(msg.toString(), true).get(10, TimeUnit.SECONDS);
    }
    return f.get(60, TimeUnit.SECONDS);
  }

  public static ObjectNode params() {
    return JSON.createObjectNode();
  }

  /** A new tab; returns its session id. */
  public String newPage() throws Exception {
    String target =
        send(null, "Target.createTarget", params().put("url", "about:blank"))
            .get("targetId")
            .asText();
    return send(
            null, "Target.attachToTarget", params().put("targetId", target).put("flatten", true))
        .get("sessionId")
        .asText();
  }

  /** Evaluates a JavaScript expression in the page (promises awaited); its value as JSON. */
  public JsonNode eval(String session, String expression) throws Exception {
    JsonNode r =
        send(
            session,
            "Runtime.evaluate",
            params()
                .put("expression", expression)
                .put("returnByValue", true)
                .put("awaitPromise", true));
    if (r.has("exceptionDetails")) {
      throw new IllegalStateException("script failed: " + r.get("exceptionDetails"));
    }
    JsonNode value = r.get("result").get("value");
    return value == null ? JSON.nullNode() : value;
  }

  public static void await(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  public static byte[] base64(JsonNode data) {
    return Base64.getDecoder().decode(data.asText().getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public void close() {
    try {
      send(null, "Browser.close", null);
    } catch (Exception e) {
      // closing anyway
    }
    socket.abort();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    assert profile != null;
  }
}
