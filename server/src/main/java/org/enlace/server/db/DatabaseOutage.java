package org.enlace.server.db;

import java.net.SocketException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.IdentityHashMap;
import java.util.Optional;
import org.apache.tomcat.jdbc.pool.PoolExhaustedException;
import org.jdbi.v3.core.ConnectionException;
import org.jspecify.annotations.Nullable;

/**
 * Tells "the database is unavailable" (down, restarting, unreachable, out of connections or disk)
 * from every other database error. The first is answered 503 with Retry-After and is worth sending
 * again; the others are a fault of the request or of the server, and resending will not help.
 *
 * <p>By SQLState: class 08 (connection exception), 57P01/57P02/57P03/57P05 (the server shut down,
 * crashed, is starting up, or ended an idle session) and class 53 (insufficient resources: disk
 * full, out of memory, too many connections); and by the exception: no connection could be made
 * (Jdbi's {@link ConnectionException}, a refused or reset socket), or none could be had from the
 * pool in time ({@link PoolExhaustedException}).
 */
public final class DatabaseOutage {
  private DatabaseOutage() {}

  /** True when {@code error}, or anything in its cause chain, says the database is unavailable. */
  public static boolean isOutage(Throwable error) {
    return find(error).isPresent();
  }

  /**
   * The exception in the chain that says the database is unavailable (its message names why: e.g.
   * "Connection to 127.0.0.1:5432 refused"); empty when the error is something else.
   */
  public static Optional<Throwable> find(Throwable error) {
    IdentityHashMap<Throwable, Boolean> seen = new IdentityHashMap<>();
    @Nullable Throwable t = error;
    // Bounded: a cause chain is short, and a cycle (seen) ends the walk.
    for (int depth = 0; t != null && depth < 32 && seen.put(t, true) == null; depth++) {
      if (says(t)) {
        return Optional.of(t);
      }
      if (t instanceof SQLException s) {
        for (@Nullable SQLException next = s.getNextException();
            next != null && seen.put(next, true) == null;
            next = next.getNextException()) {
          if (says(next)) {
            return Optional.of(next);
          }
        }
      }
      t = t.getCause();
    }
    return Optional.empty();
  }

  /** One line for logs and the health check: the reason, without the stack. */
  public static String describe(Throwable error) {
    Throwable t = find(error).orElse(error);
    String message = t.getMessage();
    return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
  }

  private static boolean says(Throwable t) {
    if (t instanceof ConnectionException
        || t instanceof PoolExhaustedException
        || t instanceof SQLTransientConnectionException
        || t instanceof SQLNonTransientConnectionException
        // Refused, no route, "Connection reset", "Broken pipe": the server is not there.
        || t instanceof SocketException) {
      return true;
    }
    return t instanceof SQLException s && isOutageState(s.getSQLState());
  }

  /** The SQLStates that mean "unavailable now, try again later". */
  static boolean isOutageState(@Nullable String state) {
    if (state == null || state.length() != 5) {
      return false;
    }
    return state.startsWith("08")
        || state.startsWith("53")
        || state.equals("57P01") // admin_shutdown
        || state.equals("57P02") // crash_shutdown
        || state.equals("57P03") // cannot_connect_now: starting up, in recovery
        || state.equals("57P05"); // idle_session_timeout: that connection is gone, others work
  }
}
