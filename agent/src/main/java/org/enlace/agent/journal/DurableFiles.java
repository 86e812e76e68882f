package org.enlace.agent.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Crash-safe file replacement: a reader finds the old content or the new, never a mix. */
final class DurableFiles {
  static final String TMP = ".tmp";

  private DurableFiles() {}

  /** Writes a temp file, forces it, renames it over {@code target} and forces the directory. */
  static void replace(Path target, byte[] content) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + TMP);
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(content);
      while (b.hasRemaining()) {
        ch.write(b);
      }
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    // A bare file name's directory is the working directory; only a root has none.
    Path dir = target.toAbsolutePath().getParent();
    if (dir != null) {
      forceDirectory(dir);
    }
  }

  /**
   * Makes creations, renames and deletions in {@code dir} durable. Windows cannot open a directory
   * (NTFS journals its metadata itself), so there a failure to open is ignored; a failure to force
   * is not.
   */
  static void forceDirectory(Path dir) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(dir, StandardOpenOption.READ);
    } catch (IOException e) {
      return;
    }
    try (ch) {
      ch.force(true);
    }
  }
}
