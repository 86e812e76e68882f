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

  /**
   * Fails, before anything is created, when the embedded database under {@code dataDir} does not
   * exist: a command run from the wrong folder (or with the wrong config file) would otherwise
   * create a new, empty database and report success on it.
   */
  public static void requireExisting(DatabaseConfig config, Path dataDir) {
    if (config.isExternal() || EmbeddedPostgres.exists(dataDir)) {
      return;
    }
    throw new MissingDatabaseException(dataDir.toAbsolutePath().normalize());
  }

  public DataSourceFactory dataSourceFactory() {
    return dataSourceFactory;
  }

  /**
   * Which database, for messages: "embedded, 127.0.0.1:5432" or the external URL's host, port and
   * database (never its query string, which may carry a password).
   */
  public String where() {
    if (embedded.isPresent()) {
      return "embedded, 127.0.0.1:" + embedded.get().port();
    }
    String url = dataSourceFactory.getUrl();
    int query = url.indexOf('?');
    return "external, "
        + (query < 0 ? url : url.substring(0, query)).replace("jdbc:postgresql://", "");
  }

  public Optional<EmbeddedPostgres> embedded() {
    return embedded;
  }

  @Override
  public void close() {
    embedded.ifPresent(EmbeddedPostgres::close);
  }
}
