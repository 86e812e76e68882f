package org.enlace.server.speedtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** Parsing iproute2 ss -Htin output (iproute2 6.1, Linux 6.x, BBR) into ndt7 TCPInfo units. */
class Ndt7TcpInfoTest {
  static final String OUT =
      ""
          + "ESTAB 0      0      [::ffff:127.0.0.1]:8080 [::ffff:127.0.0.1]:54400\n"
          + "\t bbr wscale:10,10 rto:212 rtt:11.624/15.898 ato:40 mss:65483 pmtu:65535 "
          + "rcvmss:8192 advmss:65483 cwnd:18 bytes_sent:10489273 bytes_retrans:44 "
          + "bytes_acked:10489229 bytes_received:153586290 segs_out:6056 "
          + "bbr:(bw:104772793752bps,mrtt:0.005,pacing_gain:2.88672,cwnd_gain:2.88672) "
          + "send 811214040bps lastsnd:11556 pacing_rate 499445730224bps delivered:3311 "
          + "app_limited busy:6016ms rwnd_limited:120ms(2.0%) sndbuf_limited:3ms(0.1%) "
          + "retrans:0/1 rcv_rtt:1 minrtt:0.004 snd_wnd:6648832\n"
          + "ESTAB 0      0      10.0.0.5:8080 10.0.0.9:54400\n"
          + "\t cubic rtt:20.5/1.25 bytes_acked:99 minrtt:19.9\n";

  @Test
  void picksTheConnectionOfThePeerAndConvertsUnits() throws Exception {
    Ndt7TcpInfo.Sample s =
        Ndt7TcpInfo.parse(OUT, InetAddress.getByAddress(new byte[] {127, 0, 0, 1})).orElseThrow();
    assertThat(s.rtt()).isEqualTo(11_624);
    assertThat(s.rttVar()).isEqualTo(15_898);
    assertThat(s.minRtt()).isEqualTo(4);
    assertThat(s.bytesAcked()).isEqualTo(10_489_229);
    assertThat(s.bytesReceived()).isEqualTo(153_586_290);
    assertThat(s.bytesSent()).isEqualTo(10_489_273);
    assertThat(s.bytesRetrans()).isEqualTo(44);
    assertThat(s.busyTime()).isEqualTo(6_016_000);
    assertThat(s.rwndLimited()).isEqualTo(120_000);
    assertThat(s.sndBufLimited()).isEqualTo(3_000);
    Ndt7TcpInfo.Bbr bbr = s.bbr().orElseThrow();
    assertThat(bbr.bw()).isEqualTo(13_096_599_219L);
    assertThat(bbr.minRtt()).isEqualTo(5);
    assertThat(bbr.pacingGain()).isEqualTo(739);

    Ndt7TcpInfo.Sample other =
        Ndt7TcpInfo.parse(OUT, InetAddress.getByName("10.0.0.9")).orElseThrow();
    assertThat(other.rtt()).isEqualTo(20_500);
    assertThat(other.minRtt()).isEqualTo(19_900);
    assertThat(other.bytesReceived()).isZero(); // ss omits zero counters
    assertThat(other.bbr()).isEmpty();
    assertThat(Ndt7TcpInfo.parse(OUT, InetAddress.getByName("10.0.0.10"))).isEmpty();
    assertThat(Ndt7TcpInfo.parse("", null)).isEmpty();
  }
}
