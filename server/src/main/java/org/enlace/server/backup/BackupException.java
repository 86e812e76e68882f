package org.enlace.server.backup;

/**
 * A backup or restore that could not be done, with a message for the operator that says what
 * happened and what to do. Nothing half-written is left behind when it is thrown.
 */
public final class BackupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public BackupException(String message) {
    super(message);
  }

  public BackupException(String message, Throwable cause) {
    super(message, cause);
  }
}
