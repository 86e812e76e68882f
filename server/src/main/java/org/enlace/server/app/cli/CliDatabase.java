package org.enlace.server.app.cli;

import io.dropwizard.core.setup.Bootstrap;
import io.dropwizard.db.ManagedDataSource;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.db.Database;
import org.enlace.server.db.Jdbis;
import org.enlace.server.db.Migrations;
import org.jdbi.v3.core.Jdbi;

/**
 * The database as the commands that change data see it: started (the embedded one, or the
 * configured one), migrated, and behind JDBI with the server's plugins.
 */
final class CliDatabase implements AutoCloseable {
  private final Database db;
  private final ManagedDataSource ds;
  private final Jdbi jdbi;

  private CliDatabase(Database db, ManagedDataSource ds) {
    this.db = db;
    this.ds = ds;
    this.jdbi = Jdbis.create(ds);
  }

  static CliDatabase open(Bootstrap<EnlaceConfiguration> bootstrap, EnlaceConfiguration config)
      throws Exception {
    Database.requireExisting(config.getDatabase(), config.dataDir());
    Database db = Database.open(config.getDatabase(), config.dataDir());
    try {
      Migrations.migrate(db.dataSourceFactory());
      return new CliDatabase(
          db, db.dataSourceFactory().build(bootstrap.getMetricRegistry(), "cli"));
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  Jdbi jdbi() {
    return jdbi;
  }

  /**
   * Stops the pool, then the database. Declares no checked exception: an {@code AutoCloseable}
   * whose close may throw InterruptedException is a trap in try-with-resources, and the command
   * ends right after anyway, so a failure here is reported rather than handled.
   */
  @Override
  public void close() {
    try {
      ds.stop();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("could not close the database connections: " + e, e);
    } finally {
      db.close();
    }
  }
}
