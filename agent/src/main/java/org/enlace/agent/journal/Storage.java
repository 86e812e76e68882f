package org.enlace.agent.journal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The file operations the journal uses, and nothing else: a seam so that tests can put the journal
 * on a simulated disk that loses what was not forced (power loss) or runs out of space. Production
 * uses {@link FileStorage}, plain java.nio.
 */
interface Storage {
  /** A file open for writing at its end. */
  interface WritableFile extends Closeable {
    /** Writes all of {@code src}. */
    void write(ByteBuffer src) throws IOException;

    /** fsync (or fdatasync without metaData), as {@link java.nio.channels.FileChannel#force}. */
    void force(boolean metaData) throws IOException;
  }

  void createDirectories(Path dir) throws IOException;

  /** The entries of {@code dir}. */
  List<Path> list(Path dir) throws IOException;

  /** The whole file; {@link java.nio.file.NoSuchFileException} if it does not exist. */
  byte[] read(Path file) throws IOException;

  /**
   * A new empty file; with {@code replace} an existing one is truncated, otherwise it is an error.
   */
  WritableFile create(Path file, boolean replace) throws IOException;

  /** An existing file, written at its end. */
  WritableFile openForAppend(Path file) throws IOException;

  /** Renames atomically, replacing {@code to} if it exists. */
  void move(Path from, Path to) throws IOException;

  void deleteIfExists(Path file) throws IOException;

  /** Makes creations, renames and deletions in {@code dir} durable. */
  void forceDirectory(Path dir) throws IOException;
}
