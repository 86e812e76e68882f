package org.enlace.server.backup;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * Writes a backup archive (tar, gzip) to a new file readable by its owner only, recording the size
 * and SHA-256 of every file for the manifest. {@link #finish} writes the manifest and forces the
 * bytes to disk; the caller then renames the file into place.
 */
final class ArchiveWriter implements Closeable {
  private static final int BUFFER = 1 << 16;

  private final TarArchiveOutputStream tar;
  private final List<BackupManifest.Entry> entries = new ArrayList<>();
  private final byte[] buffer = new byte[BUFFER];

  ArchiveWriter(Path file) throws IOException {
    FileChannel channel =
        FileChannel.open(
            file,
            EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    GzipParameters gz = new GzipParameters();
    // Data files and WAL compress well at the fastest level; the backup runs beside the server.
    gz.setCompressionLevel(1);
    OutputStream out =
        new GzipCompressorOutputStream(
            new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER), gz);
    tar = new TarArchiveOutputStream(out, BUFFER);
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
  }

  void directory(String name) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
    e.setMode(040700);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  void bytes(String name, byte[] content) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(content.length);
    e.setMode(0100600);
    tar.putArchiveEntry(e);
    tar.write(content);
    tar.closeArchiveEntry();
    entries.add(new BackupManifest.Entry(name, content.length, sha256(content)));
  }

  /** A file that must exist and not change while it is copied. */
  void file(String name, Path file) throws IOException {
    if (!liveFile(name, file)) {
      throw new NoSuchFileException(file.toString());
    }
  }

  /**
   * A file of a running cluster: it may grow, shrink or vanish while it is copied. As in
   * pg_basebackup, the size read first is what is copied (a shrunk file is padded with zeros);
   * replaying the WAL taken with the backup repairs every page changed meanwhile. False when the
   * file vanished before it was opened (dropped: the WAL drops it too).
   */
  boolean liveFile(String name, Path file) throws IOException {
    long size;
    FileChannel in;
    try {
      in = FileChannel.open(file, StandardOpenOption.READ);
      size = in.size();
    } catch (NoSuchFileException e) {
      return false;
    }
    MessageDigest sha = newSha256();
    try (in;
        InputStream stream = Channels.newInputStream(in)) {
      TarArchiveEntry e = new TarArchiveEntry(name);
      e.setSize(size);
      e.setMode(0100600);
      e.setModTime(Files.getLastModifiedTime(file).toMillis());
      tar.putArchiveEntry(e);
      long left = size;
      while (left > 0) {
        int n = stream.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          break;
        }
        tar.write(buffer, 0, n);
        sha.update(buffer, 0, n);
        left -= n;
      }
      java.util.Arrays.fill(buffer, (byte) 0);
      while (left > 0) {
        int n = (int) Math.min(buffer.length, left);
        tar.write(buffer, 0, n);
        sha.update(buffer, 0, n);
        left -= n;
      }
      tar.closeArchiveEntry();
    }
    entries.add(new BackupManifest.Entry(name, size, HexFormat.of().formatHex(sha.digest())));
    return true;
  }

  List<BackupManifest.Entry> entries() {
    return List.copyOf(entries);
  }

  /** Writes the manifest as the last entry, ends the archive and forces it to disk. */
  void finish(BackupManifest manifest) throws IOException {
    byte[] json = manifest.toJson();
    TarArchiveEntry e = new TarArchiveEntry(BackupManifest.NAME);
    e.setSize(json.length);
    e.setMode(0100600);
    tar.putArchiveEntry(e);
    tar.write(json);
    tar.closeArchiveEntry();
    tar.finish();
    tar.flush();
    // finish() ends the tar; closing the gzip stream writes its trailer (and closes the channel),
    // so the file is forced through a second channel afterwards.
    tar.close();
  }

  @Override
  public void close() throws IOException {
    tar.close();
  }

  static void force(Path file) throws IOException {
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
      c.force(true);
    }
  }

  /** Makes a rename in {@code dir} durable. */
  static void forceDirectory(Path dir) throws IOException {
    try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
      c.force(true);
    } catch (IOException e) {
      // Some file systems refuse fsync on a directory; the rename itself has happened.
    }
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  static String sha256(byte[] content) {
    return HexFormat.of().formatHex(newSha256().digest(content));
  }
}
