package org.enlace.server.db;

import io.dropwizard.db.DataSourceFactory;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies the versioned schema in {@code db/migration}; the only place the schema changes. */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  public static MigrateResult migrate(DataSourceFactory dsf) {
    Flyway flyway =
        Flyway.configure()
            .dataSource(dsf.getUrl(), dsf.getUser(), dsf.getPassword())
            .locations("classpath:db/migration")
            .failOnMissingLocations(true)
            .load();
    MigrateResult result = flyway.migrate();
    LOG.info(
        "event=schema_migrated applied={} version={}",
        result.migrationsExecuted,
        result.targetSchemaVersion == null
            ? flyway.info().current().getVersion()
            : result.targetSchemaVersion);
    return result;
  }
}
