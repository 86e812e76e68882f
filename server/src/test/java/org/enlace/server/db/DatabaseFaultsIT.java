package org.enlace.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dropwizard.testing.ConfigOverride;
import io.dropwizard.testing.DropwizardTestSupport;
import io.dropwizard.testing.ResourceHelpers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.enlace.server.app.EnlaceApplication;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.auth.PasswordHasher;
import org.enlace.server.auth.UserDao;
import org.enlace.server.testing.Api;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestPostgres;
import org.junit.jupiter.api.Test;

/**
 * The server heals when its database dies: {@code kill -9} of the embedded postmaster while agents
 * upload, ten times in a row, in one JVM. Each time ingest answers 200 again within 30 s, while the
 * database is away the people's API answers 503 with Retry-After (never 401 or 500 for a correct
 * password, cached or not) and /healthcheck is 503 naming the database; at the end every
 * acknowledged observation is stored, once.
 */
class DatabaseFaultsIT {
  private static final int KILLS = 10;
  private static final int AGENTS = 4;
  private static final Duration RECOVERY_LIMIT = Duration.ofSeconds(30);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void killingThePostmasterUnderLoadHealsEachTimeAndLosesNothing() throws Exception {
    long testStart = System.nanoTime();
    Path dataDir = TestPostgres.worldTraversableTempDir("enlace-faults-");
    DropwizardTestSupport<EnlaceConfiguration> app =
        new DropwizardTestSupport<>(
            EnlaceApplication.class,
            ResourceHelpers.resourceFilePath("test-config.yml"),
            ConfigOverride.config("database.url", ""),
            ConfigOverride.config("dataDir", dataDir.toString()),
            // Four agents sending back to back outpace the per-agent limit (429) by design.
            TestApp.unlimitedReports()[0],
            TestApp.unlimitedReports()[1]);
    app.before();
    List<LoadAgent> agents = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    try {
      EnlaceApplication application = (EnlaceApplication) app.getApplication();
      EmbeddedPostgres pg = application.database().embedded().orElseThrow();
      String base = "http://127.0.0.1:" + app.getLocalPort();
      String health = "http://127.0.0.1:" + app.getAdminPort() + "/healthcheck";
      String adminPassword =
          Files.readString(dataDir.resolve("initial-admin-password"), StandardCharsets.UTF_8)
              .trim();
      Api admin = new Api(base, Api.basic("admin", adminPassword));
      assertThat(
              admin
                  .post(
                      "/api/v1/establishments",
                      Api.object()
                          .put("code", "alcaldia")
                          .put("name", "Alcaldía")
                          .put("kind", "town_hall")
                          .put("sector", "administration"))
                  .status())
          .isEqualTo(201);
      // One user per kill whose password the server has never checked: its first request comes
      // during the outage, through the password lookup rather than the credentials cache.
      PasswordHasher hasher = new PasswordHasher();
      String viewerPassword = PasswordHasher.randomPassword();
      String viewerHash = hasher.hash(viewerPassword);
      application
          .jdbi()
          .useExtension(
              UserDao.class,
              users -> {
                for (int k = 1; k <= KILLS; k++) {
                  users.insert("viewer" + k, viewerHash, "it");
                }
              });
      for (int i = 0; i < AGENTS; i++) {
        String token =
            admin
                .post("/api/v1/establishments/alcaldia/enrollment-tokens", Api.object())
                .body()
                .get("token")
                .asText();
        Api.Response e =
            new Api(base, null)
                .post(
                    "/api/v1/enroll",
                    TestApp.enrollBody(token, "faults-machine-000" + i, "pc-" + i, "office"));
        assertThat(e.status()).as(e.toString()).isEqualTo(201);
        String id = e.body().get("agentId").asText();
        LoadAgent a =
            new LoadAgent(id, new Api(base, Api.basic(id, e.body().get("secret").asText())));
        agents.add(a);
        Thread t = new Thread(a, "load-agent-" + i);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }

      List<Long> recoveryMs = new ArrayList<>();
      List<Integer> peopleUnavailable = new ArrayList<>();
      for (int k = 1; k <= KILLS; k++) {
        awaitAllAgentsOk(agents, System.nanoTime(), Duration.ofSeconds(30));
        long pid = pg.postmasterPid().orElseThrow();
        Api viewer = new Api(base, Api.basic("viewer" + k, viewerPassword));

        long killedAt = System.nanoTime();
        assertThat(ProcessHandle.of(pid).orElseThrow().destroyForcibly()).isTrue();

        // Until ingest is back for every agent: the people's API (a cached and an uncached
        // password) and /healthcheck, over and over; each answer is 200 or a proper 503.
        Probe probe = new Probe();
        long deadline = killedAt + RECOVERY_LIMIT.toNanos();
        long firstIngest503 = -1;
        long newPostmaster = -1;
        while (true) {
          if (newPostmaster < 0 && pg.postmasterPid().orElse(pid) != pid) {
            newPostmaster = System.nanoTime();
          }
          probe.people(admin.get("/api/v1/establishments"));
          probe.people(viewer.get("/api/v1/establishments"));
          probe.health(HTTP.send(get(health), HttpResponse.BodyHandlers.ofString()));
          if (firstIngest503 < 0) {
            long seen = agents.stream().mapToLong(a -> a.last503).max().orElse(0);
            if (seen > killedAt) {
              firstIngest503 = seen;
            }
          }
          if (firstIngest503 > 0 && allOkSince(agents, firstIngest503)) {
            break;
          }
          assertThat(System.nanoTime())
              .as("kill %d: ingest back to 200 within %s", k, RECOVERY_LIMIT)
              .isLessThan(deadline);
          Thread.sleep(20);
        }
        // Measured from the kill to when the prober saw every agent answered 200 again: an upper
        // bound, by at most one round of probes (tens of milliseconds).
        recoveryMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt));
        System.out.printf(
            "event=database_fault kill=%d firstIngest503Ms=%d newPostmasterMs=%d allAgentsOkMs=%d%n",
            k,
            TimeUnit.NANOSECONDS.toMillis(firstIngest503 - killedAt),
            newPostmaster < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(newPostmaster - killedAt),
            recoveryMs.get(recoveryMs.size() - 1));
        assertThat(probe.peopleUnavailable)
            .as("kill %d: the people's API answered 503 while the database was away", k)
            .isPositive();
        assertThat(probe.databaseDown)
            .as("kill %d: /healthcheck named the database as down", k)
            .isPositive();
        peopleUnavailable.add(probe.peopleUnavailable);
        assertThat(pg.postmasterPid().orElseThrow()).isNotEqualTo(pid);
        // Back to normal: healthy, and the uncached password works.
        awaitHealthy(health, Duration.ofSeconds(30));
        Api.Response ok = viewer.get("/api/v1/establishments");
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
      }

