package org.enlace.server.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A closed-loop HTTP/1.1 load generator on non-blocking sockets: {@code connections} keep-alive
 * connections, each with exactly one request in flight (no pipelining, like an agent), driven by
 * {@code threads} selector threads. One epoll thread serves all connections, so the generator costs
 * a few microseconds of CPU per request instead of the thread hand-offs of a blocking or {@code
 * java.net.http} client; on a 2-core machine shared with the server and PostgreSQL that CPU is
 * taken from the system under test.
 *
 * <p>A connection sends its next request as soon as the previous response is complete. Responses
 * completed inside the measurement window are counted and their latency (first byte written to last
 * byte read) recorded; after the window no new request is started and those in flight are allowed
 * to finish, so that every request sent gets its answer before the database is checked.
 */
final class HttpLoad {
  /** What a connection sends and how its answer is judged. */
  interface Workload {
    /** The next complete request (line, headers and body) for this connection. */
    byte[] next(int connection);

    /** Called for every complete response; returns the observations acknowledged (0 if none). */
    int completed(int connection, int status, byte[] buf, int bodyStart, int bodyEnd);
  }

  /** What one phase measured. */
  static final class Result {
    final Histogram latencyMicros = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
    long requestsOk;
    long requestsFailed;
    long observationsAcked;
    long totalRequests;
    long totalFailed;
    long reconnects;
    double windowSeconds;

    void add(Result o) {
      latencyMicros.add(o.latencyMicros);
      requestsOk += o.requestsOk;
      requestsFailed += o.requestsFailed;
      observationsAcked += o.observationsAcked;
      totalRequests += o.totalRequests;
      totalFailed += o.totalFailed;
      reconnects += o.reconnects;
    }
  }

  private final InetSocketAddress address;
  private final Workload workload;
  private final int connections;
  private final int threads;

  HttpLoad(InetSocketAddress address, Workload workload, int connections, int threads) {
    this.address = address;
    this.workload = workload;
    this.connections = connections;
    this.threads = Math.max(1, Math.min(threads, connections));
  }

