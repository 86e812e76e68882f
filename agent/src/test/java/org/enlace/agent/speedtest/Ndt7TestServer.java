package org.enlace.agent.speedtest;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * An ndt7 server written for the tests from the spec (ndt-server's spec/ndt7-protocol.md) on a
 * plain ServerSocket with RFC 6455 framing, so that nothing of it is borrowed from the client: the
 * upgrade with the subprotocol, binary messages of 1 << 13 bytes doubling while smaller than 1/16
 * of what was sent (capped at 1 << 20), JSON measurements every 250 ms, a Close after the duration
 * and the wait for the client's Close. Can pace to a rate (bytes/s, both directions), and misbehave
 * after a moment in one subtest.
 */
public final class Ndt7TestServer implements AutoCloseable {
  public enum Mode {
    NORMAL,
    STALL,
    CLOSE_EARLY,
    MALFORMED,
    OVER_ANNOUNCE,
    BINARY_IN_UPLOAD
  }

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private final ServerSocket ss;
  private final Thread acceptor;
  public volatile Mode mode = Mode.NORMAL;
  public volatile String misbehaveIn = "download";
  public volatile long misbehaveAfterMs = 1000;
  public volatile long rate; // bytes per second; 0: as fast as possible
  public volatile long durationMs = 10_000;

  /** The server MAY close at any time: also the upload, after the duration. */
  public volatile boolean closeUploadAfterDuration;

  /** Null: any token; otherwise each token works once. */
  public volatile Set<String> tokens;

  /** Upgrades refused with 429 and Retry-After before the next one is accepted. */
  public final AtomicInteger busyFor = new AtomicInteger();

  public volatile String retryAfter = "1";
  public final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  final List<String> userAgents = Collections.synchronizedList(new ArrayList<>());
  final List<Integer> downloadSizes = Collections.synchronizedList(new ArrayList<>());
  final List<Integer> uploadSizes = Collections.synchronizedList(new ArrayList<>());
  public final AtomicLong downloadSent = new AtomicLong();
  public final AtomicLong uploadReceived = new AtomicLong();
  final List<Integer> clientCloseCodes = Collections.synchronizedList(new ArrayList<>());
  final List<Socket> open = Collections.synchronizedList(new ArrayList<>());

  public Ndt7TestServer() throws IOException {
    ss = new ServerSocket();
    ss.setReceiveBufferSize(64 * 1024); // so that a paced reader slows the sender soon
    ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    acceptor = new Thread(this::accept, "ndt7-test-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  public int port() {
    return ss.getLocalPort();
  }

  public String base() {
    return "ws://127.0.0.1:" + port();
  }

  @Override
  public void close() throws IOException {
    ss.close();
    for (Socket s : new ArrayList<>(open)) {
      s.close();
    }
  }

  private void accept() {
    while (!ss.isClosed()) {
      try {
        Socket s = ss.accept();
        open.add(s);
        Thread t = new Thread(() -> serve(s), "ndt7-test-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      s.setSendBufferSize(64 * 1024);
      s.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      String head = readHead(in);
      if (head == null) {
        return; // a latency probe: connect and close
      }
      String[] lines = split(head, "\r\n");
      String[] rl = split(lines[0], " ");
      Map<String, String> h = new HashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int c = lines[i].indexOf(':');
        if (c > 0) {
          h.put(
              lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT),
              lines[i].substring(c + 1).trim());
        }
      }
      String target = rl[1];
      requests.add(target);
      userAgents.add(h.getOrDefault("user-agent", ""));
      String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
      String query = target.contains("?") ? target.substring(target.indexOf('?') + 1) : "";
      boolean download = path.equals("/ndt/v7/download");
      if (!download && !path.equals("/ndt/v7/upload")) {
        answer(out, "404 Not Found");
        return;
      }
      if (!h.getOrDefault("sec-websocket-protocol", "").contains(Ndt7Client.SUBPROTOCOL)
          || !"websocket".equalsIgnoreCase(h.get("upgrade"))) {
        answer(out, "400 Bad Request");
        return;
      }
      if (busyFor.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        out.write(
            ("HTTP/1.1 429 Too Many Requests\r\nRetry-After: "
                    + retryAfter
                    + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return;
      }
      Set<String> allowed = tokens;
      if (allowed != null && !allowed.remove(param(query, "access_token"))) {
        answer(out, "401 Unauthorized");
        return;
      }
      String accept =
          Base64.getEncoder()
              .encodeToString(
                  MessageDigest.getInstance("SHA-1")
                      .digest(
                          (h.get("sec-websocket-key") + GUID).getBytes(StandardCharsets.US_ASCII)));
      out.write(
          ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                  + "Connection: Upgrade\r\nSec-WebSocket-Accept: "
                  + accept
                  + "\r\n"
                  + "Sec-WebSocket-Protocol: "
                  + Ndt7Client.SUBPROTOCOL
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      Conn c = new Conn(s, new DataInputStream(in), out, download);
      if (download) {
        c.download();
      } else {
        c.upload();
      }
    } catch (Exception e) {
      // the client went away: fine for a test server
    }
  }

  /** As {@link String#split(String)} does with a literal: trailing empty strings dropped. */
  private static String[] split(String s, String literal) {
    return Pattern.compile(literal, Pattern.LITERAL).splitAsStream(s).toArray(String[]::new);
  }

  private static String param(String query, String name) {
    for (String kv : split(query, "&")) {
      if (kv.startsWith(name + "=")) {
        return kv.substring(name.length() + 1);
      }
    }
    return null;
  }

  private static void answer(OutputStream out, String status) throws IOException {
    out.write(
        ("HTTP/1.1 " + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int state = 0;
    while (true) {
      int c = in.read();
      if (c < 0) {
        return null;
      }
      b.write(c);
      state =
          (c == '\r' && (state == 0 || state == 2))
              ? state + 1
              : (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
      if (state == 4) {
        return b.toString(StandardCharsets.US_ASCII);
      }
    }
  }

  final class Conn {
    final Socket s;
    final DataInputStream in;
    final OutputStream out;
    final boolean download;
    final long start = System.nanoTime();
    volatile boolean closeSent;
    volatile boolean closeReceived;
    long paced; // bytes moved, for pacing
    final AtomicLong received = new AtomicLong(); // this connection's upload bytes

    Conn(Socket s, DataInputStream in, OutputStream out, boolean download) {
      this.s = s;
      this.in = in;
      this.out = out;
      this.download = download;
    }

    long elapsedMs() {
      return (System.nanoTime() - start) / 1_000_000;
    }

    boolean misbehaving(Mode m) {
      return mode == m
          && misbehaveIn.equals(download ? "download" : "upload")
          && elapsedMs() >= misbehaveAfterMs;
    }

    void pace(long bytes) throws InterruptedException {
      paced += bytes;
      long r = rate;
      if (r > 0) {
        long due = start + paced * 1_000_000_000L / r;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
      }
    }

    void frameHeader(int opcode, long len) throws IOException {
      out.write(0x80 | opcode);
      if (len < 126) {
        out.write((int) len);
      } else if (len < 65536) {
        out.write(126);
        out.write((int) (len >> 8));
        out.write((int) len);
      } else {
        out.write(127);
        for (int i = 7; i >= 0; i--) {
          out.write((int) (len >> (8 * i)));
        }
      }
    }

    synchronized void frame(int opcode, byte[] payload) throws IOException {
      frameHeader(opcode, payload.length);
      out.write(payload);
      out.flush();
    }

    void text(String json) throws IOException {
      frame(1, json.getBytes(StandardCharsets.UTF_8));
    }

    void sendClose() throws IOException {
      if (!closeSent) {
        closeSent = true;
        frame(8, new byte[] {0x03, (byte) 0xE8}); // 1000
      }
    }

    String measurement(long numBytes) {
      return "{\"AppInfo\":{\"ElapsedTime\":"
          + (System.nanoTime() - start) / 1000
          + ",\"NumBytes\":"
          + numBytes
          + "},\"ConnectionInfo\":{\"Client\":\""
          + s.getRemoteSocketAddress().toString().replace("/", "")
          + "\",\"Server\":\"127.0.0.1:"
          + port()
          + "\"},\"Origin\":\"server\",\"Test\":\""
          + (download ? "download" : "upload")
          + "\"}";
    }

    /** Reads one client frame (masked, as RFC 6455 requires); returns its opcode. */
    int readFrame(boolean count) throws IOException, InterruptedException {
      int b0 = in.readUnsignedByte();
      int b1 = in.readUnsignedByte();
      if ((b1 & 0x80) == 0) {
        throw new IOException("unmasked client frame");
      }
      long len = b1 & 0x7F;
      if (len == 126) {
        len = in.readUnsignedShort();
      } else if (len == 127) {
        len = in.readLong();
      }
      byte[] mask = new byte[4];
      in.readFully(mask);
      int opcode = b0 & 0x0F;
      byte[] chunk = new byte[16 * 1024];
      long left = len;
      ByteArrayOutputStream control = new ByteArrayOutputStream();
      while (left > 0) {
        if (count && misbehaving(Mode.STALL)) {
          Thread.sleep(60_000);
        }
        int n = in.read(chunk, 0, (int) Math.min(chunk.length, left));
        if (n < 0) {
          throw new EOFException();
        }
        left -= n;
        if (opcode == 2 && count) {
          uploadReceived.addAndGet(n);
          received.addAndGet(n);
          pace(n);
        } else if (opcode >= 8) {
          control.write(chunk, 0, n);
        }
      }
      if (opcode == 2 && count) {
        uploadSizes.add((int) len);
      }
      if (opcode == 8) {
        byte[] p = control.toByteArray();
        for (int i = 0; i < p.length; i++) {
          p[i] ^= mask[i % 4];
        }
        clientCloseCodes.add(p.length >= 2 ? ((p[0] & 0xFF) << 8) | (p[1] & 0xFF) : 1005);
        closeReceived = true;
      }
      return opcode;
    }

    void download() throws Exception {
      Thread reader =
          new Thread(
              () -> {
                try {
                  while (readFrame(false) != 8) {
                    // pongs and the like
                  }
                  sendClose();
                } catch (Exception e) {
                  // gone
                }
              },
              "ndt7-test-download-reader");
      reader.setDaemon(true);
      reader.start();
      int size = 1 << 13;
      long total = 0;
      long lastMeasurement = 0;
      byte[] data = new byte[1 << 20];
      new Random(7).nextBytes(data);
      while (elapsedMs() < durationMs && !closeReceived) {
        if (misbehaving(Mode.STALL)) {
          Thread.sleep(60_000);
          return;
        }
        if (misbehaving(Mode.CLOSE_EARLY)) {
          s.setSoLinger(true, 0);
          s.close(); // no Close frame: the connection just ends
          return;
        }
        synchronized (this) {
          frameHeader(2, size);
          for (int off = 0; off < size; off += 16 * 1024) {
            int n = Math.min(16 * 1024, size - off);
            out.write(data, off, n);
            downloadSent.addAndGet(n);
            pace(n);
          }
          out.flush();
        }
        downloadSizes.add(size);
        total += size;
        // The spec's appendix: double while smaller than 1/16 of what was queued.
        if (size < (1 << 20) && size < total / 16) {
          size *= 2;
        }
        if (elapsedMs() - lastMeasurement >= 250) {
          lastMeasurement = elapsedMs();
          if (misbehaving(Mode.MALFORMED)) {
            text("{\"AppInfo\": {\"NumBytes\": 12, \"Elapsed");
          } else {
            text(measurement(misbehaving(Mode.OVER_ANNOUNCE) ? total * 2 + (4 << 20) : total));
          }
        }
      }
      sendClose();
      reader.join(3000);
    }

    void upload() throws Exception {
      Thread meter =
          new Thread(
              () -> {
                try {
                  while (!closeSent && !closeReceived) {
                    Thread.sleep(250);
                    if (misbehaving(Mode.MALFORMED)) {
                      text("not json at all");
                    } else if (misbehaving(Mode.BINARY_IN_UPLOAD)) {
                      frame(2, new byte[1024]);
                    } else {
                      long n = received.get();
                      text(measurement(misbehaving(Mode.OVER_ANNOUNCE) ? n * 2 + (4 << 20) : n));
                    }
                    if (misbehaving(Mode.CLOSE_EARLY)) {
                      s.setSoLinger(true, 0);
                      s.close();
                      return;
                    }
                    if (closeUploadAfterDuration && elapsedMs() > durationMs) {
                      text(measurement(received.get()));
                      sendClose();
                      return;
                    }
                    if (elapsedMs() > durationMs + 3000) {
                      s.close(); // the spec's 13 s bound
                      return;
                    }
                  }
                } catch (Exception e) {
                  // gone
                }
              },
              "ndt7-test-upload-meter");
      meter.setDaemon(true);
      meter.start();
      while (readFrame(true) != 8) {
        // binary: counted; text from the client: ignored
      }
      if (!closeSent) {
        text(measurement(received.get()));
        sendClose();
      }
    }
  }
}
