package org.enlace.server.speedtest.accuracy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The reference: plain bulk TCP over the same link, no WebSocket, no protocol beyond one header
 * line. {@code DOWN millis}: send random bytes until the client closes (it measures); {@code UP
 * millis runId n}: receive, and measure the run's n connections together for millis, then close
 * them. Each direction is measured by its receiver, never from what a sender wrote (that includes
 * what is still in socket buffers).
 */
public final class BulkTcpServer implements AutoCloseable {
  private final ServerSocket ss;
  private final byte[] payload = new byte[1 << 16];
  private final Map<String, Upload> uploads = new ConcurrentHashMap<>();

  private static final class Upload {
    final LinkProbe.Meter meter = new LinkProbe.Meter();
    final List<Socket> sockets = new CopyOnWriteArrayList<>();
    volatile boolean done;
  }

  public BulkTcpServer(String host) throws IOException {
    new SplittableRandom().nextBytes(payload);
    ss = new ServerSocket();
    ss.bind(new InetSocketAddress(InetAddress.getByName(host), 0), 16);
    Thread t = new Thread(this::accept, "bulk-tcp-accept");
    t.setDaemon(true);
    t.start();
  }

  public int port() {
    return ss.getLocalPort();
  }

  private void accept() {
    while (!ss.isClosed()) {
      try {
        Socket s = ss.accept();
        Thread t = new Thread(() -> serve(s), "bulk-tcp");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      String[] cmd = readLine(in).split(" ", 0);
      long millis = Long.parseLong(cmd[1]);
      if (cmd[0].equals("DOWN")) {
        OutputStream out = s.getOutputStream();
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
          out.write(payload);
        }
      } else {
        Upload u =
            uploads.computeIfAbsent(
                cmd[2],
                k -> {
                  Upload x = new Upload();
                  Thread t =
                      new Thread(
                          () -> {
                            try {
                              x.meter.sampleUntil(millis);
                            } catch (InterruptedException e) {
                              Thread.currentThread().interrupt();
                            }
                            x.done = true;
                            for (Socket c : x.sockets) {
                              try {
                                c.setSoLinger(true, 0);
                                c.close();
                              } catch (IOException e) {
                                // closing anyway
                              }
                            }
                          },
                          "bulk-tcp-meter");
                  t.setDaemon(true);
                  t.start();
                  return x;
                });
        u.sockets.add(s);
        if (u.done) {
          return;
        }
        byte[] buf = new byte[1 << 16];
        int r;
        while ((r = in.read(buf)) > 0) {
          u.meter.bytes.addAndGet(r);
        }
      }
    } catch (IOException | RuntimeException e) {
      // the other side closed: the end of a measurement
    }
  }

  /** The steady rate of an upload run, once its time is over; NaN when unknown. */
  public double uploadMbps(String runId, long warmMillis, long timeoutMillis)
      throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < end) {
      Upload u = uploads.get(runId);
      if (u != null && u.done) {
        return u.meter.steadyMbps(warmMillis);
      }
      Thread.sleep(20);
    }
    return Double.NaN;
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) > 0 && c != '\n') {
      b.write(c);
      if (b.size() > 200) {
        throw new IOException("header too long");
      }
    }
    return b.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    ss.close();
  }
}
