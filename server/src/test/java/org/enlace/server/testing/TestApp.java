package org.enlace.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.ResourceHelpers;
import io.dropwizard.testing.junit5.DropwizardAppExtension;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;
import org.enlace.server.app.EnlaceApplication;
import org.enlace.server.app.EnlaceConfiguration;
import org.jdbi.v3.core.Jdbi;

/** The real application on random ports, on its own fresh database in the shared PostgreSQL. */
public final class TestApp {
  private final DropwizardAppExtension<EnlaceConfiguration> app;
  private final Path dataDir;

  private TestApp(DropwizardAppExtension<EnlaceConfiguration> app, Path dataDir) {
    this.app = app;
    this.dataDir = dataDir;
  }

  /**
   * Lifts the per-agent report limit (429), for tests and benchmarks that send far more reports
   * from one agent than a real one does; the limit itself is tested in ReportRateLimitTest.
   */
  public static ConfigOverride[] unlimitedReports() {
    return new ConfigOverride[] {
      ConfigOverride.config("limits.reportsPerAgent.perMinute", "1000000"),
      ConfigOverride.config("limits.reportsPerAgent.burst", "1000000")
    };
  }

  public static TestApp create(ConfigOverride... extra) {
    Path dataDir;
    try {
      dataDir = TestPostgres.worldTraversableTempDir("enlace-test-data-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String url = TestPostgres.newDatabase();
    ConfigOverride[] overrides = new ConfigOverride[4 + extra.length];
    overrides[0] = ConfigOverride.config("database.url", url);
    overrides[1] = ConfigOverride.config("database.user", TestPostgres.user());
    overrides[2] = ConfigOverride.config("database.password", TestPostgres.password());
    overrides[3] = ConfigOverride.config("dataDir", dataDir.toString());
    System.arraycopy(extra, 0, overrides, 4, extra.length);
    return withConfig(dataDir, overrides);
  }

  /** The application on the given external database, with its own data directory. */
  public static TestApp external(
      String url, String user, String password, Path dataDir, ConfigOverride... extra) {
    ConfigOverride[] overrides = new ConfigOverride[4 + extra.length];
    overrides[0] = ConfigOverride.config("database.url", url);
    overrides[1] = ConfigOverride.config("database.user", user);
    overrides[2] = ConfigOverride.config("database.password", password);
    overrides[3] = ConfigOverride.config("dataDir", dataDir.toString());
    System.arraycopy(extra, 0, overrides, 4, extra.length);
    return withConfig(dataDir, overrides);
  }

  /**
   * The application with its own embedded PostgreSQL under {@code dataDir}, as a municipality
   * without an external database runs it. Start and stop it with the extension's before/after.
   */
  public static TestApp embedded(Path dataDir, ConfigOverride... extra) {
    ConfigOverride[] overrides = new ConfigOverride[2 + extra.length];
    overrides[0] = ConfigOverride.config("database.url", "");
    overrides[1] = ConfigOverride.config("dataDir", dataDir.toString());
    System.arraycopy(extra, 0, overrides, 2, extra.length);
    return withConfig(dataDir, overrides);
  }

  /** The application on test-config.yml with these overrides. */
  private static TestApp withConfig(Path dataDir, ConfigOverride... overrides) {
    return new TestApp(
        new DropwizardAppExtension<>(
            EnlaceApplication.class,
            ResourceHelpers.resourceFilePath("test-config.yml"),
            overrides),
        dataDir);
  }

  public DropwizardAppExtension<EnlaceConfiguration> extension() {
    return app;
  }

  public Path dataDir() {
    return dataDir;
  }

  public String base() {
    return "http://127.0.0.1:" + app.getLocalPort();
  }

  public String adminBase() {
    return "http://127.0.0.1:" + app.getAdminPort();
  }

  public Jdbi jdbi() {
    return ((EnlaceApplication) app.getApplication()).jdbi();
  }

  public String adminPassword() {
    try {
      return Files.readString(dataDir.resolve("initial-admin-password"), StandardCharsets.UTF_8)
          .trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** As the first-start admin (role it). */
  public Api it() {
    return new Api(base(), Api.basic("admin", adminPassword()));
  }

  public Api anonymous() {
    return new Api(base(), null);
  }

  /** Creates an establishment with a default shape; returns its code. */
  public String establishment(String code, String sector) {
    ObjectNode e =
        Api.object()
            .put("code", code)
            .put("name", "Establecimiento " + code)
            .put("kind", sector.equals("administration") ? "town_hall" : "public_access_point")
            .put("sector", sector);
    Api.Response r = it().post("/api/v1/establishments", e);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return code;
  }

  public String token(String code, int maxUses) {
    Api.Response r =
        it().post(
                "/api/v1/establishments/" + code + "/enrollment-tokens",
                Api.object().put("maxUses", maxUses));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.body().get("token").asText();
  }

  /** An enrolled agent, ready to report. */
  public record Agent(String id, String secret, long computerId, Api api) {
    public Api.Response report(ObjectNode body) {
      return api.post("/api/v1/reports", body);
    }
  }

  public Agent enroll(String token, String machineId, String hostname, String role) {
    Api.Response r =
        anonymous().post("/api/v1/enroll", enrollBody(token, machineId, hostname, role));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    String id = r.body().get("agentId").asText();
    String secret = r.body().get("secret").asText();
    return new Agent(
        id, secret, r.body().get("computerId").asLong(), new Api(base(), Api.basic(id, secret)));
  }

  public Agent enroll(String establishment) {
    return enroll(
        token(establishment, 1),
        UUID.randomUUID().toString(),
        "pc-" + UUID.randomUUID().toString().substring(0, 8),
        "office");
  }

  public static ObjectNode enrollBody(
      String token, String machineId, String hostname, String role) {
    return Api.object()
        .put("token", token)
        .put("machineId", machineId)
        .put("hostname", hostname)
        .put("os", "Linux")
        .put("osVersion", "6.1")
        .put("agentVersion", "0.1.0")
        .put("role", role)
        .put("cpuCount", 4)
        .put("ramMb", 8192);
  }

  /** A report of observations with the given sequences, observed just now, a second apart. */
  public static ObjectNode report(long... seqs) {
    Instant now = Instant.now();
    ObjectNode body = Api.object().put("protocolVersion", 1).put("sentAt", now.toString());
    ArrayNode obs = body.putArray("observations");
    for (int i = 0; i < seqs.length; i++) {
      obs.add(observation(seqs[i], now.minusSeconds(seqs.length - i), "online"));
    }
    return body;
  }

  public static ObjectNode observation(long seq, Instant at, String status) {
    ObjectNode o =
        Api.object()
            .put("seq", seq)
            .put("observedAt", at.toString())
            .put("status", status)
            .put("reason", status.equals("online") ? "all probes ok" : "probe");
    ObjectNode checks = o.putObject("checks");
    checks.putArray("dns").addObject().put("name", "www.gov.co").put("ok", true).put("ms", 12);
    checks
        .putArray("http")
        .addObject()
        .put("url", "https://www.gov.co/")
        .put("ok", true)
        .put("status", 200)
        .put("ms", 180);
    checks.put("loss", 0.0);
    return o;
  }

  public long count(String sql, Object... args) {
    return jdbi()
        .withHandle(
            h -> {
              var q = h.createQuery(sql);
              for (int i = 0; i < args.length; i++) {
                q.bind(i, args[i]);
              }
              return q.mapTo(Long.class).one();
            });
  }

  public static JsonNode field(Api.Response r, String name) {
    return r.body().get(name);
  }
}
