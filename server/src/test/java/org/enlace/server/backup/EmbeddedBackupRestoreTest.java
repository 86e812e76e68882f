package org.enlace.server.backup;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.enlace.server.app.EnlaceApplication;
import org.enlace.server.app.cli.CliProcess;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.SyntheticMonth;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * Embedded mode, as a municipality without an external PostgreSQL runs it: data, a hot backup taken
 * while a writer commits, a fresh data directory, restore, and the same inventory, observations and
 * evidence hash. The backup and restore run as the operator runs them, in their own process.
 */
class EmbeddedBackupRestoreTest {

  /** What must survive a backup and restore. */
  record Snapshot(
      String establishments, String computers, long observations, String evidenceSha256) {}

  static Snapshot snapshot(TestApp app) {
    Api.Response est = app.it().get("/api/v1/establishments");
    assertThat(est.status()).as(est.toString()).isEqualTo(200);
    List<String> computers = new ArrayList<>();
    Api.Response c = app.it().get("/api/v1/computers");
    assertThat(c.status()).as(c.toString()).isEqualTo(200);
    computers.add(c.body().toString());
    for (JsonNode e : est.body()) {
      Api.Response links =
          app.it().get("/api/v1/establishments/" + e.path("code").asText() + "/links");
      assertThat(links.status()).as(links.toString()).isEqualTo(200);
      computers.add(links.body().toString());
    }
    Api.Response evidence = app.it().get("/api/v1/evidence?period=2026-10&format=json");
    assertThat(evidence.status()).as(evidence.toString()).isEqualTo(200);
    return new Snapshot(
        est.body().toString(),
        String.join("\n", computers),
        app.count("SELECT count(*) FROM observations"),
        evidence.body().path("meta").path("dataSha256").asText());
  }

  @Test
  void hotBackupWhileWritingRestoresIntoAFreshDataDirectory() throws Exception {
    Path dataA = TestPostgres.worldTraversableTempDir("enlace-backup-a-");
    Path backups = TestPostgres.worldTraversableTempDir("enlace-backups-");
    Path file = backups.resolve("enlace-test.backup");
    TestApp a = TestApp.embedded(dataA);
    Snapshot before;
    long committedBeforeBackup;
    long committedAfterBackup;
    a.extension().before();
    try {
      new SyntheticMonth(a, "B").load();
      ((EnlaceApplication) a.extension().getApplication()).rollups().drain();
      before = snapshot(a);
      assertThat(before.observations()).isGreaterThan(1000);
      assertThat(before.evidenceSha256()).hasSize(64);

      // A writer committing one row at a time through the whole backup: the restored copy must
      // hold an unbroken prefix of its rows (a consistent state), at least those committed
      // before the backup began.
      Jdbi jdbi = a.jdbi();
      jdbi.useHandle(h -> h.execute("CREATE TABLE backup_probe (n bigint PRIMARY KEY)"));
      AtomicLong committed = new AtomicLong();
      AtomicBoolean stop = new AtomicBoolean();
      Thread writer =
          new Thread(
              () -> {
                while (!stop.get()) {
                  long n = committed.get() + 1;
                  jdbi.useHandle(h -> h.execute("INSERT INTO backup_probe VALUES (?)", n));
                  committed.set(n);
                }
              },
              "backup-probe-writer");
      writer.start();
      while (committed.get() < 200) {
        Thread.sleep(10);
      }
      committedBeforeBackup = committed.get();
      Path config = CliProcess.config(dataA, "", "", "");
      CliProcess.Result r = CliProcess.run(config, "backup", file.toString());
      committedAfterBackup = committed.get();
      stop.set(true);
      writer.join();
      assertThat(r.exit()).as(r.toString()).isZero();
      assertThat(r.out()).contains("Backup written to " + file);
      assertThat(committedAfterBackup).isGreaterThan(committedBeforeBackup);
      // A backup never overwrites: the same name again is refused and the file is untouched.
      long size = Files.size(file);
      CliProcess.Result again = CliProcess.run(config, "backup", file.toString());
      assertThat(again.exit()).isEqualTo(1);
      assertThat(again.err()).contains("already exists");
      assertThat(Files.size(file)).isEqualTo(size);
    } finally {
      a.extension().after();
    }
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.exists(backups.resolve("enlace-test.backup.partial"))).isFalse();
    BackupManifest m = Backups.verify(file);
    assertThat(m.mode()).isEqualTo("embedded");
    assertThat(m.postgresMajor()).isEqualTo(17);
    assertThat(m.schemaVersion()).isNotEmpty();
    assertThat(m.files())
        .extracting(BackupManifest.Entry::name)
        .contains(
            "postgres/data/backup_label", "postgres/superuser-password", "snmp-credentials.key");

    // A fresh machine: an empty data directory, restore, start.
    Path dataB = TestPostgres.worldTraversableTempDir("enlace-backup-b-");
    CliProcess.Result restored =
        CliProcess.run(CliProcess.config(dataB, "", "", ""), "restore", file.toString());
    assertThat(restored.exit()).as(restored.toString()).isZero();
    assertThat(restored.out()).contains("Restored " + file);
    assertThat(Files.readAllBytes(dataB.resolve("snmp-credentials.key")))
        .isEqualTo(Files.readAllBytes(dataA.resolve("snmp-credentials.key")));

    TestApp b = TestApp.embedded(dataB);
    b.extension().before();
    try {
      long max =
          b.jdbi()
              .withHandle(
                  h -> h.createQuery("SELECT max(n) FROM backup_probe").mapTo(Long.class).one());
      long count = b.count("SELECT count(*) FROM backup_probe");
      assertThat(count).isEqualTo(max);
      assertThat(max).isBetween(committedBeforeBackup, committedAfterBackup);
      b.jdbi().useHandle(h -> h.execute("DROP TABLE backup_probe"));
      // The first-start admin of A (its password file is not part of the backup: sign in with A's).
      Snapshot after = snapshot(withAdminOf(b, dataA));
      assertThat(after).isEqualTo(before);
    } finally {
      b.extension().after();
    }

    // Restoring again over the restored data keeps the current database aside, never deletes it.
    CliProcess.Result twice =
        CliProcess.run(CliProcess.config(dataB, "", "", ""), "restore", file.toString());
    assertThat(twice.exit()).as(twice.toString()).isZero();
    try (var files = Files.list(dataB)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.startsWith("postgres.before-restore-"));
    }
  }

  /** B's API as A's first-start admin: the users came with the restored database. */
  private static TestApp withAdminOf(TestApp b, Path dataA) throws Exception {
    Files.copy(
        dataA.resolve("initial-admin-password"),
        b.dataDir().resolve("initial-admin-password"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return b;
  }
}
