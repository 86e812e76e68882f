package org.enlace.server.db;

import static java.util.Objects.requireNonNull;

import com.codahale.metrics.health.HealthCheck;
import java.sql.SQLException;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code database} in {@code /healthcheck}: a connection from the pool, checked by the driver.
 * Unhealthy says why in words an operator can act on: "PostgreSQL unreachable: Connection to
 * 127.0.0.1:5432 refused" while the database is away, the error otherwise.
 */
public final class DatabaseHealthCheck extends HealthCheck {
  /** Seconds the driver waits for the server's answer. */
  private static final int TIMEOUT_SECONDS = 3;

  private final Jdbi jdbi;
  private final String where;

  /**
   * @param where which database, for the message: "embedded, port 5432" or the external host
   */
  public DatabaseHealthCheck(Jdbi jdbi, String where) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
    this.where = requireNonNull(where, "where is null");
  }

  @Override
  protected Result check() {
    try {
      // Connection.isValid: the driver's own round trip, with a timeout; no SQL of ours.
      boolean valid = jdbi.withHandle(h -> h.getConnection().isValid(TIMEOUT_SECONDS));
      return valid
          ? Result.healthy("PostgreSQL reachable (%s)", where)
          : Result.unhealthy(
              "PostgreSQL unreachable (%s): no answer within %d s", where, TIMEOUT_SECONDS);
    } catch (SQLException | RuntimeException e) {
      return DatabaseOutage.isOutage(e)
          ? Result.unhealthy("PostgreSQL unreachable (%s): %s", where, DatabaseOutage.describe(e))
          : Result.unhealthy("PostgreSQL check failed (%s): %s", where, e.toString());
    }
  }
}
