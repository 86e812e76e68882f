package org.enlace.server.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.enlace.server.app.EnlaceApplication;
import org.enlace.server.app.cli.CliProcess;
import org.enlace.server.testing.SyntheticMonth;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestPostgres;
import org.junit.jupiter.api.Test;

/**
 * External mode: the distribution's PostgreSQL (Debian 12: 15) as the municipality's database,
 * pg_dump and pg_restore of its version found by the commands, a round trip into a fresh database
 * with the same inventory, observations and evidence hash. Skipped, with the reason, when the
 * machine has no /usr/lib/postgresql/MAJOR/bin with a server and pg_dump.
 */
class ExternalBackupRestoreTest {

  @Test
  void pgDumpRoundTripIntoAFreshDatabase() throws Exception {
    Optional<Path> bin = DebianPostgres.installed();
    assumeTrue(
        bin.isPresent(),
        "no /usr/lib/postgresql/MAJOR/bin with postgres and pg_dump here: external-mode backup"
            + " round trip not run (apt-get install postgresql)");
    try (DebianPostgres pg = DebianPostgres.start(bin.get())) {
      String urlA = pg.createDatabase("enlace_a");
      Path dataA = TestPostgres.worldTraversableTempDir("enlace-ext-a-");
      Path file = TestPostgres.worldTraversableTempDir("enlace-ext-backups-").resolve("x.backup");
      TestApp a = TestApp.external(urlA, DebianPostgres.USER, DebianPostgres.PASSWORD, dataA);
      EmbeddedBackupRestoreTest.Snapshot before;
      a.extension().before();
      try {
        new SyntheticMonth(a, "X").load();
        ((EnlaceApplication) a.extension().getApplication()).rollups().drain();
        before = EmbeddedBackupRestoreTest.snapshot(a);
        // Taken while the server runs, as the nightly timer does.
        CliProcess.Result r =
            CliProcess.run(
                CliProcess.config(dataA, urlA, DebianPostgres.USER, DebianPostgres.PASSWORD),
                "backup",
                file.toString());
        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("external PostgreSQL " + pg.major());
        // The password reaches pg_dump through its environment, never its command line.
        assertThat(r.toString()).doesNotContain(DebianPostgres.PASSWORD);

        // restore refuses while a server is connected to the database.
        CliProcess.Result busy =
            CliProcess.run(
                CliProcess.config(dataA, urlA, DebianPostgres.USER, DebianPostgres.PASSWORD),
                "restore",
                file.toString());
        assertThat(busy.exit()).isEqualTo(1);
        assertThat(busy.err()).contains("stop it first");
      } finally {
        a.extension().after();
      }
      BackupManifest m = Backups.verify(file);
      assertThat(m.mode()).isEqualTo("external");
      assertThat(m.postgresMajor()).isEqualTo(pg.major());
      assertThat(m.files())
          .extracting(BackupManifest.Entry::name)
          .containsExactlyInAnyOrder("database.dump", "snmp-credentials.key");

      // A new machine: a fresh database and data directory.
      String urlB = pg.createDatabase("enlace_b");
      Path dataB = TestPostgres.worldTraversableTempDir("enlace-ext-b-");
      CliProcess.Result restored =
          CliProcess.run(
              CliProcess.config(dataB, urlB, DebianPostgres.USER, DebianPostgres.PASSWORD),
              "restore",
              file.toString());
      assertThat(restored.exit()).as(restored.toString()).isZero();
      assertThat(Files.readAllBytes(dataB.resolve("snmp-credentials.key")))
          .isEqualTo(Files.readAllBytes(dataA.resolve("snmp-credentials.key")));
      Files.copy(dataA.resolve("initial-admin-password"), dataB.resolve("initial-admin-password"));
      TestApp b = TestApp.external(urlB, DebianPostgres.USER, DebianPostgres.PASSWORD, dataB);
      b.extension().before();
      try {
        assertThat(EmbeddedBackupRestoreTest.snapshot(b)).isEqualTo(before);
      } finally {
        b.extension().after();
      }
    }
  }

  @Test
  void aMissingPgDumpOfTheServersVersionIsNamedAndLeavesNoFile() throws Exception {
    // The shared test server is the embedded PostgreSQL 17; this machine has no pg_dump 17.
    assumeTrue(
        !Files.exists(Path.of("/usr/lib/postgresql/17/bin/pg_dump")),
        "pg_dump 17 is installed here, so it cannot be missing");
    String url = TestPostgres.newDatabase();
    Path dataDir = TestPostgres.worldTraversableTempDir("enlace-ext-missing-");
    Path dir = TestPostgres.worldTraversableTempDir("enlace-ext-missing-backups-");
    CliProcess.Result r =
        CliProcess.run(
            CliProcess.config(dataDir, url, TestPostgres.user(), TestPostgres.password()),
            "backup",
            dir.resolve("x.backup").toString());
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err()).contains("postgresql-client-17").contains("pg_dump 17");
    try (var files = Files.list(dir)) {
      assertThat(files).isEmpty();
    }
  }
}
