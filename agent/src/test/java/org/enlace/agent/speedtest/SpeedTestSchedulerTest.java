package org.enlace.agent.speedtest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class SpeedTestSchedulerTest {
  static Map<String, Object> slot(String id, Instant notBefore, Instant notAfter) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("testId", id);
    m.put("notBefore", notBefore.toString());
    m.put("notAfter", notAfter.toString());
    m.put("downloadUrl", "/ndt/v7/download?access_token=d");
    m.put("uploadUrl", "/ndt/v7/upload?access_token=u");
    m.put("maxBytes", 12_000_000L);
    m.put("connections", 1);
    return m;
  }

  static SpeedTestResult ok(SpeedTestSlot s) {
    return new SpeedTestResult(
        "ndt7",
        s.testId(),
        Instant.now(),
        9.5,
        1.9,
        9.0,
        1.8,
        12.0,
        80.0,
        90.0,
        70.0,
        12_000,
        2_000,
        20_000,
        1,
        "h:443",
        null);
  }

  @Test
  void theTestRunsOnceAtTheRandomMomentOfItsWindow() throws Exception {
    List<Instant> ranAt = new CopyOnWriteArrayList<>();
    List<SpeedTestSlot> slots = new CopyOnWriteArrayList<>();
    SpeedTestScheduler s =
        new SpeedTestScheduler(
            true,
            Clock.systemUTC(),
            () -> 0.5,
            slot -> {
              ranAt.add(Instant.now());
              slots.add(slot);
              return List.of(ok(slot));
            });
    Instant now = Instant.now();
    Instant from = now.plusMillis(800);
    Instant to = now.plusMillis(1200);
    Instant at = s.offer(slot("t-1", from, to)).orElseThrow();
    assertThat(at).isBetween(from.plusMillis(190), from.plusMillis(210));
    // The server repeats the slot in each answer until it is used: one test only.
    assertThat(s.offer(slot("t-1", from, to))).isEmpty();
    assertThat(s.takeResult()).isEmpty();
    long deadline = System.currentTimeMillis() + 5000;
    while (ranAt.isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(20);
    }
    assertThat(ranAt).hasSize(1);
    assertThat(ranAt.get(0)).isAfterOrEqualTo(at).isBefore(to);
    assertThat(slots.get(0).maxBytes()).isEqualTo(12_000_000L);
    Thread.sleep(100);
    assertThat(s.takeResult())
        .hasValueSatisfying(
            m ->
                assertThat(m)
                    .containsEntry("method", "ndt7")
                    .containsEntry("testId", "t-1")
                    .containsEntry("downMbps", 9.5));
    assertThat(s.takeResult()).isEmpty();
    s.stop();
  }

  @Test
  void aWindowAlreadyOverIsSkippedAndTheRandomMomentStaysInside() {
    Instant now = Instant.parse("2026-11-25T10:00:00Z");
    List<SpeedTestSlot> ran = new ArrayList<>();
    SpeedTestScheduler s =
        new SpeedTestScheduler(
            true,
            Clock.fixed(now, ZoneOffset.UTC),
            () -> 0.999999,
            slot -> {
              ran.add(slot);
              return List.of();
            });
    assertThat(s.offer(slot("old", now.minusSeconds(600), now))).isEmpty();
    assertThat(s.offer(Map.of("testId", "bad"))).isEmpty();
    Instant at = s.offer(slot("late", now.minusSeconds(60), now.plusSeconds(60))).orElseThrow();
    assertThat(at).isAfterOrEqualTo(now).isBefore(now.plusSeconds(60));
    s.stop();
    SpeedTestScheduler off =
        new SpeedTestScheduler(
            false,
            Clock.systemUTC(),
            () -> 0,
            slot -> {
              ran.add(slot);
              return List.of();
            });
    assertThat(off.offer(slot("t", Instant.now(), Instant.now().plusSeconds(5)))).isEmpty();
    assertThat(ran).isEmpty();
  }

  @Test
  void countersComeFromTheDefaultRouteInterface() {
    List<String> route =
        List.of(
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
            "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0",
            "eth0\t00000000\t0100000A\t0003\t0\t0\t100\t00000000\t0\t0\t0",
            "eth0\t0000000A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0");
    assertThat(InterfaceCounters.defaultInterface(route)).contains("eth0");
    List<String> dev =
        List.of(
            "Inter-|   Receive                                                |  Transmit",
            " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed",
            "    lo: 1000 10 0 0 0 0 0 0 1000 10 0 0 0 0 0 0",
            "  eth0: 123456789 9000 1 2 0 0 0 5 987654 7000 3 4 0 0 0 0");
    assertThat(InterfaceCounters.counters(dev, "eth0"))
        .hasValueSatisfying(
            m ->
                assertThat(m)
                    .containsEntry("interface", "eth0")
                    .containsEntry("rxBytes", 123456789L)
                    .containsEntry("txBytes", 987654L)
                    .containsEntry("rxErrors", 1L)
                    .containsEntry("txErrors", 3L));
    assertThat(InterfaceCounters.defaultInterface(List.of(route.get(0)))).isEmpty();
    assertThat(new InterfaceCounters(Path.of("/nonexistent")).read()).isEmpty();
  }
}
