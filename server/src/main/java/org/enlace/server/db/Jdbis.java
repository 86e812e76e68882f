package org.enlace.server.db;

import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.TemplateEngine;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;

/**
 * The one Jdbi setup: the server, its commands and the tests see the database through the same
 * plugins, argument factories and statement settings, so a DAO behaves the same in all three.
 */
public final class Jdbis {
  private Jdbis() {}

  /** Installs everything the application's SQL needs on {@code jdbi}, and returns it. */
  public static Jdbi configure(Jdbi jdbi) {
    jdbi.installPlugin(new SqlObjectPlugin())
        .installPlugin(new PostgresPlugin())
        .installPlugin(new BinaryArrays());
    // Our SQL binds :named parameters and has no <attribute> templates; rendering templates
    // for every statement was 4 % of the server's CPU on the ingest path.
    jdbi.setTemplateEngine(TemplateEngine.NOP);
    return jdbi;
  }

  public static Jdbi create(DataSource dataSource) {
    return configure(Jdbi.create(dataSource));
  }
}
