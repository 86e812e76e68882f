package org.enlace.agent.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The journal's small state file: what segment names alone cannot tell once segments are gone.
 * Format: {@code 'E' 'N' 'L' 'S'}, version 1, then lastSeq, doneThrough, dropped (longs) and a
 * CRC32C of all that.
 *
 * @param lastSeq highest seq ever assigned (a lower bound: the segments may show higher)
 * @param doneThrough every seq up to this one was acked, rejected or dropped
 * @param dropped records lost to the size bound or to damage, ever
 */
record JournalState(long lastSeq, long doneThrough, long dropped) {
  static final String FILE = "journal.state";
  static final int BYTES = 5 + 3 * 8 + 4;
  private static final byte[] MAGIC = {'E', 'N', 'L', 'S', 1};

  /** The state, or empty if the file is missing or damaged (the caller falls back safely). */
  static Optional<JournalState> read(Storage storage, Path dir) throws IOException {
    byte[] a;
    try {
      a = storage.read(dir.resolve(FILE));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (a.length != BYTES
        || !Arrays.equals(a, 0, MAGIC.length, MAGIC, 0, MAGIC.length)
        || ByteBuffer.wrap(a).getInt(BYTES - 4) != crc(a)) {
      return Optional.empty();
    }
    ByteBuffer b = ByteBuffer.wrap(a, MAGIC.length, 24);
    return Optional.of(new JournalState(b.getLong(), b.getLong(), b.getLong()));
  }

  void write(Storage storage, Path dir) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(BYTES);
    b.put(MAGIC).putLong(lastSeq).putLong(doneThrough).putLong(dropped);
    b.putInt(crc(b.array()));
    DurableFiles.replace(storage, dir.resolve(FILE), b.array());
  }

  private static int crc(byte[] a) {
    CRC32C c = new CRC32C();
    c.update(a, 0, BYTES - 4);
    return (int) c.getValue();
  }
}
