package org.enlace.server.app.cli;

import io.dropwizard.core.setup.Bootstrap;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.db.Database;
import org.enlace.server.db.Migrations;

/**
 * {@code enlace-server db migrate [config.yml]}: applies the schema without starting the server.
 */
public final class DbCommand extends OperatorCommand {
  public DbCommand() {
    super("db", "Database tasks: migrate (apply pending schema migrations)");
  }

  @Override
  public void configure(Subparser subparser) {
    subparser.addArgument("action").choices("migrate").help("what to do");
    super.configure(subparser);
  }

  @Override
  protected void run(
      Bootstrap<EnlaceConfiguration> bootstrap, Namespace namespace, EnlaceConfiguration config)
      throws Exception {
    Database.requireExisting(config.getDatabase(), config.dataDir());
    try (Database db = Database.open(config.getDatabase(), config.dataDir())) {
      var result = Migrations.migrate(db.dataSourceFactory());
      System.out.println(
          "Applied "
              + result.migrationsExecuted
              + " migration(s); schema at version "
              + (result.targetSchemaVersion == null ? "unchanged" : result.targetSchemaVersion));
    }
  }
}
