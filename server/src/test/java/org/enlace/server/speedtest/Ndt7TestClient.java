package org.enlace.server.speedtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;

/**
 * An ndt7 client on the JDK's java.net.http.WebSocket following the spec (download: read
 * everything, answer the server's close; upload: binary messages from 8 KiB doubling while at most
 * 1/16 of the bytes sent, close after the duration), with switches to misbehave.
 */
final class Ndt7TestClient {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] RANDOM = new byte[(1 << 24) + 4096];

  static {
    new Random(7).nextBytes(RANDOM);
  }

  static final class Options {
    /** Download: stop reading after this many binary messages (a stalled client). */
    int stopReadingAfter = -1;

    /** Never answer the server's close frame (and keep the connection this long after it). */
    boolean neverReplyClose;

    long holdAfterCloseMs = 3_000;

    /** Close the connection (1000) this long after opening. */
    long closeAfterMs = -1;

    /** Send this text message right after opening. */
    String textOnOpen;

    /** Send a binary message right after opening (not allowed during a download). */
    boolean binaryOnOpen;

    /** Upload: how long to send. */
    long uploadMs = 10_000;

    /** Upload: stop sending after this many bytes (then close). */
    long uploadMaxBytes = Long.MAX_VALUE;

    /** Upload: send nothing and read nothing (a stalled client). */
    boolean stall;

    /** Upload: send one message of this size first. */
    int oneMessageOf;

    /** Subprotocols to offer. */
    String[] subprotocols = {Ndt7Server.SUBPROTOCOL};

    long timeoutMs = 30_000;
  }

  static final class Outcome {
    int httpStatus = 101;
    Map<String, List<String>> headers = Map.of();
    String body;
    String subprotocol;
    final List<Integer> binarySizes = new CopyOnWriteArrayList<>();
    final List<JsonNode> measurements = new CopyOnWriteArrayList<>();
    volatile int closeCode = -1;
    volatile String closeReason;
    volatile long bytes;
    volatile long openNanos;
    volatile long endNanos;
    volatile Throwable error;

    double seconds() {
      return (endNanos - openNanos) / 1e9;
    }

    boolean upgraded() {
      return httpStatus == 101;
    }
  }

  private final HttpClient http;

  Ndt7TestClient(SSLContext tls) {
    this.http =
        HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
  }

  Outcome download(URI uri, Options o) throws Exception {
    return run(uri, true, o);
  }

  Outcome upload(URI uri, Options o) throws Exception {
    return run(uri, false, o);
  }

  private Outcome run(URI uri, boolean download, Options o) throws Exception {
    Outcome out = new Outcome();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    WebSocket.Listener listener =
        new WebSocket.Listener() {
          private long current;
          private final StringBuilder text = new StringBuilder();

          @Override
          public void onOpen(WebSocket ws) {
            out.openNanos = System.nanoTime();
            if (!o.stall) {
              ws.request(1);
            }
          }

          @Override
          // The JDK calls a listener one message at a time: one writer; the test thread reads.
          @SuppressWarnings("NonAtomicVolatileUpdate")
          public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            current += data.remaining();
            out.bytes += data.remaining();
            if (last) {
              out.binarySizes.add((int) current);
              current = 0;
            }
            if (o.stopReadingAfter < 0 || out.binarySizes.size() < o.stopReadingAfter) {
              ws.request(1);
            }
            return null;
          }

          @Override
          public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
              try {
                out.measurements.add(JSON.readTree(text.toString()));
              } catch (Exception e) {
                out.error = e;
              }
              text.setLength(0);
            }
            ws.request(1);
            return null;
          }

          @Override
          public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            out.closeCode = code;
            out.closeReason = reason;
            out.endNanos = System.nanoTime();
            closed.complete(null);
            return o.neverReplyClose ? new CompletableFuture<Void>() : null;
          }

          @Override
          public void onError(WebSocket ws, Throwable error) {
            out.error = error;
            out.endNanos = System.nanoTime();
            closed.complete(null);
          }
        };
    WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    if (o.subprotocols.length > 0) {
      builder.subprotocols(
          o.subprotocols[0], Arrays.copyOfRange(o.subprotocols, 1, o.subprotocols.length));
    }
    WebSocket ws;
    try {
      ws = builder.buildAsync(uri, listener).get(15, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException h) {
        out.httpStatus = h.getResponse().statusCode();
        out.headers = h.getResponse().headers().map();
        Object body = h.getResponse().body();
        out.body = body == null ? null : body.toString();
        return out;
      }
      throw e;
    }
    out.subprotocol = ws.getSubprotocol();
    if (o.textOnOpen != null) {
      ws.sendText(o.textOnOpen, true).get(5, TimeUnit.SECONDS);
    }
    if (o.binaryOnOpen) {
      ws.sendBinary(ByteBuffer.wrap(RANDOM, 0, 8192), true).get(5, TimeUnit.SECONDS);
    }
    if (o.closeAfterMs >= 0) {
      Thread.sleep(o.closeAfterMs);
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }
    if (!download && !o.stall) {
      sendUpload(ws, o, out, closed);
    }
    try {
      closed.get(o.timeoutMs, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      out.endNanos = System.nanoTime();
      ws.abort();
    }
    if (o.neverReplyClose) {
      Thread.sleep(o.holdAfterCloseMs); // keep the connection, never answer: the server drops it
    }
    if (o.neverReplyClose || o.stall || o.stopReadingAfter >= 0) {
      ws.abort();
    }
    return out;
  }

  private static void sendUpload(
      WebSocket ws, Options o, Outcome out, CompletableFuture<Void> closed) throws Exception {
    long start = System.nanoTime();
    long sent = 0;
    int size = 1 << 13;
    try {
      if (o.oneMessageOf > 0) {
        ws.sendBinary(ByteBuffer.wrap(RANDOM, 0, o.oneMessageOf), true).get(10, TimeUnit.SECONDS);
        sent += o.oneMessageOf;
      }
      while (!closed.isDone()
          && System.nanoTime() - start < o.uploadMs * 1_000_000L
          && sent < o.uploadMaxBytes) {
        int n = (int) Math.min(size, o.uploadMaxBytes - sent);
        ws.sendBinary(ByteBuffer.wrap(RANDOM, 0, n), true).get(10, TimeUnit.SECONDS);
        sent += n;
        out.bytes = sent;
        if (size < (1 << 20) && size <= sent / 16) {
          size *= 2;
        }
      }
      if (!closed.isDone()) {
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
      }
    } catch (ExecutionException | IllegalStateException e) {
      // the server closed first
    }
    out.bytes = sent;
  }
}
