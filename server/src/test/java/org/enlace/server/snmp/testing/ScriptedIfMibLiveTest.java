package org.enlace.server.snmp.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.enlace.server.testing.TempDirs;
import org.junit.jupiter.api.Test;

/** Live mode: sysUpTime and counters computed from the wall clock at each request. */
class ScriptedIfMibLiveTest {
  @Test
  void uptimeAndCountersAdvanceWithTheClockWithoutRewritingTheFile() throws Exception {
    Path dir = TempDirs.create("ifmib-live");
    Path file = dir.resolve("state");
    long since = System.currentTimeMillis() - 10_000;
    new MibState()
        .uptime(100)
        .live(since)
        .iface(
            2,
            i ->
                i.name("wan0").hcIn(1_000).hcOut(MibState.MAX_32 + 10).in32(1_000).rate(100, 1_000))
        .iface(3, i -> i.name("lan0").hcIn(7))
        .writeTo(file);
    ScriptedIfMib mib = new ScriptedIfMib(file);
    long uptime = value(mib.answer("1.3.6.1.2.1.1.3.0", false));
    long elapsedCentis = (System.currentTimeMillis() - since) / 10;
    assertThat(uptime).isBetween(100 + elapsedCentis - 50, 100 + elapsedCentis);
    long hcIn = value(mib.answer("1.3.6.1.2.1.31.1.1.1.6.2", false));
    assertThat(hcIn).isBetween(1_000L + 1_000, 1_000L + 1_100);
    long in32 = value(mib.answer("1.3.6.1.2.1.2.2.1.10.2", false));
    assertThat(in32).isBetween(1_000L + 1_000, 1_000L + 1_100);
    // Out: 2^32 + 10 + ~10,000 on the 64-bit counter; its 32-bit view wraps.
    long hcOut = value(mib.answer("1.3.6.1.2.1.31.1.1.1.10.2", false));
    assertThat(hcOut - MibState.MAX_32).isBetween(10_000L, 11_100L);
    long out32 = value(mib.answer("1.3.6.1.2.1.2.2.1.16.2", false));
    assertThat(out32).isBetween(9_000L, 11_100L);
    // No rate: as written.
    assertThat(value(mib.answer("1.3.6.1.2.1.31.1.1.1.6.3", false))).isEqualTo(7);
  }

  private static long value(String answer) {
    String[] lines = answer.split("\n", 0);
    return Long.parseUnsignedLong(lines[2].trim());
  }
}
