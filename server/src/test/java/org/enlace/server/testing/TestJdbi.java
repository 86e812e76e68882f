package org.enlace.server.testing;

import io.dropwizard.db.DataSourceFactory;
import org.enlace.server.db.Jdbis;
import org.enlace.server.db.Migrations;
import org.jdbi.v3.core.Jdbi;

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
    return Jdbis.configure(Jdbi.create(url, TestPostgres.user(), TestPostgres.password()));
  }
}
