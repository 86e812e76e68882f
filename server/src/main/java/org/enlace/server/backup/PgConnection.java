package org.enlace.server.backup;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.enlace.server.db.Jdbis;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.Driver;

/**
 * A PostgreSQL database as JDBC and libpq's tools both reach it: the JDBC URL, and the same server
 * as PG* environment variables (the password never on a command line, where any local user could
 * read it in the process list).
 */
public record PgConnection(String jdbcUrl, String user, String password) {
  /** Sessions opened by backups and restores carry this application_name. */
  public static final String APPLICATION_NAME = "enlace-backup";

  Jdbi jdbi() {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    p.setProperty("ApplicationName", APPLICATION_NAME);
    return Jdbis.configure(Jdbi.create(jdbcUrl, p));
  }

  /** Host, port and database from the URL, as pgjdbc itself reads it. */
  Map<String, String> libpqEnvironment() {
    Properties parsed = Driver.parseURL(jdbcUrl, new Properties());
    if (parsed == null) {
      throw new BackupException("database.url is not a PostgreSQL JDBC URL: " + jdbcUrl);
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PGHOST", parsed.getProperty("PGHOST", "localhost"));
    env.put("PGPORT", parsed.getProperty("PGPORT", "5432"));
    env.put("PGDATABASE", database());
    env.put("PGUSER", parsed.getProperty("user", user));
    env.put("PGPASSWORD", parsed.getProperty("password", password));
    env.put("PGAPPNAME", APPLICATION_NAME);
    String sslmode = parsed.getProperty("sslmode");
    if (sslmode != null) {
      env.put("PGSSLMODE", sslmode);
    }
    return env;
  }

  String database() {
    Properties parsed = Driver.parseURL(jdbcUrl, new Properties());
    if (parsed == null) {
      throw new BackupException("database.url is not a PostgreSQL JDBC URL: " + jdbcUrl);
    }
    return parsed.getProperty("PGDBNAME", "");
  }
}
