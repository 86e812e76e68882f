package org.enlace.agent.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.FileHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * java.util.logging, so the agent needs no logging library: one structured line per event, rotated
 * files under the data directory (size-limited, a few generations) and stderr for systemd's journal
 * or the Windows service wrapper.
 */
public final class AgentLogging {
  private AgentLogging() {}

  /**
   * JUL resets (closes) every handler in its own shutdown hook, racing ours: the daemon's last
   * lines ("agent_stopped") would be lost. This manager defers that until {@link #flushAndClose}.
   */
  public static final class DeferredResetLogManager extends LogManager {
    private volatile boolean closing;

    @Override
    public void reset() {
      if (closing || !isShuttingDown()) {
        super.reset();
      }
    }

    void closeNow() {
      closing = true;
      super.reset();
    }

    private static boolean isShuttingDown() {
      try {
        Thread hook = new Thread(() -> {});
        Runtime.getRuntime().addShutdownHook(hook);
        Runtime.getRuntime().removeShutdownHook(hook);
        return false;
      } catch (IllegalStateException e) {
        return true;
      }
    }
  }

  /** Called last at shutdown, after the daemon's final lines. */
  public static void flushAndClose() {
    if (LogManager.getLogManager() instanceof DeferredResetLogManager m) {
      m.closeNow();
    }
  }

  public static void configure(Path dataDir, long maxBytes, int files, boolean console)
      throws IOException {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    root.setLevel(Level.INFO);
    Formatter f =
        new Formatter() {
          @Override
          public String format(LogRecord r) {
            return Instant.ofEpochMilli(r.getMillis())
                + " "
                + r.getLevel().getName()
                + " "
                + r.getMessage()
                + System.lineSeparator();
          }
        };
    Path logs = dataDir.resolve("logs");
    Files.createDirectories(logs);
    Handler file =
        new FileHandler(
            logs.resolve("agent.%g.log").toString(),
            (int) Math.min(Integer.MAX_VALUE, maxBytes),
            Math.max(1, files),
            true);
    file.setFormatter(f);
    root.addHandler(file);
    if (console) {
      Handler err = new ConsoleHandler();
      err.setFormatter(f);
      root.addHandler(err);
    }
  }
}
