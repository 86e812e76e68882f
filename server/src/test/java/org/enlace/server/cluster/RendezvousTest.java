package org.enlace.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Which replica polls which router: balanced, the same on every replica, and few moves. */
class RendezvousTest {
  static final int KEYS = 6_000;

  static List<UUID> replicas(int n, long seed) {
    Random r = new Random(seed);
    List<UUID> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new UUID(r.nextLong(), r.nextLong()));
    }
    return out;
  }

  static Map<Long, UUID> assign(List<UUID> replicas) {
    Map<Long, UUID> out = new HashMap<>();
    for (long k = 1; k <= KEYS; k++) {
      out.put(k, Rendezvous.owner(replicas, k).orElseThrow());
    }
    return out;
  }

  @Test
  void spreadsDevicesEvenlyWhateverTheOrderOfTheList() {
    List<UUID> three = replicas(3, 1);
    Map<Long, UUID> a = assign(three);
    Map<Long, UUID> b = assign(List.of(three.get(2), three.get(0), three.get(1)));
    assertThat(a).isEqualTo(b);
    for (UUID r : three) {
      long mine = a.values().stream().filter(r::equals).count();
      // A third each, within 10 % (sequential device ids, as bigserial gives).
      assertThat(mine).isBetween((long) (KEYS / 3 * 0.9), (long) (KEYS / 3 * 1.1));
    }
  }

  @Test
  void movesOnlyTheDevicesOfTheReplicaThatLeavesOrToTheOneThatJoins() {
    List<UUID> three = replicas(3, 2);
    Map<Long, UUID> before = assign(three);
    Map<Long, UUID> without = assign(three.subList(0, 2));
    for (long k = 1; k <= KEYS; k++) {
      if (!before.get(k).equals(three.get(2))) {
        assertThat(without.get(k)).as("device %d", k).isEqualTo(before.get(k));
      }
    }
    List<UUID> four = new ArrayList<>(three);
    four.add(replicas(1, 3).get(0));
    Map<Long, UUID> with = assign(four);
    long moved = 0;
    for (long k = 1; k <= KEYS; k++) {
      if (!with.get(k).equals(before.get(k))) {
        assertThat(with.get(k)).isEqualTo(four.get(3));
        moved++;
      }
    }
    assertThat(moved).isBetween((long) (KEYS / 4 * 0.9), (long) (KEYS / 4 * 1.1));
  }

  @Test
  void aLoneReplicaOwnsEverything() {
    UUID only = UUID.randomUUID();
    assertThat(Rendezvous.owner(List.of(only), 42)).contains(only);
    assertThat(Rendezvous.owner(List.of(), 42)).isEmpty();
  }
}
