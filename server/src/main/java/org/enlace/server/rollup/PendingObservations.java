package org.enlace.server.rollup;

import java.time.Instant;
import java.util.Arrays;

/**
 * Observations waiting for the rollup maintainer, gathered into the one {@code rollup_pending} row
 * (parallel arrays, see migration V9) that a group commit, or a rebuild putting back what was not
 * its day, writes.
 */
public final class PendingObservations {
  private long[] establishmentIds;
  private long[] computerIds;
  private long[] observedMs;
  private String[] statuses;
  private int[] latencyCounts;
  private float[] latencyMs = new float[16];
  private int size;
  private int latencies;
  private long first = Long.MAX_VALUE;
  private long last = Long.MIN_VALUE;

  public PendingObservations(int expected) {
    int n = Math.max(1, expected);
    establishmentIds = new long[n];
    computerIds = new long[n];
    observedMs = new long[n];
    statuses = new String[n];
    latencyCounts = new int[n];
  }

  public void add(
      long establishmentId,
      long computerId,
      Instant observedAt,
      String status,
      double[] latencies) {
    if (size == computerIds.length) {
      int n = size * 2;
      establishmentIds = Arrays.copyOf(establishmentIds, n);
      computerIds = Arrays.copyOf(computerIds, n);
      observedMs = Arrays.copyOf(observedMs, n);
      statuses = Arrays.copyOf(statuses, n);
      latencyCounts = Arrays.copyOf(latencyCounts, n);
    }
    long t = observedAt.toEpochMilli();
    establishmentIds[size] = establishmentId;
    computerIds[size] = computerId;
    observedMs[size] = t;
    statuses[size] = status;
    latencyCounts[size] = latencies.length;
    size++;
    if (this.latencies + latencies.length > latencyMs.length) {
      latencyMs =
          Arrays.copyOf(
              latencyMs, Math.max(latencyMs.length * 2, this.latencies + latencies.length));
    }
    for (double l : latencies) {
      latencyMs[this.latencies++] = (float) l;
    }
    first = Math.min(first, t);
    last = Math.max(last, t);
  }

  /** Writes the row, in the caller's transaction; nothing when nothing was added. */
  public void store(RollupDao dao) {
    if (size == 0) {
      return;
    }
    dao.addPending(
        size,
        first,
        last,
        Arrays.copyOf(establishmentIds, size),
        Arrays.copyOf(computerIds, size),
        Arrays.copyOf(observedMs, size),
        Arrays.copyOf(statuses, size),
        Arrays.copyOf(latencyCounts, size),
        Arrays.copyOf(latencyMs, latencies));
  }
}
