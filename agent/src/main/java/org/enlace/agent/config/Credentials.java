package org.enlace.agent.config;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import java.util.Properties;

/**
 * What enrollment gave this agent: its id and secret, and the server it belongs to. Kept in the
 * data directory, readable by the service account only.
 */
public record Credentials(
    URI serverUrl, String agentId, String secret, long computerId, String establishment) {
  public static final String FILE_NAME = "credentials.properties";

  public String authorization() {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((agentId + ":" + secret).getBytes(StandardCharsets.UTF_8));
  }

  public static Optional<Credentials> load(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    return Optional.of(
        new Credentials(
            URI.create(p.getProperty("server.url")),
            p.getProperty("agent.id"),
            p.getProperty("agent.secret"),
            Long.parseLong(p.getProperty("computer.id", "0")),
            p.getProperty("establishment", "")));
  }

  public void save(Path dataDir) throws IOException {
    Properties p = new Properties();
    p.setProperty("server.url", serverUrl.toString());
    p.setProperty("agent.id", agentId);
    p.setProperty("agent.secret", secret);
    p.setProperty("computer.id", Long.toString(computerId));
    p.setProperty("establishment", establishment);
    StringWriter w = new StringWriter();
    p.store(w, "Enlace agent credentials: keep private; delete to enroll again");
    SafeFiles.writeAtomically(
        dataDir.resolve(FILE_NAME), w.toString().getBytes(StandardCharsets.UTF_8), true);
  }
}
