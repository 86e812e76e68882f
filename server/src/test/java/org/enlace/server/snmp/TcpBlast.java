package org.enlace.server.snmp;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Bulk TCP sender for {@link SnmpUtilizationIT}, run inside a network namespace with {@code ip
 * netns exec <ns> java -cp <test-classes> org.enlace.server.snmp.TcpBlast host port seconds}:
 * connects and writes as fast as TCP lets it (the shaped link decides the rate) until the time is
 * up or the peer closes. Needs only the JDK.
 */
public final class TcpBlast {
  private TcpBlast() {}

  public static void main(String[] args) throws Exception {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    long seconds = Long.parseLong(args[2]);
    byte[] buffer = new byte[64 * 1024];
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    long sent = 0;
    try (Socket s = new Socket()) {
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress(host, port), 10_000);
      OutputStream out = s.getOutputStream();
      while (System.nanoTime() < deadline) {
        out.write(buffer);
        sent += buffer.length;
      }
    } catch (IOException e) {
      System.err.println("TcpBlast: " + e + " after " + sent + " bytes");
    }
    System.out.println("TcpBlast sent " + sent + " bytes");
  }
}
