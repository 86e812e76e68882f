package org.enlace.agent.probe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS responder on 127.0.0.1 (random UDP port) that is just enough for DnsProbe's tests: known
 * names get A 127.0.0.1, "servfail.test" gets SERVFAIL, names starting with "slow" get no answer at
 * all, "v6only.test" gets only AAAA ::1, everything else NXDOMAIN.
 */
final class TinyDnsServer implements AutoCloseable {
  private static final int TYPE_A = 1;
  private static final int TYPE_AAAA = 28;

  private final DatagramSocket socket;
  private final Set<String> known;
  private final Thread thread;
  final AtomicInteger queries = new AtomicInteger();

  TinyDnsServer(Set<String> known) throws SocketException {
    this.known = known;
    this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    this.thread = new Thread(this::serve, "tiny-dns");
    thread.setDaemon(true);
    thread.start();
  }

  /** "127.0.0.1:PORT", as written in ProbeConfig.dnsServers. */
  String address() {
    return "127.0.0.1:" + socket.getLocalPort();
  }

  private void serve() {
    byte[] buf = new byte[512];
    while (!socket.isClosed()) {
      try {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        queries.incrementAndGet();
        byte[] answer = answer(p.getData());
        if (answer != null) {
          socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
        }
      } catch (IOException | RuntimeException e) {
        if (socket.isClosed()) {
          return;
        }
      }
    }
  }

  /** The response to one query, or null to stay silent. */
  private byte[] answer(byte[] q) {
    // header: id(2) flags(2) qdcount(2) ancount(2) nscount(2) arcount(2); then the question
    int pos = 12;
    StringBuilder name = new StringBuilder();
    while (q[pos] != 0) {
      int n = q[pos] & 0xff;
      if (name.length() > 0) {
        name.append('.');
      }
      name.append(new String(q, pos + 1, n, StandardCharsets.US_ASCII));
      pos += n + 1;
    }
    pos++; // the root label
    int qtype = ((q[pos] & 0xff) << 8) | (q[pos + 1] & 0xff);
    int questionEnd = pos + 4;
    String qname = name.toString().toLowerCase(Locale.ROOT);

    if (qname.startsWith("slow")) {
      return null;
    }
    int rcode;
    byte[] rdata = null;
    int rtype = qtype;
    if (qname.equals("servfail.test")) {
      rcode = 2;
    } else if (qname.equals("v6only.test")) {
      rcode = 0;
      if (qtype == TYPE_AAAA) {
        rdata = new byte[16];
        rdata[15] = 1;
      }
    } else if (known.contains(qname)) {
      rcode = 0;
      if (qtype == TYPE_A) {
        rdata = new byte[] {127, 0, 0, 1};
      }
    } else {
      rcode = 3;
    }

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(q[0]);
    out.write(q[1]);
    out.write(0x80 | (q[2] & 0x01)); // QR, copy RD
    out.write(0x80 | rcode); // RA
    writeShort(out, 1);
    writeShort(out, rdata == null ? 0 : 1);
    writeShort(out, 0);
    writeShort(out, 0);
    out.write(q, 12, questionEnd - 12);
    if (rdata != null) {
      writeShort(out, 0xC00C); // pointer to the question's name
      writeShort(out, rtype);
      writeShort(out, 1); // IN
      writeShort(out, 0);
      writeShort(out, 60); // TTL
      writeShort(out, rdata.length);
      out.write(rdata, 0, rdata.length);
    }
    return out.toByteArray();
  }

  private static void writeShort(ByteArrayOutputStream out, int v) {
    out.write((v >> 8) & 0xff);
    out.write(v & 0xff);
  }

  @Override
  public void close() {
    socket.close();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
