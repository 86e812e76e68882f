package org.enlace.server.limits;

import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes an HTTP/1 connection whose request line and headers take longer than {@code
 * limits.headerReadTimeout} to arrive (slowloris). Jetty has no such limit: its idle timeout
 * restarts with every byte, so a client sending one header byte every few seconds would hold a
 * connection, and its buffers, for ever.
 *
 * <p>Each connection is looked at four times per timeout: a connection seen reading the same
 * request's headers for the whole timeout is closed, so it is cut between one and one and a quarter
 * timeouts after its first byte was seen. Idle keep-alive connections (no request begun) are left
 * to the idle timeout; upgraded ones (WebSocket) are no longer looked at.
 */
// HttpConnection is in Jetty's internal package; its parser state is the only place that tells
// "reading headers" from "idle" or "handling a request". If a Jetty upgrade moves it, this class
// stops compiling rather than silently stopping to cut.
public final class HeaderReadDeadline implements Connection.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(HeaderReadDeadline.class);

  private final long timeoutMs;
  private final long tickMs;
  private final Scheduler scheduler;
  private final Runnable onCut;

  public HeaderReadDeadline(long timeoutMs, Scheduler scheduler, Runnable onCut) {
    this.timeoutMs = timeoutMs;
    this.tickMs = Math.max(50, timeoutMs / 4);
    this.scheduler = scheduler;
    this.onCut = onCut;
  }

  @Override
  public void onOpened(Connection connection) {
    if (connection instanceof HttpConnection http) {
      new Watch(http).next();
    }
  }

  @Override
  public void onClosed(Connection connection) {
    // The watch sees the closed end point at its next look and stops.
  }

  /** Looks at one connection every tick; runs on the scheduler's thread. */
  private final class Watch implements Runnable {
    private final HttpConnection http;
    private long readingSinceMs = -1;

    Watch(HttpConnection http) {
      this.http = http;
    }

    void next() {
      Scheduler.Task unused = scheduler.schedule(this, tickMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
      if (!http.getEndPoint().isOpen() || http.getEndPoint().getConnection() != http) {
        return;
      }
      HttpParser parser = http.getParser();
      long now = System.nanoTime() / 1_000_000;
      boolean readingHeaders = parser.inHeaderState() && !parser.isStart();
      if (!readingHeaders) {
        readingSinceMs = -1;
      } else if (readingSinceMs < 0) {
        readingSinceMs = now;
      } else if (now - readingSinceMs >= timeoutMs) {
        LOG.debug(
            "event=slow_header_cut remote={} seconds={}",
            http.getEndPoint().getRemoteSocketAddress(),
            (now - readingSinceMs) / 1000);
        onCut.run();
        http.getEndPoint().close();
        return;
      }
      next();
    }
  }
}
