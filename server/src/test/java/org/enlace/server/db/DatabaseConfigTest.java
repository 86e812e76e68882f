package org.enlace.server.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.enlace.server.testing.Configs.errors;
import static org.enlace.server.testing.Configs.read;

import io.dropwizard.db.DataSourceFactory;
import org.junit.jupiter.api.Test;

/** {@code database:} in config.yml: defaults, mapping and limits. */
class DatabaseConfigTest {
  @Test
  void defaults() {
    DatabaseConfig c = new DatabaseConfig();
    assertThat(c.isExternal()).isFalse();
    assertThat(c.getUrl()).isEmpty();
    assertThat(c.getMaxPoolSize()).isEqualTo(32);
    assertThat(c.getEmbedded().getPort()).isZero();
    assertThat(c.getEmbedded().getRunAsUser()).isEqualTo("nobody");
    DataSourceFactory f = c.externalDataSource();
    // The same user as the shipped config.yml (ENLACE_DB_USER, default enlace).
    assertThat(f.getUser()).isEqualTo("enlace");
    assertThat(f.getPassword()).isEmpty();
    assertThat(f.getMaxSize()).isEqualTo(32);
    assertThat(errors(c)).isEmpty();
  }

  @Test
  void mapsEveryKey() {
    DatabaseConfig c =
        read(
            """
            url: jdbc:postgresql://db.example.org:5432/enlace
            user: monitor
            password: s3cret
            maxPoolSize: 64
            properties:
              sslmode: require
            embedded:
              port: 5433
              runAsUser: postgres
            """,
            DatabaseConfig.class);
    assertThat(c.isExternal()).isTrue();
    DataSourceFactory f = c.externalDataSource();
    assertThat(f.getUrl()).isEqualTo("jdbc:postgresql://db.example.org:5432/enlace");
    assertThat(f.getUser()).isEqualTo("monitor");
    assertThat(f.getPassword()).isEqualTo("s3cret");
    assertThat(f.getMaxSize()).isEqualTo(64);
    assertThat(f.getProperties()).containsEntry("sslmode", "require");
    assertThat(c.getEmbedded().getPort()).isEqualTo(5433);
    assertThat(c.getEmbedded().getRunAsUser()).isEqualTo("postgres");
    assertThat(errors(c)).isEmpty();
  }

  @Test
  void aTransactionPoolerTurnsNamedPreparedStatementsOff() {
    assertThat(new DatabaseConfig().externalDataSource().getProperties())
        .doesNotContainKey("prepareThreshold");
    DatabaseConfig c = read("pooler: transaction\n", DatabaseConfig.class);
    assertThat(c.externalDataSource().getProperties()).containsEntry("prepareThreshold", "0");
    assertThat(errors(c)).isEmpty();
    assertThat(errors(read("pooler: session\n", DatabaseConfig.class)))
        .containsOnly(entry("pooler", "must be none or transaction"));
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheFieldAndTheRange() {
    assertThat(errors(read("maxPoolSize: 1\nembedded:\n  port: -1\n", DatabaseConfig.class)))
        .containsOnly(
            entry("maxPoolSize", "must be between 2 and 500"),
            entry("embedded.port", "must be between 0 and 65535"));
    assertThat(errors(read("maxPoolSize: 501\nembedded:\n  port: 65536\n", DatabaseConfig.class)))
        .containsOnly(
            entry("maxPoolSize", "must be between 2 and 500"),
            entry("embedded.port", "must be between 0 and 65535"));
  }
}
