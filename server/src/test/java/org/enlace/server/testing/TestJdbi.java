package org.enlace.server.testing;

import io.dropwizard.db.DataSourceFactory;
import org.enlace.server.db.BinaryArrays;
import org.enlace.server.db.Migrations;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/** A fresh database with the production migrations applied, for DAO tests. */
public final class TestJdbi {
  private TestJdbi() {}

  public static Jdbi migrated() {
    String url = TestPostgres.newDatabase();
    DataSourceFactory dsf = new DataSourceFactory();
    dsf.setUrl(url);
    dsf.setUser(TestPostgres.user());
    dsf.setPassword(TestPostgres.password());
    Migrations.migrate(dsf);
    return Jdbi.create(url, TestPostgres.user(), TestPostgres.password())
        .installPlugin(new SqlObjectPlugin())
        .installPlugin(new PostgresPlugin())
        .installPlugin(new BinaryArrays());
  }
}
