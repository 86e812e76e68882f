package org.enlace.server.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.enlace.server.db.DatabaseConfig;
import org.enlace.server.testing.TempDirs;
import org.enlace.server.testing.TestPostgres;
import org.junit.jupiter.api.Test;

/** The archive's checks, and restores refused before anything changes. */
class BackupArchiveTest {
  static Path archive(Path dir, String mode, int major) throws Exception {
    Path file = dir.resolve(mode + "-" + major + ".backup");
    try (ArchiveWriter w = new ArchiveWriter(file)) {
      byte[] payload = new byte[200_000];
      new java.util.Random(7).nextBytes(payload);
      w.bytes(mode.equals("external") ? "database.dump" : "postgres/data/PG_VERSION", payload);
      w.bytes("snmp-credentials.key", "a2V5\n".getBytes(StandardCharsets.UTF_8));
      w.finish(
          new BackupManifest(
              1, mode, major + ".6", major, "0.1.0", "15", "2026-12-07T00:00:00Z", w.entries()));
    }
    return file;
  }

  @Test
  void aWrittenArchiveVerifiesAgainstItsManifest() throws Exception {
    Path dir = TempDirs.create("enlace-archive-");
    BackupManifest m = Backups.verify(archive(dir, "external", 15));
    assertThat(m.mode()).isEqualTo("external");
    assertThat(m.files()).hasSize(2);
    assertThat(m.files().get(0).sha256()).hasSize(64);
  }

  @Test
  void aDamagedOrCutArchiveIsRefusedAndNothingChanges() throws Exception {
    Path dir = TestPostgres.worldTraversableTempDir("enlace-archive-");
    Path good = archive(dir, "embedded", 17);
    Path flipped = dir.resolve("flipped.backup");
    Files.copy(good, flipped);
    try (RandomAccessFile f = new RandomAccessFile(flipped.toFile(), "rw")) {
      f.seek(f.length() / 2);
      int b = f.read();
      f.seek(f.length() / 2);
      f.write(b ^ 0xff);
    }
    Path cut = dir.resolve("cut.backup");
    byte[] bytes = Files.readAllBytes(good);
    Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    Path empty = Files.createFile(dir.resolve("empty.backup"));

    Path dataDir = TestPostgres.worldTraversableTempDir("enlace-restore-");
    Path marker = Files.createDirectories(dataDir.resolve("postgres")).resolve("keep");
    Files.writeString(marker, "the current database");
    for (Path bad : List.of(flipped, cut, empty)) {
      assertThatThrownBy(() -> Backups.restoreEmbedded(bad, new DatabaseConfig(), dataDir))
          .as(bad.toString())
          .isInstanceOf(BackupException.class)
          .hasMessageContaining("is not a usable Enlace backup")
          .hasMessageContaining("Nothing was changed");
    }
    assertThat(Files.readString(marker)).isEqualTo("the current database");
    try (var files = Files.list(dataDir)) {
      assertThat(files).hasSize(1);
    }
  }

  @Test
  void crossModeRestoresSayWhatToDo() throws Exception {
    Path dir = TestPostgres.worldTraversableTempDir("enlace-archive-");
    Path dataDir = TestPostgres.worldTraversableTempDir("enlace-restore-");
    assertThatThrownBy(
            () ->
                Backups.restoreExternal(
                    archive(dir, "embedded", 17),
                    new PgConnection("jdbc:postgresql://127.0.0.1:1/enlace", "enlace", "x"),
                    dataDir,
                    Optional.empty()))
        .isInstanceOf(BackupException.class)
        .hasMessageContaining("cannot be restored into an external PostgreSQL")
        .hasMessageContaining("database.url empty");
    assertThatThrownBy(
            () ->
                Backups.restoreEmbedded(
                    archive(dir, "external", 15), new DatabaseConfig(), dataDir))
        .isInstanceOf(BackupException.class)
        .hasMessageContaining("restoring it into the embedded database is not supported");
    assertThatThrownBy(
            () ->
                Backups.restoreEmbedded(
                    archive(dir, "embedded", 16), new DatabaseConfig(), dataDir))
        .isInstanceOf(BackupException.class)
        .hasMessageContaining("this Enlace bundles PostgreSQL 17");
    try (var files = Files.list(dataDir)) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void walSegmentNamesFollowPostgres() {
    long mb16 = 16L * 1024 * 1024;
    assertThat(Backups.lsn("16/B374D848")).isEqualTo(0x16_B374_D848L);
    assertThat(Backups.walSegments(1, Backups.lsn("0/2000028"), Backups.lsn("0/2000138"), mb16))
        .containsExactly("000000010000000000000002");
    // pg_backup_stop's LSN is the end of its record: exactly on a boundary, the segment before.
    assertThat(Backups.walSegments(1, Backups.lsn("0/2000028"), Backups.lsn("0/4000000"), mb16))
        .containsExactly("000000010000000000000002", "000000010000000000000003");
    assertThat(Backups.walSegments(2, Backups.lsn("0/FF000028"), Backups.lsn("1/00000100"), mb16))
        .containsExactly("0000000200000000000000FF", "000000020000000100000000");
    assertThat(Backups.timeline("START WAL LOCATION: 0/2000028\nSTART TIMELINE: 3\n")).isEqualTo(3);
  }
}
