package org.enlace.server.ingest;

import java.sql.SQLException;
import org.enlace.server.db.DatabaseOutage;
import org.jspecify.annotations.Nullable;

/**
 * Why a group commit failed, from its SQLState: the database being unavailable (every report waits
 * and is resent: 503), or something in the data (the commit is split to find the reports and
 * observations at fault: only those are refused).
 */
final class CommitFault {
  private CommitFault() {}

  /**
   * The database cannot take any commit now: what {@link DatabaseOutage} calls an outage (no
   * connection, shutting down or starting, out of resources, a pool timeout), and for a commit also
   * a cancelled statement or lock wait (57014, 55P03), a transaction that kept conflicting after
   * its retries (class 40), or a read-only server (25006, a standby): all pass by themselves, so
   * the reports wait and are resent. An SQLException without an SQLState is taken as unavailable
   * too: the pool raises those.
   */
  static boolean unavailable(Throwable e) {
    if (DatabaseOutage.isOutage(e)) {
      return true;
    }
    if (!hasSqlException(e)) {
      return false;
    }
    String state = sqlState(e);
    return state == null
        || state.startsWith("40")
        || state.equals("57014")
        || state.equals("55P03")
        || state.equals("25006");
  }

  /**
   * The data is at fault, so refusing it is right: a data exception (class 22: a value out of
   * range, a byte sequence invalid in UTF-8), an integrity constraint (class 23), a program limit
   * (class 54: a value too large to index), or an exception of our own while encoding the rows
   * (e.g. an overflow), which only data can cause. Anything else (a missing privilege, a damaged
   * table) is the server's problem: the report is answered 503 and kept by the agent, never
   * refused, since a refusal makes the agent delete it.
   */
  static boolean dataFault(Throwable e) {
    if (!hasSqlException(e)) {
      return !unavailable(e);
    }
    String state = sqlState(e);
    return state != null
        && (state.startsWith("22") || state.startsWith("23") || state.startsWith("54"));
  }

  /** Anything from the database layer (JDBI, JDBC, the pool), as opposed to a bug of ours. */
  static boolean databaseTrouble(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.jdbi.v3.core.JdbiException || t instanceof SQLException) {
        return true;
      }
    }
    return false;
  }

  /** The first SQLState in the cause chain, or null. */
  static @Nullable String sqlState(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        for (SQLException x = s; x != null; x = x.getNextException()) {
          if (x.getSQLState() != null) {
            return x.getSQLState();
          }
        }
      }
    }
    return null;
  }

  private static boolean hasSqlException(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException) {
        return true;
      }
    }
    return false;
  }
}
