package org.enlace.server.backup;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.jspecify.annotations.Nullable;

/** Reads a backup archive: checks it against its manifest, then extracts parts of it. */
final class ArchiveReader {
  private final Path file;

  ArchiveReader(Path file) {
    this.file = file;
  }

  private BackupException unreadable() {
    return new BackupException(
        "Cannot read "
            + file
            + " as user "
            + System.getProperty("user.name")
            + ": make it readable by that account (e.g. chown enlace-server "
            + file
            + "). Nothing was changed.");
  }

  /**
   * Reads the whole archive and checks every file against the manifest (size and SHA-256, none
   * missing, none extra). Throws a {@link BackupException} naming the problem; changes nothing.
   */
  BackupManifest verify() {
    if (Files.exists(file) && !Files.isReadable(file)) {
      throw unreadable();
    }
    Map<String, BackupManifest.Entry> seen = new HashMap<>();
    byte[] manifestJson = null;
    try (TarArchiveInputStream tar = open()) {
      TarArchiveEntry e;
      byte[] buffer = new byte[1 << 16];
      while ((e = tar.getNextEntry()) != null) {
        if (!e.isFile()) {
          continue;
        }
        safeName(e.getName());
        if (e.getName().equals(BackupManifest.NAME)) {
          manifestJson = tar.readAllBytes();
          continue;
        }
        MessageDigest sha = ArchiveWriter.newSha256();
        long size = 0;
        int n;
        while ((n = tar.read(buffer)) > 0) {
          sha.update(buffer, 0, n);
          size += n;
        }
        seen.put(
            e.getName(),
            new BackupManifest.Entry(e.getName(), size, HexFormat.of().formatHex(sha.digest())));
      }
    } catch (NoSuchFileException e) {
      throw new BackupException("No such backup file: " + file);
    } catch (AccessDeniedException e) {
      throw unreadable();
    } catch (FileSystemException e) {
      // Not damage: the file system refused (its message is just the path, so say so).
      throw new BackupException(
          "Cannot read " + file + ": " + e.getReason() + ". Nothing was changed.");
    } catch (IOException | IllegalArgumentException e) {
      throw damaged("it cannot be read to its end (" + e.getMessage() + ")", e);
    }
    if (manifestJson == null) {
      throw damaged("it has no manifest.json (not an Enlace backup, or cut short)", null);
    }
    BackupManifest manifest = BackupManifest.fromJson(manifestJson);
    if (manifest.formatVersion() > BackupManifest.FORMAT_VERSION) {
      throw new BackupException(
          file
              + " was written by a newer Enlace ("
              + manifest.enlaceVersion()
              + ", backup format "
              + manifest.formatVersion()
              + "): restore it with that version or newer.");
    }
    for (BackupManifest.Entry expected : manifest.files()) {
      BackupManifest.Entry actual = seen.remove(expected.name());
      if (actual == null) {
        throw damaged(expected.name() + " is missing", null);
      }
      if (!actual.equals(expected)) {
        throw damaged(expected.name() + " does not match its SHA-256 in the manifest", null);
      }
    }
    if (!seen.isEmpty()) {
      throw damaged(seen.keySet().iterator().next() + " is not in the manifest", null);
    }
    return manifest;
  }

  /** Extracts the entries under {@code prefix} (e.g. "postgres/") into {@code target}. */
  int extract(String prefix, Path target) throws IOException {
    int files = 0;
    try (TarArchiveInputStream tar = open()) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        String name = e.getName();
        if (!name.startsWith(prefix) || name.equals(prefix)) {
          continue;
        }
        safeName(name);
        Path out = target.resolve(name.substring(prefix.length())).normalize();
        if (!out.startsWith(target)) {
          throw damaged("entry " + name + " points outside its directory", null);
        }
        if (e.isDirectory()) {
          Files.createDirectories(out);
          Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwx------"));
        } else if (e.isFile()) {
          Files.createDirectories(out.getParent());
          write(tar, out);
          files++;
        }
      }
    }
    return files;
  }

  /** The content of one file of the archive, if it has it. */
  Optional<byte[]> read(String name) throws IOException {
    try (TarArchiveInputStream tar = open()) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        if (e.isFile() && e.getName().equals(name)) {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          tar.transferTo(out);
          return Optional.of(out.toByteArray());
        }
      }
    }
    return Optional.empty();
  }

  /** Extracts one file of the archive to {@code out}; false when the archive does not have it. */
  boolean extractFile(String name, Path out) throws IOException {
    try (TarArchiveInputStream tar = open()) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        if (e.isFile() && e.getName().equals(name)) {
          write(tar, out);
          return true;
        }
      }
    }
    return false;
  }

  private static void write(InputStream in, Path out) throws IOException {
    try (OutputStream o =
        Files.newOutputStream(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-------"));
      in.transferTo(o);
    }
  }

  private TarArchiveInputStream open() throws IOException {
    return new TarArchiveInputStream(
        new GzipCompressorInputStream(
            new BufferedInputStream(Files.newInputStream(file), 1 << 16)));
  }

  private void safeName(String name) {
    if (name.startsWith("/") || name.contains("\\") || Path.of(name).normalize().startsWith("..")) {
      throw damaged("entry " + name + " points outside its directory", null);
    }
  }

  private BackupException damaged(String why, @Nullable Throwable cause) {
    String message =
        file
            + " is not a usable Enlace backup: "
            + why
            + ". Nothing was changed; use another backup file.";
    return cause == null ? new BackupException(message) : new BackupException(message, cause);
  }
}