  /**
   * Runs until {@code measureEndNanos}, counting responses completed from {@code
   * measureStartNanos}; then drains for at most {@code drainNanos}.
   */
  Result run(long measureStartNanos, long measureEndNanos, long drainNanos)
      throws InterruptedException {
    List<Worker> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<Integer> mine = new ArrayList<>();
      for (int c = t; c < connections; c += threads) {
        mine.add(c);
      }
      workers.add(new Worker(mine, measureStartNanos, measureEndNanos, drainNanos));
    }
    List<Thread> running = new ArrayList<>();
    for (int t = 0; t < workers.size(); t++) {
      Thread th = new Thread(workers.get(t), "load-" + t);
      th.start();
      running.add(th);
    }
    Result total = new Result();
    for (int t = 0; t < running.size(); t++) {
      running.get(t).join();
      Worker w = workers.get(t);
      if (w.failure != null) {
        throw new IllegalStateException("load thread failed", w.failure);
      }
      total.add(w.result);
    }
    total.windowSeconds = (measureEndNanos - measureStartNanos) / 1e9;
    return total;
  }

  /** One connection's state. */
  private static final class Conn {
    final int id;
    int failures;

    Conn(int id) {
      this.id = id;
    }

    SocketChannel channel;
    SelectionKey key;
    ByteBuffer out;
    byte[] in = new byte[16 * 1024];
    int inLen;
    long sentAt;
    boolean busy;
  }

  private final class Worker implements Runnable {
    final List<Integer> ids;
    final long measureStart;
    final long measureEnd;
    final long drainNanos;
    final Result result = new Result();
    Throwable failure;
    Selector selector;
    int busy;

    Worker(List<Integer> ids, long measureStart, long measureEnd, long drainNanos) {
      this.ids = ids;
      this.measureStart = measureStart;
      this.measureEnd = measureEnd;
      this.drainNanos = drainNanos;
    }

    @Override
    public void run() {
      List<Conn> conns = new ArrayList<>();
      try (Selector sel = Selector.open()) {
        selector = sel;
        for (int id : ids) {
          Conn c = new Conn(id);
          connect(c);
          conns.add(c);
          send(c);
        }
        long hardStop = measureEnd + drainNanos;
        while (true) {
          long now = System.nanoTime();
          if (now >= measureEnd && busy == 0) {
            break;
          }
          if (now >= hardStop) {
            result.totalFailed += busy; // never answered: not acknowledged, not counted
            break;
          }
          sel.select(50);
          Iterator<SelectionKey> it = sel.selectedKeys().iterator();
          while (it.hasNext()) {
            SelectionKey k = it.next();
            it.remove();
            Conn c = (Conn) k.attachment();
            if (!k.isValid()) {
              continue;
            }
            if (k.isWritable()) {
              write(c);
            }
            if (k.isValid() && k.isReadable()) {
              read(c);
            }
          }
        }
      } catch (Throwable t) {
        failure = t;
      } finally {
        for (Conn c : conns) {
          closeQuietly(c);
        }
      }
    }

    private void connect(Conn c) throws IOException {
      SocketChannel ch = SocketChannel.open();
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      ch.connect(address); // blocking connect on loopback: immediate
      ch.configureBlocking(false);
      c.channel = ch;
      c.key = ch.register(selector, 0, c);
      c.inLen = 0;
    }

    private void send(Conn c) throws IOException {
      if (System.nanoTime() >= measureEnd) {
        return; // window over: start nothing new
      }
      c.out = ByteBuffer.wrap(workload.next(c.id));
      c.inLen = 0;
      c.sentAt = System.nanoTime();
      c.busy = true;
      busy++;
      write(c);
    }

    private void write(Conn c) throws IOException {
      try {
        c.channel.write(c.out);
      } catch (IOException e) {
        fail(c);
        return;
      }
      c.key.interestOps(
          c.out.hasRemaining()
              ? SelectionKey.OP_WRITE | SelectionKey.OP_READ
              : SelectionKey.OP_READ);
    }

    private void read(Conn c) throws IOException {
      while (true) {
        if (c.inLen == c.in.length) {
          c.in = Arrays.copyOf(c.in, c.in.length * 2);
        }
        int n;
        try {
          n = c.channel.read(ByteBuffer.wrap(c.in, c.inLen, c.in.length - c.inLen));
        } catch (IOException e) {
          fail(c);
          return;
        }
        if (n < 0) {
          fail(c);
          return;
        }
        if (n == 0) {
          return;
        }
        c.inLen += n;
        if (c.inLen < c.in.length) {
          break;
        }
      }
      Parsed p = parse(c.in, c.inLen);
      if (p == null) {
        return; // incomplete
      }
      long done = System.nanoTime();
      c.busy = false;
      busy--;
      int acked = workload.completed(c.id, p.status, p.body, p.bodyStart, p.bodyEnd);
      boolean ok = acked > 0; // the workload judged the answer
      result.totalRequests++;
      if (!ok) {
        result.totalFailed++;
      }
      if (done >= measureStart && done < measureEnd) {
        if (ok) {
          result.requestsOk++;
          result.observationsAcked += acked;
          result.latencyMicros.recordValue(
              Math.min((done - c.sentAt) / 1000, result.latencyMicros.getHighestTrackableValue()));
        } else {
          result.requestsFailed++;
        }
      }
      if (p.close) {
        closeQuietly(c);
        result.reconnects++;
        connect(c);
      }
      send(c);
    }

    private void fail(Conn c) throws IOException {
      if (c.busy) {
        c.busy = false;
        busy--;
        result.totalRequests++;
        result.totalFailed++;
        long now = System.nanoTime();
        if (now >= measureStart && now < measureEnd) {
          result.requestsFailed++;
        }
      }
      closeQuietly(c);
      result.reconnects++;
      if (++c.failures > 1000) {
        throw new IOException("connection " + c.id + " failed 1000 times; is the server down?");
      }
      connect(c);
      send(c);
    }
  }

  private static void closeQuietly(Conn c) {
    try {
      if (c.key != null) {
        c.key.cancel();
      }
      if (c.channel != null) {
        c.channel.close();
      }
    } catch (IOException ignored) {
      // closing
    }
  }

  /** A complete response. */
  @SuppressWarnings("ArrayRecordComponent") // a view of the read buffer, never compared or hashed
  record Parsed(int status, byte[] body, int bodyStart, int bodyEnd, boolean close) {}

  /** Parses one HTTP/1.1 response from buf[0..len), or returns null when it is incomplete. */
  static Parsed parse(byte[] buf, int len) {
    int headerEnd = indexOf(buf, 0, len, CRLFCRLF);
    if (headerEnd < 0) {
      return null;
    }
    if (len < 12) {
      return null;
    }
    int status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
    long contentLength = -1;
    boolean chunked = false;
    boolean close = false;
    int lineStart = indexOf(buf, 0, headerEnd, CRLF) + 2;
    while (lineStart < headerEnd) {
      int lineEnd = indexOf(buf, lineStart, headerEnd + 2, CRLF);
      int colon = indexOf(buf, lineStart, lineEnd, COLON);
      if (colon > 0) {
        String name = new String(buf, lineStart, colon - lineStart, StandardCharsets.ISO_8859_1);
        if (name.equalsIgnoreCase("Content-Length")) {
          contentLength = Long.parseLong(value(buf, colon + 1, lineEnd));
        } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
          chunked = value(buf, colon + 1, lineEnd).toLowerCase(Locale.ROOT).contains("chunked");
        } else if (name.equalsIgnoreCase("Connection")) {
          close = value(buf, colon + 1, lineEnd).equalsIgnoreCase("close");
        }
      }
      lineStart = lineEnd + 2;
    }
    int bodyStart = headerEnd + 4;
    if (!chunked) {
      if (contentLength < 0) {
        contentLength = 0; // our server always frames its bodies; no-body statuses have none
      }
      if (len < bodyStart + contentLength) {
        return null;
      }
      return new Parsed(status, buf, bodyStart, (int) (bodyStart + contentLength), close);
    }
    // Chunked: reassemble into a new array once the terminating chunk has arrived.
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int pos = bodyStart;
    while (true) {
      int sizeEnd = indexOf(buf, pos, len, CRLF);
      if (sizeEnd < 0) {
        return null;
      }
      String sizeText = new String(buf, pos, sizeEnd - pos, StandardCharsets.ISO_8859_1);
      int semi = sizeText.indexOf(';');
      int size = Integer.parseInt((semi < 0 ? sizeText : sizeText.substring(0, semi)).trim(), 16);
      pos = sizeEnd + 2;
      if (size == 0) {
        int trailerEnd = indexOf(buf, pos - 2, len, CRLFCRLF);
        if (trailerEnd < 0) {
          return null;
        }
        byte[] b = body.toByteArray();
        return new Parsed(status, b, 0, b.length, close);
      }
      if (len < pos + size + 2) {
        return null;
      }
      body.write(buf, pos, size);
      pos += size + 2;
    }
  }

  private static final byte[] CRLFCRLF = {'\r', '\n', '\r', '\n'};
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] COLON = {':'};

  private static String value(byte[] buf, int from, int to) {
    return new String(buf, from, to - from, StandardCharsets.ISO_8859_1).trim();
  }

  static int indexOf(byte[] buf, int from, int to, byte[] needle) {
    outer:
    for (int i = from; i <= to - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (buf[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** The integer after {@code "name":} in a JSON body, or -1. */
  static long jsonLong(byte[] buf, int from, int to, byte[] quotedNameColon) {
    int i = indexOf(buf, from, to, quotedNameColon);
    if (i < 0) {
      return -1;
    }
    i += quotedNameColon.length;
    while (i < to && buf[i] == ' ') {
      i++;
    }
    long v = 0;
    int digits = 0;
    while (i < to && buf[i] >= '0' && buf[i] <= '9') {
      v = v * 10 + (buf[i] - '0');
      i++;
      digits++;
    }
    return digits == 0 ? -1 : v;
  }
}
