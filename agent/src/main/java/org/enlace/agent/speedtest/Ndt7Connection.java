package org.enlace.agent.speedtest;

import static org.enlace.agent.speedtest.Ndt7Client.sleepQuietly;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * One WebSocket of a subtest ({@link Ndt7Subtest}): counts the payload it receives (download) or
 * writes (upload, {@link #sendLoop}) into the subtest's total, checks the server's measurement
 * messages and keeps what they announce ({@link #serverSeries}), and notes how it ended. Any
 * protocol breach fails the whole subtest.
 */
final class Ndt7Connection implements WebSocket.Listener {
  /** The upload's first message size; the spec's appendix doubles it as the upload goes on. */
  static final int INITIAL_MESSAGE = 1 << 13;

  /** As M-Lab's Go client: the spec allows up to 1 << 24, the agent's memory does not. */
  static final int MAX_MESSAGE = 1 << 20;

  static final int SCALING_FRACTION = 16;
  static final int MAX_TEXT = 64 * 1024;

  final Ndt7Subtest t;
  final int index;

  /** Set by {@link Ndt7Handshake#openAll} once the upgrade is done; null until then. */
  volatile @Nullable WebSocket ws;

  volatile boolean ended;

  /** Why the connection was lost before the nominal duration; null while it was not. */
  volatile @Nullable String lostEarly;

  final AtomicLong bytes = new AtomicLong();
  volatile long serverNumBytes = -1;
  volatile long serverElapsedUs;

  /**
   * {server's ElapsedTime in ns, NumBytes, received at (ns on the subtest's clock)} of each
   * measurement that has both.
   */
  final List<long[]> serverSeries = Collections.synchronizedList(new ArrayList<>());

  private final StringBuilder text = new StringBuilder();

  Ndt7Connection(Ndt7Subtest t, int index) {
    this.t = t;
    this.index = index;
  }

  /**
   * The open WebSocket: only once {@link Ndt7Handshake#openAll} has succeeded, which sets every
   * connection's.
   */
  WebSocket open() {
    WebSocket w = ws;
    if (w == null) {
      throw new IllegalStateException("connection " + index + " of the " + t.phase + " not open");
    }
    return w;
  }

  void abort() {
    WebSocket w = ws;
    if (w != null) {
      w.abort();
    }
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    // Nothing is requested until every connection is open (Ndt7Subtest.run): the clock starts
    // then.
  }

  private void count(long n) {
    bytes.addAndGet(n);
    long all = t.total.addAndGet(n);
    t.lastActivity = System.nanoTime();
    if (all >= t.budget && !t.budgetReached) {
      t.budgetReached = true;
      for (Ndt7Connection c : t.snapshot()) {
        c.abort(); // stop the data at once; the monitor records why
      }
    }
  }

  @Override
  public @Nullable CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    if (!t.download) {
      t.fail("the server sent binary data during the upload (not allowed by ndt7)");
      return null;
    }
    count(data.remaining());
    webSocket.request(1);
    return null;
  }

  @Override
  public @Nullable CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    text.append(data);
    if (text.length() > MAX_TEXT) {
      t.fail("the server sent a measurement message over " + MAX_TEXT + " characters");
      return null;
    }
    if (last) {
      String msg = text.toString();
      text.setLength(0);
      if (t.download) {
        count(msg.getBytes(StandardCharsets.UTF_8).length);
      }
      measurement(msg);
    }
    webSocket.request(1);
    return null;
  }

  /** A server measurement: must be a JSON object; AppInfo, when present, must add up. */
  private void measurement(String msg) {
    @Nullable Map<String, Object> m;
    try {
      m = JSON.std.mapFrom(msg);
    } catch (IOException | RuntimeException e) {
      t.fail("malformed measurement message from the server: " + abbreviate(msg));
      return;
    }
    Object app = m == null ? null : m.get("AppInfo");
    if (app == null) {
      return;
    }
    if (!(app instanceof Map<?, ?> a)
        || !(a.get("NumBytes") instanceof Number n)
        || (a.get("ElapsedTime") != null && !(a.get("ElapsedTime") instanceof Number))) {
      t.fail("malformed measurement message from the server (AppInfo): " + abbreviate(msg));
      return;
    }
    long announced = n.longValue();
    long mine = bytes.get();
    // TCP keeps order: whatever the server counted before writing this message has arrived
    // (download); the server cannot have received more than was written (upload).
    if (announced < 0 || announced > mine + mine / 20 + (1 << 20)) {
      t.fail(
          String.format(
              Locale.ROOT,
              "the server announced %d bytes %s but %d were %s",
              announced,
              t.download ? "sent" : "received",
              mine,
              t.download ? "received" : "sent"));
      return;
    }
    serverNumBytes = announced;
    if (a.get("ElapsedTime") instanceof Number e) {
      serverElapsedUs = e.longValue();
      serverSeries.add(
          new long[] {e.longValue() * 1000, announced, System.nanoTime() - t.startNanos});
    }
  }

  @Override
  public @Nullable CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    // The JDK answers the server's Close with a Close of its own (the spec's closing rule).
    ended = true;
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    ended = true;
    if (t.stopping || t.budgetReached || t.error.get() != null) {
      return; // our own abort
    }
    double s = t.elapsedSeconds();
    // The spec asks to tolerate an abrupt end; only before the nominal duration is data missing.
    if (s < t.o.nominal().toNanos() / 1e9 * 0.9) {
      String why =
          String.format(Locale.ROOT, "connection lost after %.1f s (%s)", s, describe(error));
      lostEarly = why;
      t.fail(why);
    }
  }

  /** The upload: binary messages of random bytes, growing as the spec's appendix says. */
  void sendLoop(byte[] payload) {
    WebSocket w = open();
    int size = INITIAL_MESSAGE;
    long sent = 0;
    try {
      while (!t.stopping && !ended) {
        if (t.total.get() + size > t.budget) {
          t.budgetReached = true;
          break;
        }
        if (t.connections > 1 && queuedToTheEnd(sent)) {
          sleepQuietly(5);
          continue;
        }
        w.sendBinary(ByteBuffer.wrap(payload, 0, size), true)
            .get(t.o.stallTimeout().toMillis(), TimeUnit.MILLISECONDS);
        sent += size;
        bytes.addAndGet(size);
        t.total.addAndGet(size);
        t.lastActivity = System.nanoTime();
        if (size < MAX_MESSAGE && size <= sent / SCALING_FRACTION) {
          size *= 2;
        }
      }
      if (!ended && t.error.get() == null && !t.budgetReached) {
        w.sendClose(WebSocket.NORMAL_CLOSURE, "")
            .get(t.o.stallTimeout().toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (TimeoutException e) {
      if (!t.stopping) {
        t.fail(
            String.format(
                Locale.ROOT,
                "stalled: a message could not be sent for %.1f s",
                t.o.stallTimeout().toMillis() / 1000.0));
      }
    } catch (ExecutionException e) {
      if (!ended && !t.stopping) {
        onError(w, e); // describe() unwraps it to its cause
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IllegalStateException e) {
      // output closed under us (the server closed first): the upload is over
    }
  }

  /**
   * Several upload connections: true when what this connection has written and the server has not
   * yet received (estimated from its measurements: the last NumBytes, plus its rate over the last
   * second times the time since) would keep it sending until the nominal end. Writing more would
   * only fill socket buffers that drain after the test: with four connections on a thin link,
   * seconds of data beyond the 10 s. The link stays busy while any connection still has data
   * queued, so an early stop of one costs nothing. One connection (plain ndt7) always writes for
   * the full 10 s.
   */
  boolean queuedToTheEnd(long sent) {
    long[] last;
    long[] earlier = null;
    synchronized (serverSeries) {
      int n = serverSeries.size();
      if (n < 2) {
        return false;
      }
      last = serverSeries.get(n - 1);
      for (int i = n - 2; i >= 0; i--) {
        if (last[0] - serverSeries.get(i)[0] >= TimeUnit.SECONDS.toNanos(1)) {
          earlier = serverSeries.get(i);
          break;
        }
      }
    }
    if (earlier == null) {
      return false;
    }
    double rate = (double) (last[1] - earlier[1]) / (last[0] - earlier[0]); // bytes per ns
    long now = System.nanoTime() - t.startNanos;
    double received = last[1] + rate * Math.max(0, now - last[2]);
    double queued = sent - received;
    long remaining = t.o.nominal().toNanos() - now;
    return rate > 0 && queued >= rate * remaining;
  }

  private static String abbreviate(String s) {
    String one = s.replaceAll("\\s+", " ");
    return one.length() > 80 ? one.substring(0, 80) + "…" : one;
  }

  /** What went wrong with a connection, for the result's error. */
  static String describe(Throwable t) {
    Throwable c = cause(t);
    if (c instanceof WebSocketHandshakeException h) {
      return "the server refused the WebSocket upgrade (HTTP " + h.getResponse().statusCode() + ")";
    }
    String m = c.getMessage();
    return c.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
  }

  /** The failure inside the futures' wrappers. */
  static Throwable cause(Throwable t) {
    Throwable c = t;
    while ((c instanceof ExecutionException || c instanceof CompletionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }
}
