package org.enlace.agent.speedtest;

import static org.enlace.agent.speedtest.Ndt7Client.SUBPROTOCOL;
import static org.enlace.agent.speedtest.Ndt7Client.sleepQuietly;

import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.enlace.agent.upload.AgentVersion;

/**
 * Opens all of a subtest's WebSockets (the ndt7 subprotocol, the agent's User-Agent), each with its
 * {@link Ndt7Connection} as listener, before the subtest requests anything: all of them, or the
 * subtest fails. An upgrade refused with 429 is tried again as the server asks, a few times.
 */
final class Ndt7Handshake {
  /** Upgrade refusals with 429 retried, and the time spent waiting on them, at most. */
  static final int MAX_BUSY_RETRIES = 3;

  static final long MAX_BUSY_WAIT_MS = 60_000;

  private Ndt7Handshake() {}

  /**
   * Opens every connection of {@code t}: true when all are open with the ndt7 subprotocol (its
   * {@code conns}, in order, each with its {@code ws}); false when {@code t} has failed, its error
   * saying why.
   */
  static boolean openAll(Ndt7Subtest t) {
    int busyRetries = 0;
    long busyWaitedMs = 0;
    while (true) {
      List<CompletableFuture<WebSocket>> opening = open(t);
      try {
        for (int i = 0; i < t.connections; i++) {
          WebSocket ws =
              opening.get(i).get(t.o.connectTimeout().toMillis() + 2000, TimeUnit.MILLISECONDS);
          t.conns.get(i).ws = ws;
          if (!SUBPROTOCOL.equals(ws.getSubprotocol())) {
            t.fail("the server did not accept the " + SUBPROTOCOL + " subprotocol");
            return false;
          }
        }
        return true;
      } catch (TimeoutException e) {
        t.fail(
            "no WebSocket connection to "
                + Ndt7Client.hostPort(t.uri)
                + " within "
                + t.o.connectTimeout().toSeconds()
                + " s");
        abortAll(opening);
        return false;
      } catch (ExecutionException e) {
        abortAll(opening);
        // 429: the server is running as many tests as it allows and has not used the token
        // (it checks capacity before the token): wait as asked and try again, a few times.
        long waitMs = busyRetryAfterMs(e);
        if (waitMs >= 0
            && busyRetries < MAX_BUSY_RETRIES
            && busyWaitedMs + waitMs <= MAX_BUSY_WAIT_MS) {
          busyRetries++;
          busyWaitedMs += waitMs;
          synchronized (t.conns) {
            t.conns.clear();
          }
          sleepQuietly(waitMs);
          continue;
        }
        t.fail(
            Ndt7Connection.describe(e)
                + (busyRetries > 0
                    ? " after " + busyRetries + " retries over " + busyWaitedMs / 1000 + " s"
                    : ""));
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        t.fail("interrupted");
        abortAll(opening);
        return false;
      }
    }
  }

  /** Starts the upgrades, one new connection of {@code t} each. */
  private static List<CompletableFuture<WebSocket>> open(Ndt7Subtest t) {
    List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
    for (int i = 0; i < t.connections; i++) {
      Ndt7Connection c = new Ndt7Connection(t, i);
      synchronized (t.conns) {
        t.conns.add(c);
      }
      opening.add(
          t.client
              .newWebSocketBuilder()
              .connectTimeout(t.o.connectTimeout())
              .subprotocols(SUBPROTOCOL)
              .header("User-Agent", "enlace-agent/" + AgentVersion.get() + " enlace-ndt7-java")
              .buildAsync(t.uri, c)
              .toCompletableFuture());
    }
    return opening;
  }

  private static void abortAll(List<CompletableFuture<WebSocket>> opening) {
    for (CompletableFuture<WebSocket> f : opening) {
      // Nothing to wait for: an upgrade that fails has nothing to abort, and its failure was
      // already reported (or made moot) by the subtest's own error.
      var unusedAbort = f.thenAccept(WebSocket::abort);
    }
  }

  /**
   * For a 429 on the upgrade, the wait its Retry-After asks for (seconds; 5 s when absent or
   * unreadable, at most 30 s); -1 for any other failure.
   */
  static long busyRetryAfterMs(Throwable t) {
    Throwable c = Ndt7Connection.cause(t);
    if (!(c instanceof WebSocketHandshakeException h) || h.getResponse().statusCode() != 429) {
      return -1;
    }
    long seconds = 5;
    try {
      seconds =
          Long.parseLong(h.getResponse().headers().firstValue("Retry-After").orElse("5").trim());
    } catch (NumberFormatException e) {
      // an HTTP date or garbage: the default
    }
    return Math.min(30, Math.max(1, seconds)) * 1000;
  }
}
