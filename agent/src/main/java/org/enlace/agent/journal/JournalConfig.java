package org.enlace.agent.journal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Journal limits.
 *
 * @param maxDiskBytes past this, the oldest sealed segments are deleted and counted as dropped; at
 *     least two segments, so that the bound can always be met without touching the active one
 * @param segmentBytes raw size at which the active segment is sealed and compressed
 * @param syncInterval zero: force every append before it returns; otherwise at most this long of
 *     appends (up to a day) may be unsynced, and lost without a trace on a power cut
 */
public record JournalConfig(long maxDiskBytes, long segmentBytes, Duration syncInterval) {
  static final long MIN_SEGMENT_BYTES = 256;
  static final long MAX_SEGMENT_BYTES = 16L << 20;
  static final long MAX_DISK_BYTES = 1L << 30;

  public JournalConfig {
    requireNonNull(syncInterval, "syncInterval is null");
    if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
      throw new IllegalArgumentException(
          "segmentBytes must be between "
              + MIN_SEGMENT_BYTES
              + " and "
              + MAX_SEGMENT_BYTES
              + ": "
              + segmentBytes);
    }
    // A gigabyte is years of observations (16 MiB holds months); more only fills the PC's disk.
    if (maxDiskBytes > MAX_DISK_BYTES) {
      throw new IllegalArgumentException(
          "maxDiskBytes must be between twice segmentBytes and "
              + MAX_DISK_BYTES
              + ": "
              + maxDiskBytes);
    }
    if (maxDiskBytes < 2 * segmentBytes) {
      throw new IllegalArgumentException(
          "maxDiskBytes must be at least twice segmentBytes ("
              + segmentBytes
              + "): "
              + maxDiskBytes);
    }
    if (syncInterval.isNegative() || syncInterval.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException(
          "syncInterval must be between 0 and 1 day: " + syncInterval);
    }
  }

  /**
   * 16 MiB, 128 KiB segments, fsync every append. Compressed, 60 days of 1-minute observations
   * measured 3.2 MB (JournalSizeTest), so the bound leaves room for many months offline.
   */
  public static JournalConfig defaults() {
    return new JournalConfig(16L << 20, 128L << 10, Duration.ZERO);
  }
}
