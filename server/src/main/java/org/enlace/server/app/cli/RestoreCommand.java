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
    ArchiveArguments.add(subparser, "the backup file to restore", "pg_restore");
    super.configure(subparser);
  }

  @Override
  protected void run(
      Bootstrap<EnlaceConfiguration> bootstrap, Namespace ns, EnlaceConfiguration config)
      throws Exception {
    Path file = ArchiveArguments.archive(ns);
    DatabaseConfig dbc = config.getDatabase();
    Backups.Restored r =
        dbc.isExternal()
            ? Backups.restoreExternal(
                file,
                new PgConnection(dbc.getUrl(), dbc.getUser(), dbc.getPassword()),
                config.dataDir(),
                ArchiveArguments.pgBin(ns))
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
