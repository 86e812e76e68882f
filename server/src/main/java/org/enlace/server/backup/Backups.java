package org.enlace.server.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.enlace.server.db.Database;
import org.enlace.server.db.DatabaseConfig;
import org.enlace.server.db.EmbeddedPostgres;
import org.enlace.server.web.EnlaceVersion;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code backup FILE} and {@code restore FILE}: one archive (tar.gz, mode 0600) with a manifest,
 * the database and the SNMP credential key.
 *
 * <p>External PostgreSQL: a pg_dump custom-format dump made with the server's major version.
 * Embedded PostgreSQL: its bundled binaries have no pg_dump, so a hot physical backup with
 * PostgreSQL's low-level API ({@code pg_backup_start}, a copy of the data directory, {@code
 * pg_backup_stop}, and the WAL written meanwhile); restoring it is starting PostgreSQL on the copy,
 * which replays that WAL from the backup_label.
 */
public final class Backups {
  private static final Logger LOG = LoggerFactory.getLogger(Backups.class);

  /**
   * The SNMP credential key file in the data directory (snmp.SnmpCredentials): without it the
   * restored communities and passwords cannot be decrypted.
   */
  static final String SNMP_KEY = "snmp-credentials.key";

  static final String DUMP = "database.dump";
  static final String CLUSTER = "postgres/";
  static final String DATA = "postgres/data/";

  /** Copied as empty directories: PostgreSQL needs them, their contents are per-run state. */
  private static final Set<String> EMPTY_DIRS =
      Set.of(
          "pg_replslot",
          "pg_dynshmem",
          "pg_notify",
          "pg_serial",
          "pg_snapshots",
          "pg_stat_tmp",
          "pg_subtrans");

  /** Never copied: the running postmaster's files, and labels a restore must not find. */
  private static final Set<String> SKIPPED_FILES =
      Set.of(
          "postmaster.pid",
          "postmaster.opts",
          "backup_label",
          "backup_label.old",
          "tablespace_map",
          "tablespace_map.old");

  private static final Pattern TIMELINE = Pattern.compile("(?m)^START TIMELINE: (\\d+)$");
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private Backups() {}

  /** A backup written to {@code file}. */
  public record Written(Path file, long bytes, BackupManifest manifest, Duration took) {}

  /** A restore done; what was kept aside. */
  public record Restored(
      BackupManifest manifest, Optional<Path> previousCluster, Optional<Path> previousKey) {}

  private interface Body {
    /** Writes the archive's content, returns the manifest's description (files added later). */
    BackupManifest write(ArchiveWriter out, Path partialDir) throws IOException;
  }

  // ---------------------------------------------------------------- backup

  /** Hot physical backup of the embedded cluster under {@code dataDir}, which must be running. */
  public static Written backupEmbedded(PgConnection db, Path dataDir, Path file) {
    Path pgData = EmbeddedPostgres.pgDataDir(dataDir);
    Path clusterDir = EmbeddedPostgres.clusterDir(dataDir);
    return write(
        file,
        (out, partialDir) -> {
          try (Handle h = db.jdbi().open()) {
            BackupDao dao = h.attach(BackupDao.class);
            if (dao.userTablespaces() > 0) {
              throw new BackupException(
                  "The embedded database has tablespaces outside its data directory, which this"
                      + " backup does not copy; drop them (Enlace never creates any).");
            }
            BackupManifest about = describe(dao, BackupManifest.EMBEDDED);
            long segmentSize = dao.walSegmentSize();
            String label = "enlace " + STAMP.format(Instant.now());
            long start = lsn(dao.backupStart(label));
            LOG.info("event=backup_started mode=embedded label=\"{}\" startLsn={}", label, start);
            boolean stopped = false;
            try {
              out.directory(CLUSTER);
              out.file(CLUSTER + "superuser-password", clusterDir.resolve("superuser-password"));
              copyDataDirectory(pgData, out);
              BackupDao.Stop stop = dao.backupStop();
              stopped = true;
              out.bytes(DATA + "backup_label", stop.labelfile().getBytes(StandardCharsets.UTF_8));
              if (!stop.spcmapfile().isEmpty()) {
                out.bytes(
                    DATA + "tablespace_map", stop.spcmapfile().getBytes(StandardCharsets.UTF_8));
              }
              int timeline = timeline(stop.labelfile());
              List<String> segments = walSegments(timeline, start, lsn(stop.lsn()), segmentSize);
              for (String segment : segments) {
                // A segment removed since (a checkpoint during a long backup) fails the backup,
                // which then leaves nothing behind, rather than writing one that cannot restore.
                out.file(DATA + "pg_wal/" + segment, pgData.resolve("pg_wal").resolve(segment));
              }
              for (Path history : historyFiles(pgData.resolve("pg_wal"))) {
                out.liveFile(DATA + "pg_wal/" + history.getFileName(), history);
              }
              LOG.info(
                  "event=backup_wal_copied timeline={} segments={} stopLsn={}",
                  timeline,
                  segments.size(),
                  stop.lsn());
            } finally {
              if (!stopped) {
                abortBackup(dao);
              }
            }
            addSnmpKey(out, dataDir);
            return about;
          }
        });
  }

