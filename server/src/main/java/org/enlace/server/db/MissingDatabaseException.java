package org.enlace.server.db;

import java.nio.file.Path;

/**
 * No embedded database where a command looked for one. An operator error, reported as one sentence:
 * which directory was looked at and how to point the command at the server's data.
 */
public final class MissingDatabaseException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public MissingDatabaseException(Path dataDir) {
    super(
        "No Enlace database in "
            + dataDir
            + " (there is no postgres/data/PG_VERSION there), so nothing was done: run the command"
            + " from the server's folder, set ENLACE_DATA_DIR to the server's data directory, pass"
            + " the server's config file as the last argument, or start the server once first to"
            + " create its database.");
  }
}
