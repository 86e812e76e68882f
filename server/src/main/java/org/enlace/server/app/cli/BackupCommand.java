package org.enlace.server.app.cli;

import io.dropwizard.core.setup.Bootstrap;
import java.nio.file.Path;
import java.util.Locale;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.backup.Backups;
import org.enlace.server.backup.PgConnection;
import org.enlace.server.db.Database;
import org.enlace.server.db.DatabaseConfig;
import org.enlace.server.db.EmbeddedPostgres;

/**
 * {@code enlace-server backup FILE [--pg-bin DIR] [config.yml]}: the database and the SNMP
 * credential key in one archive, taken while the server runs. Exit status 0 when FILE is complete;
 * otherwise 1, and FILE does not exist.
 */
public final class BackupCommand extends OperatorCommand {
  public BackupCommand() {
    super("backup", "Write a backup of the database and the SNMP credential key to FILE");
  }

  @Override
  public void configure(Subparser subparser) {
    ArchiveArguments.add(
        subparser,
        "the backup file to write; must not exist (e.g. enlace-20270101T0300Z.backup)",
        "pg_dump");
    super.configure(subparser);
  }

  @Override
  protected void run(
      Bootstrap<EnlaceConfiguration> bootstrap, Namespace ns, EnlaceConfiguration config)
      throws Exception {
    Path file = ArchiveArguments.archive(ns);
    DatabaseConfig dbc = config.getDatabase();
    Database.requireExisting(dbc, config.dataDir());
    Backups.Written w;
    if (dbc.isExternal()) {
      w =
          Backups.backupExternal(
              new PgConnection(dbc.getUrl(), dbc.getUser(), dbc.getPassword()),
              config.dataDir(),
              file,
              ArchiveArguments.pgBin(ns));
    } else {
      try (Database db = Database.open(dbc, config.dataDir())) {
        EmbeddedPostgres pg = db.embedded().orElseThrow();
        w =
            Backups.backupEmbedded(
                new PgConnection(pg.jdbcUrl(), pg.user(), pg.password()), config.dataDir(), file);
      }
    }
    System.out.println(
        String.format(
            Locale.ROOT,
            "Backup written to %s (%.1f MB; %s PostgreSQL %s; schema version %s; %d s).",
            w.file(),
            w.bytes() / 1e6,
            w.manifest().mode(),
            w.manifest().postgresVersion(),
            w.manifest().schemaVersion(),
            w.took().toSeconds()));
  }
}