  /** pg_dump of the external database, with the pg_dump of the server's major version. */
  public static Written backupExternal(
      PgConnection db, Path dataDir, Path file, Optional<Path> pgBin) {
    return write(
        file,
        (out, partialDir) -> {
          BackupManifest about;
          try (Handle h = db.jdbi().open()) {
            about = describe(h.attach(BackupDao.class), BackupManifest.EXTERNAL);
          }
          Path pgDump = PgTools.find("pg_dump", about.postgresMajor(), pgBin);
          Path dump = partialDir.resolve(file.getFileName() + ".dump.partial");
          Files.deleteIfExists(dump);
          try {
            PgTools.run(
                List.of(pgDump.toString(), "--format=custom", "--no-password", "--file=" + dump),
                db.libpqEnvironment());
            out.file(DUMP, dump);
          } finally {
            Files.deleteIfExists(dump);
          }
          addSnmpKey(out, dataDir);
          return about;
        });
  }

  private static Written write(Path requested, Body body) {
    long began = System.nanoTime();
    Path file = requested.toAbsolutePath().normalize();
    Path dir = file.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new BackupException("The folder of " + file + " does not exist; create it first.");
    }
    if (Files.exists(file)) {
      throw new BackupException(
          file + " already exists; backups are never overwritten: choose a new file name.");
    }
    Path partial = dir.resolve(file.getFileName() + ".partial");
    try {
      Files.deleteIfExists(partial);
      BackupManifest manifest;
      try (ArchiveWriter out = new ArchiveWriter(partial)) {
        BackupManifest about = body.write(out, dir);
        manifest =
            new BackupManifest(
                about.formatVersion(),
                about.mode(),
                about.postgresVersion(),
                about.postgresMajor(),
                about.enlaceVersion(),
                about.schemaVersion(),
                about.createdAt(),
                out.entries());
        out.finish(manifest);
      }
      ArchiveWriter.force(partial);
      // Read back before it takes its name: a backup that is there is a backup that restores.
      new ArchiveReader(partial).verify();
      Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
      ArchiveWriter.forceDirectory(dir);
      long bytes = Files.size(file);
      Duration took = Duration.ofNanos(System.nanoTime() - began);
      LOG.info(
          "event=backup_written file={} mode={} bytes={} files={} schemaVersion={} tookMs={}",
          file,
          manifest.mode(),
          bytes,
          manifest.files().size(),
          manifest.schemaVersion(),
          took.toMillis());
      return new Written(file, bytes, manifest, took);
    } catch (IOException | RuntimeException e) {
      deleteQuietly(partial);
      LOG.warn("event=backup_failed file={} error=\"{}\"", file, e.toString());
      if (e instanceof BackupException b) {
        throw b;
      }
      if (e instanceof AccessDeniedException denied
          && partial.toString().equals(denied.getFile())) {
        throw new BackupException(
            "Cannot write in "
                + dir
                + " as user "
                + System.getProperty("user.name")
                + "; nothing was written: choose a folder that account may write in (the"
                + " package's is /var/backups/enlace-server).",
            e);
      }
      throw new BackupException(
          "The backup failed; nothing was written to " + file + ": " + e.getMessage(), e);
    }
  }

  private static BackupManifest describe(BackupDao dao, String mode) {
    String schema = dao.hasSchemaHistory() ? dao.schemaVersion().orElse("") : "";
    return new BackupManifest(
        BackupManifest.FORMAT_VERSION,
        mode,
        dao.serverVersion(),
        dao.serverVersionNum() / 10000,
        EnlaceVersion.get(),
        schema,
        Instant.now().toString(),
        List.of());
  }

  private static void copyDataDirectory(Path pgData, ArchiveWriter out) throws IOException {
    Files.walkFileTree(
        pgData,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            String rel = relative(pgData, dir);
            if (dir.getFileName().toString().startsWith("pgsql_tmp")) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            out.directory(rel.isEmpty() ? DATA : DATA + rel + "/");
            return EMPTY_DIRS.contains(rel)
                ? FileVisitResult.SKIP_SUBTREE
                : FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            String rel = relative(pgData, file);
            String name = file.getFileName().toString();
            // The WAL is added after pg_backup_stop, exactly the segments the backup needs.
            boolean skip =
                rel.startsWith("pg_wal/")
                    || SKIPPED_FILES.contains(rel)
                    || name.equals("pg_internal.init")
                    || name.startsWith("pgsql_tmp")
                    || !attrs.isRegularFile();
            if (!skip) {
              out.liveFile(DATA + rel, file);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE; // dropped while we walked: the WAL drops it too
            }
            throw e;
          }
        });
  }

  private static String relative(Path root, Path p) {
    return root.relativize(p).toString().replace('\\', '/');
  }

  private static void abortBackup(BackupDao dao) {
    try {
      dao.backupStop();
    } catch (RuntimeException e) {
      // The session's end aborts a non-exclusive backup anyway.
      LOG.warn("event=backup_abort_failed error=\"{}\"", e.toString());
    }
  }

  private static List<Path> historyFiles(Path pgWal) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(pgWal, "*.history")) {
      s.forEach(out::add);
    }
    out.sort(Comparator.naturalOrder());
    return out;
  }

  private static void addSnmpKey(ArchiveWriter out, Path dataDir) throws IOException {
    Path key = dataDir.resolve(SNMP_KEY);
    if (Files.isRegularFile(key)) {
      out.file(SNMP_KEY, key);
    }
  }

  /** An LSN as PostgreSQL prints it, {@code 16/B374D848}. */
  static long lsn(String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    if (slash < 1 || slash == t.length() - 1) {
      throw new IllegalArgumentException("not an LSN: " + text);
    }
    return (Long.parseLong(t.substring(0, slash), 16) << 32)
        | Long.parseLong(t.substring(slash + 1), 16);
  }

  static int timeline(String labelfile) {
    Matcher m = TIMELINE.matcher(labelfile);
    if (!m.find()) {
      throw new IllegalStateException("backup_label without START TIMELINE:\n" + labelfile);
    }
    return Integer.parseInt(m.group(1));
  }

  /**
   * The WAL segment files from the one holding {@code start} to the one holding the last byte
   * before {@code stop} (pg_backup_stop returns the end of its record), named as PostgreSQL names
   * them: timeline, then the segment number split in two 32-bit halves.
   */
  static List<String> walSegments(int timeline, long start, long stop, long segmentSize) {
    long perId = 0x1_0000_0000L / segmentSize;
    List<String> names = new ArrayList<>();
    for (long seg = start / segmentSize; seg <= (stop - 1) / segmentSize; seg++) {
      names.add(String.format("%08X%08X%08X", timeline, seg / perId, seg % perId));
    }
    return names;
  }

  // ---------------------------------------------------------------- restore

  /** Reads the whole archive and checks it against its manifest; changes nothing. */
  public static BackupManifest verify(Path file) {
    return new ArchiveReader(file.toAbsolutePath().normalize()).verify();
  }

  /**
   * Restores an embedded-mode backup into {@code dataDir}: the current cluster (if any) is moved
   * aside, never deleted; the backup's files take its place; PostgreSQL is started on them to
   * replay the WAL, checked and stopped.
   */
  public static Restored restoreEmbedded(Path file, DatabaseConfig config, Path dataDir) {
    Path archive = file.toAbsolutePath().normalize();
    ArchiveReader reader = new ArchiveReader(archive);
    BackupManifest m = reader.verify();
    if (!BackupManifest.EMBEDDED.equals(m.mode())) {
      throw new BackupException(
          archive
              + " is a pg_dump of an external PostgreSQL "
              + m.postgresMajor()
              + "; restoring it into the embedded database is not supported. Set database.url"
              + " (ENLACE_DB_URL) to an empty PostgreSQL "
              + m.postgresMajor()
              + " database and run restore again.");
    }
    int bundled = majorOf(EmbeddedPostgres.binariesVersion());
    if (bundled != m.postgresMajor()) {
      throw new BackupException(
          archive
              + " is a copy of an embedded PostgreSQL "
              + m.postgresMajor()
              + ", and this Enlace bundles PostgreSQL "
              + bundled
              + ": restore it with Enlace "
              + m.enlaceVersion()
              + " (the release that made it), then back up again from there.");
    }
    String stamp = STAMP.format(Instant.now());
    Path base = dataDir.toAbsolutePath().normalize();
    Path cluster = EmbeddedPostgres.clusterDir(base);
    try {
      if (EmbeddedPostgres.isRunning(base)) {
        throw new BackupException(
            "The embedded PostgreSQL of "
                + base
                + " is running: stop the Enlace server first (systemctl stop enlace-server),"
                + " then run restore again.");
      }
      Files.createDirectories(base);
      Optional<Path> aside = Optional.empty();
      Path staging = base.resolve("postgres.restoring-" + stamp);
      try {
        reader.extract(CLUSTER, staging);
      } catch (IOException | RuntimeException e) {
        deleteTree(staging);
        throw e;
      }
      Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwx------"));
      if (Files.exists(cluster)) {
        aside = Optional.of(base.resolve("postgres.before-restore-" + stamp));
        Files.move(cluster, aside.get(), StandardCopyOption.ATOMIC_MOVE);
        LOG.info("event=restore_kept_previous cluster={} movedTo={}", cluster, aside.get());
      }
      Files.move(staging, cluster, StandardCopyOption.ATOMIC_MOVE);
      EmbeddedPostgres.handOver(base, config.getEmbedded().getRunAsUser());
      try (Database db = Database.open(config, base)) {
        EmbeddedPostgres pg = db.embedded().orElseThrow();
        checkSchema(new PgConnection(pg.jdbcUrl(), pg.user(), pg.password()), m);
      } catch (IOException | RuntimeException e) {
        throw new BackupException(
            "The backup's files are in "
                + cluster
                + " but PostgreSQL did not start on them ("
                + e.getMessage()
                + "); its log is "
                + cluster.resolve("postgres.log")
                + "."
                + aside
                    .map(
                        a ->
                            " The database from before the restore is in "
                                + a
                                + "; to go back, move it to "
                                + cluster
                                + ".")
                    .orElse(""),
            e);
      }
      Optional<Path> key = restoreSnmpKey(reader, base, stamp);
      LOG.info(
          "event=restore_done mode=embedded file={} schemaVersion={} previous={}",
          archive,
          m.schemaVersion(),
          aside.map(Path::toString).orElse("none"));
      return new Restored(m, aside, key);
    } catch (IOException e) {
      throw new BackupException("The restore failed: " + e.getMessage(), e);
    }
  }

  /** Restores an external-mode backup into the configured database with pg_restore. */
  public static Restored restoreExternal(
      Path file, PgConnection db, Path dataDir, Optional<Path> pgBin) {
    Path archive = file.toAbsolutePath().normalize();
    ArchiveReader reader = new ArchiveReader(archive);
    BackupManifest m = reader.verify();
    if (!BackupManifest.EXTERNAL.equals(m.mode())) {
      throw new BackupException(
          archive
              + " is a copy of the embedded PostgreSQL's files, which cannot be restored into an"
              + " external PostgreSQL (database.url is set). Restore it with database.url empty"
              + " (ENLACE_DB_URL=) into the embedded database, then move to the external server as"
              + " docs/operations.md describes (pg_dump of PostgreSQL "
              + m.postgresMajor()
              + " from the embedded one).");
    }
    int major;
    try (Handle h = db.jdbi().open()) {
      BackupDao dao = h.attach(BackupDao.class);
      major = dao.serverVersionNum() / 10000;
      long others = dao.otherSessions("enlace-server");
      if (others > 0) {
        throw new BackupException(
            "The Enlace server (or another enlace-server command) is connected to the database ("
                + others
                + " session(s)): stop it first (systemctl stop enlace-server), then run restore"
                + " again.");
      }
    }
    Path pgRestore = PgTools.find("pg_restore", major, pgBin);
    String stamp = STAMP.format(Instant.now());
    Path base = dataDir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(base);
      Path dump = base.resolve(".restore-" + stamp + ".dump");
      try {
        reader.extractFile(DUMP, dump);
        PgTools.run(
            List.of(
                pgRestore.toString(),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--exit-on-error",
                "--no-password",
                "--dbname=" + db.database(),
                dump.toString()),
            db.libpqEnvironment());
      } finally {
        Files.deleteIfExists(dump);
      }
      checkSchema(db, m);
      Optional<Path> key = restoreSnmpKey(reader, base, stamp);
      LOG.info(
          "event=restore_done mode=external file={} schemaVersion={}", archive, m.schemaVersion());
      return new Restored(m, Optional.empty(), key);
    } catch (IOException e) {
      throw new BackupException(
          "The restore failed and, being one transaction, changed nothing in the database: "
              + e.getMessage(),
          e);
    }
  }

  private static void checkSchema(PgConnection db, BackupManifest m) {
    try (Handle h = db.jdbi().open()) {
      BackupDao dao = h.attach(BackupDao.class);
      String schema = dao.hasSchemaHistory() ? dao.schemaVersion().orElse("") : "";
      if (!schema.equals(m.schemaVersion())) {
        throw new BackupException(
            "After the restore the schema is at version '"
                + schema
                + "', the backup's manifest says '"
                + m.schemaVersion()
                + "'.");
      }
    }
  }

  /**
   * Puts the backup's SNMP key in place. A different key already there is kept aside (it may
   * encrypt secrets added since), never overwritten.
   */
  private static Optional<Path> restoreSnmpKey(ArchiveReader reader, Path dataDir, String stamp)
      throws IOException {
    Optional<byte[]> key = reader.read(SNMP_KEY);
    if (key.isEmpty()) {
      return Optional.empty();
    }
    Path target = dataDir.resolve(SNMP_KEY);
    Optional<Path> aside = Optional.empty();
    if (Files.exists(target)) {
      if (Arrays.equals(Files.readAllBytes(target), key.get())) {
        return Optional.empty();
      }
      aside = Optional.of(dataDir.resolve(SNMP_KEY + ".before-restore-" + stamp));
      Files.move(target, aside.get());
    }
    Path tmp = dataDir.resolve(SNMP_KEY + ".restoring");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.write(tmp, key.get());
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    try {
      // Restored as root (without the package's wrapper), the key would be root's alone and the
      // server, under its own account, could not read it: it belongs to the data directory's owner.
      Files.setOwner(target, Files.getOwner(dataDir));
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn("event=restore_key_owner_unchanged file={} error=\"{}\"", target, e.toString());
    }
    return aside;
  }

  static int majorOf(String version) {
    String digits = version.split("[^0-9]", 2)[0];
    return digits.isEmpty() ? 0 : Integer.parseInt(digits);
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("event=restore_staging_not_deleted dir={} error=\"{}\"", dir, e.toString());
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.warn("event=backup_partial_not_deleted file={} error=\"{}\"", p, e.toString());
    }
  }
}
