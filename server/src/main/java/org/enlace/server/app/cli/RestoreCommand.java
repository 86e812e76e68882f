package org.enlace.server.app.cli;

import io.dropwizard.core.setup.Bootstrap;
import java.nio.file.Path;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.backup.BackupManifest;
import org.enlace.server.backup.Backups;
import org.enlace.server.backup.PgConnection;
import org.enlace.server.db.DatabaseConfig;

/**
 * {@code enlace-server restore FILE [--pg-bin DIR] [config.yml]}, with the server stopped. The
 * archive is checked whole first; a damaged one changes nothing. Embedded mode: the current {@code
 * postgres/} is moved aside to {@code postgres.before-restore-TIMESTAMP}, never deleted. External
 * mode: pg_restore in one transaction into the configured database.
 */
public final class RestoreCommand extends OperatorCommand {
  public RestoreCommand() {
    super("restore", "Restore a backup written by the backup command (server stopped)");
  }

  @Override
  public void configure(Subparser subparser) {
    subparser.addArgument("archive").metavar("FILE").help("the backup file to restore");
    subparser
        .addArgument("--pg-bin")
        .dest("pg_bin")
        .metavar("DIR")
        .help(
            "external PostgreSQL: the directory of pg_restore (default:"
                + " /usr/lib/postgresql/MAJOR/bin, then the PATH)");
    super.configure(subparser);
  }

  @Override
  protected void run(
      Bootstrap<EnlaceConfiguration> bootstrap, Namespace ns, EnlaceConfiguration config)
      throws Exception {
    Path file = Path.of(ns.getString("archive"));
    DatabaseConfig dbc = config.getDatabase();
    Backups.Restored r =
        dbc.isExternal()
            ? Backups.restoreExternal(
                file,
                new PgConnection(dbc.getUrl(), dbc.getUser(), dbc.getPassword()),
                config.dataDir(),
                BackupCommand.pgBin(ns))
            : Backups.restoreEmbedded(file, dbc, config.dataDir());
    BackupManifest m = r.manifest();
    System.out.println(
        "Restored "
            + file.toAbsolutePath().normalize()
            + " ("
            + m.mode()
            + " PostgreSQL "
            + m.postgresVersion()
            + ", schema version "
            + m.schemaVersion()
            + ", made "
            + m.createdAt()
            + " by Enlace "
            + m.enlaceVersion()
            + ").");
    r.previousCluster()
        .ifPresent(p -> System.out.println("The database from before is kept in " + p + "."));
    r.previousKey()
        .ifPresent(
            p ->
                System.out.println(
                    "The SNMP credential key from before is kept in "
                        + p
                        + " (the restored data uses the backup's key)."));
    System.out.println("Start the server now (systemctl start enlace-server).");
  }
}
