package org.enlace.server.db;

import io.dropwizard.db.DataSourceFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/** The database a run uses: an external server, or the embedded one started for this run. */
public final class Database implements AutoCloseable {
  private final DataSourceFactory dataSourceFactory;
  private final Optional<EmbeddedPostgres> embedded;

  private Database(DataSourceFactory dataSourceFactory, Optional<EmbeddedPostgres> embedded) {
    this.dataSourceFactory = dataSourceFactory;
    this.embedded = embedded;
  }

  public static Database open(DatabaseConfig config, Path dataDir) throws IOException {
    if (config.isExternal()) {
      return new Database(config.externalDataSource(), Optional.empty());
    }
    EmbeddedPostgres pg =
        EmbeddedPostgres.start(
            dataDir, config.getEmbedded().getPort(), config.getEmbedded().getRunAsUser());
    return new Database(config.dataSource(pg.jdbcUrl(), pg.user(), pg.password()), Optional.of(pg));
  }

  public DataSourceFactory dataSourceFactory() {
    return dataSourceFactory;
  }

  public Optional<EmbeddedPostgres> embedded() {
    return embedded;
  }

  @Override
  public void close() {
    embedded.ifPresent(EmbeddedPostgres::close);
  }
}
