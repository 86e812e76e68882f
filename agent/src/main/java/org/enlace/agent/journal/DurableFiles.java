package org.enlace.agent.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** Crash-safe file replacement: a reader finds the old content or the new, never a mix. */
final class DurableFiles {
  static final String TMP = ".tmp";

  private DurableFiles() {}

  /** Writes a temp file, forces it, renames it over {@code target} and forces the directory. */
  static void replace(Storage storage, Path target, byte[] content) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + TMP);
    try {
      try (Storage.WritableFile f = storage.create(tmp, true)) {
        f.write(ByteBuffer.wrap(content));
        f.force(true);
      }
      storage.move(tmp, target);
    } catch (IOException e) {
      // A half-written temp file would hold on to the space a full disk lacks.
      try {
        storage.deleteIfExists(tmp);
      } catch (IOException again) {
        e.addSuppressed(again);
      }
      throw e;
    }
    // A bare file name's directory is the working directory; only a root has none.
    Path dir = target.toAbsolutePath().getParent();
    if (dir != null) {
      storage.forceDirectory(dir);
    }
  }
}
