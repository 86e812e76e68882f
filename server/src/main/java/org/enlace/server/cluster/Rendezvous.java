package org.enlace.server.cluster;

import java.util.Collection;
import java.util.Optional;
import java.util.UUID;

/**
 * Rendezvous (highest random weight) hashing: each key goes to the replica with the highest score
 * for it. When a replica joins or dies only the keys it wins or held move, and every replica that
 * reads the same list of live replicas computes the same owner without talking to the others.
 */
public final class Rendezvous {
  private Rendezvous() {}

  /** The replica that owns {@code key}; empty only when there is no replica. */
  public static Optional<UUID> owner(Collection<UUID> replicas, long key) {
    UUID best = null;
    long bestScore = 0;
    for (UUID r : replicas) {
      long s = score(r, key);
      // Ties (practically never) go to the smaller id, so every replica picks the same one.
      if (best == null || s > bestScore || (s == bestScore && r.compareTo(best) < 0)) {
        best = r;
        bestScore = s;
      }
    }
    return Optional.ofNullable(best);
  }

  static long score(UUID replica, long key) {
    return mix(
        mix(replica.getMostSignificantBits() ^ mix(replica.getLeastSignificantBits())) ^ key);
  }

  /** SplitMix64's finaliser: every input bit changes about half of the output bits. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