      for (LoadAgent a : agents) {
        a.stop = true;
      }
      for (Thread t : threads) {
        t.join(30_000);
      }
      for (LoadAgent a : agents) {
        a.flush(Duration.ofSeconds(30));
      }
      for (LoadAgent a : agents) {
        assertThat(a.unexpected).as("answers other than 200 and 503 to " + a.id).isEmpty();
      }

      // Every acknowledged observation stored, none twice; and the agents resent the rest until
      // acknowledged, so the database holds exactly what they generated.
      Map<String, List<Long>> stored = storedSeqs(application);
      long acked = 0;
      long total = 0;
      for (LoadAgent a : agents) {
        List<Long> rows = stored.getOrDefault(a.id, List.of());
        Set<Long> distinct = new HashSet<>(rows);
        assertThat(rows).as("observations stored twice for " + a.id).hasSameSizeAs(distinct);
        assertThat(distinct).as("acknowledged but lost for " + a.id).containsAll(a.acked);
        assertThat(a.pending).as("never acknowledged for " + a.id).isEmpty();
        assertThat(distinct).as("stored for " + a.id).hasSize((int) (a.nextSeq - 1));
        acked += a.acked.size();
        total += rows.size();
      }

      List<Long> sorted = new ArrayList<>(recoveryMs);
      Collections.sort(sorted);
      long totalMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - testStart);
      System.out.printf(
          "event=database_faults_figures kills=%d recoveryMs=%s minMs=%d medianMs=%d maxMs=%d"
              + " peopleUnavailablePerKill=%s acknowledged=%d stored=%d lost=0 doubled=0"
              + " ingest503=%d totalMs=%d%n",
          KILLS,
          recoveryMs,
          sorted.get(0),
          (sorted.get(KILLS / 2 - 1) + sorted.get(KILLS / 2)) / 2,
          sorted.get(KILLS - 1),
          peopleUnavailable,
          acked,
          total,
          agents.stream().mapToLong(a -> a.unavailable).sum(),
          totalMs);
      assertThat(sorted.get(KILLS - 1)).isLessThan(RECOVERY_LIMIT.toMillis());
    } finally {
      for (LoadAgent a : agents) {
        a.stop = true;
      }
      app.after();
    }
  }

  /** What the prober saw during one outage. */
  private static final class Probe {
    int peopleUnavailable;
    int databaseDown;

    void people(Api.Response r) {
      assertThat(r.status()).as("a correct password: %s", r).isIn(200, 503);
      if (r.status() == 503) {
        peopleUnavailable++;
        assertThat(r.header("Retry-After")).as(r.toString()).isNotEmpty();
        assertThat(r.body().path("error").asText()).as(r.toString()).isEqualTo("unavailable");
      }
    }

    void health(HttpResponse<String> r) throws Exception {
      assertThat(r.statusCode()).as(r.body()).isIn(200, 503);
      if (r.statusCode() == 503) {
        assertThat(r.headers().firstValue("Retry-After")).isPresent();
        JsonNode checks = Api.JSON.readTree(r.body());
        JsonNode database = checks.path("database");
        if (!database.path("healthy").asBoolean(true)) {
          assertThat(database.path("message").asText()).contains("PostgreSQL unreachable");
          databaseDown++;
        }
      }
    }
  }

  /** An agent that reports continuously and resends what was not acknowledged, as the real one. */
  private static final class LoadAgent implements Runnable {
    final String id;
    final Api api;
    final TreeMap<Long, Instant> pending = new TreeMap<>();
    final Set<Long> acked = ConcurrentHashMap.newKeySet();
    final List<String> unexpected = new CopyOnWriteArrayList<>();
    long nextSeq = 1;
    long unavailable;
    volatile boolean stop;

    /** System.nanoTime() at which the last request that was answered 200 was sent. */
    volatile long lastOkSentAt;

    /** System.nanoTime() at which the last 503 arrived. */
    volatile long last503;

    LoadAgent(String id, Api api) {
      this.id = id;
      this.api = api;
    }

    @Override
    public void run() {
      while (!stop) {
        if (pending.size() < 200) {
          for (int i = 0; i < 2; i++) {
            pending.put(nextSeq++, Instant.now());
          }
        }
        send();
        sleep(50);
      }
    }

    void flush(Duration max) {
      long end = System.nanoTime() + max.toNanos();
      while (!pending.isEmpty() && System.nanoTime() < end) {
        send();
        sleep(50);
      }
    }

    private void send() {
      ObjectNode body =
          Api.object().put("protocolVersion", 1).put("sentAt", Instant.now().toString());
      ArrayNode obs = body.putArray("observations");
      pending.entrySet().stream()
          .limit(100)
          .forEach(e -> obs.add(TestApp.observation(e.getKey(), e.getValue(), "online")));
      long sentAt = System.nanoTime();
      Api.Response r;
      try {
        r = api.post("/api/v1/reports", body);
      } catch (RuntimeException e) {
        unexpected.add(e.toString());
        return;
      }
      if (r.status() == 200) {
        for (JsonNode seq : r.body().get("acknowledged")) {
          pending.remove(seq.asLong());
          acked.add(seq.asLong());
        }
        lastOkSentAt = sentAt;
      } else if (r.status() == 503 && !r.header("Retry-After").isEmpty()) {
        unavailable++;
        last503 = System.nanoTime();
      } else {
        unexpected.add(r.toString());
      }
    }

    private static void sleep(long ms) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static boolean allOkSince(List<LoadAgent> agents, long since) {
    return agents.stream().allMatch(a -> a.lastOkSentAt > since);
  }

  private static void awaitAllAgentsOk(List<LoadAgent> agents, long since, Duration max)
      throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    while (!allOkSince(agents, since)) {
      assertThat(System.nanoTime()).as("every agent uploading").isLessThan(end);
      Thread.sleep(20);
    }
  }

  private static void awaitHealthy(String health, Duration max) throws Exception {
    long end = System.nanoTime() + max.toNanos();
    while (HTTP.send(get(health), HttpResponse.BodyHandlers.ofString()).statusCode() != 200) {
      assertThat(System.nanoTime()).as("/healthcheck healthy again").isLessThan(end);
      Thread.sleep(100);
    }
  }

  private static HttpRequest get(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET().build();
  }

  /** Agent public id → every stored seq (duplicates included, to be counted). */
  private static Map<String, List<Long>> storedSeqs(EnlaceApplication application) {
    Map<String, List<Long>> out = new HashMap<>();
    application
        .jdbi()
        .useHandle(
            h ->
                h.createQuery(
                        "SELECT a.public_id::text AS agent, o.seq FROM observations o"
                            + " JOIN agents a ON a.id = o.agent_id")
                    .map((rs, ctx) -> Map.entry(rs.getString("agent"), rs.getLong("seq")))
                    .forEach(
                        e ->
                            out.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                                .add(e.getValue())));
    return out;
  }
}
