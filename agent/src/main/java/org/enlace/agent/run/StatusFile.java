package org.enlace.agent.run;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.enlace.agent.config.SafeFiles;
import org.jspecify.annotations.Nullable;

/**
 * {@code status.json} in the data directory: what the daemon last saw and did, for the {@code
 * status} command (which must not open the journal while the daemon owns it).
 */
public final class StatusFile {
  public static final String FILE_NAME = "status.json";
  private final Path file;
  private final Map<String, Object> values = new LinkedHashMap<>();

  public StatusFile(Path dataDir) {
    this.file = dataDir.resolve(FILE_NAME);
  }

  /** A null value removes the key: the field is left out while unknown. */
  public synchronized void put(String key, @Nullable Object value) {
    if (value == null) {
      values.remove(key);
    } else {
      values.put(key, value);
    }
  }

  public synchronized void save() throws IOException {
    SafeFiles.writeAtomically(
        file, JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asBytes(values), false);
  }

  public static Map<String, Object> read(Path dataDir) throws IOException {
    Path f = dataDir.resolve(FILE_NAME);
    return Files.exists(f) ? JSON.std.mapFrom(Files.readAllBytes(f)) : Map.of();
  }
}
