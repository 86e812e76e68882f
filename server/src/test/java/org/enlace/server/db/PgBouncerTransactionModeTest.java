package org.enlace.server.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dropwizard.testing.ConfigOverride;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.enlace.server.testing.ConfigOverrides;
import org.enlace.server.testing.TempDirs;
import org.enlace.server.testing.TestApp;
import org.enlace.server.testing.TestPostgres;
import org.enlace.server.testing.Waits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The server through a real PgBouncer (Debian's package) in transaction mode, in front of the
 * tests' PostgreSQL: with {@code database.pooler: transaction} every report is stored (issue 19 saw
 * 26 of 60 answered 503, "prepared statement S_3 already exists", without it).
 */
@ExtendWith(ConfigOverrides.class)
class PgBouncerTransactionModeTest {
  private static final Path PGBOUNCER = Path.of("/usr/sbin/pgbouncer");

  private static boolean listening(int port) {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(
          new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @Test
  void reportsThroughATransactionPoolerAreAllStored() throws Exception {
    assumeTrue(Files.isExecutable(PGBOUNCER), "Debian package pgbouncer not installed");
    String direct = TestPostgres.newDatabase();
    URI u = URI.create(direct.substring("jdbc:".length()));
    String database = u.getPath().substring(1);
    Path dir = TempDirs.create("enlace-pgbouncer-");
    int port = Waits.freePort();
    Files.writeString(
        dir.resolve("userlist.txt"),
        "\"" + TestPostgres.user() + "\" \"" + TestPostgres.password() + "\"\n",
        StandardCharsets.UTF_8);
    Files.writeString(
        dir.resolve("pgbouncer.ini"),
        String.join(
            "\n",
            "[databases]",
            database + " = host=127.0.0.1 port=" + u.getPort() + " dbname=" + database,
            "[pgbouncer]",
            "listen_addr = 127.0.0.1",
            "listen_port = " + port,
            "unix_socket_dir =",
            "auth_type = plain",
            "auth_file = " + dir.resolve("userlist.txt"),
            "pool_mode = transaction",
            "default_pool_size = 4",
            "max_client_conn = 500",
            "ignore_startup_parameters = extra_float_digits",
            "logfile = " + dir.resolve("pgbouncer.log"),
            ""),
        StandardCharsets.UTF_8);
    boolean root = "root".equals(System.getProperty("user.name"));
    List<String> cmd = new ArrayList<>();
    if (root) { // PgBouncer refuses to run as root
      assertThat(new ProcessBuilder("chown", "-R", "nobody", dir.toString()).start().waitFor())
          .isZero();
      cmd.addAll(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
    }
    cmd.addAll(List.of(PGBOUNCER.toString(), dir.resolve("pgbouncer.ini").toString()));
    Process bouncer =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("out").toFile())
            .start();
    try {
      Waits.await("pgbouncer listening", java.time.Duration.ofSeconds(10), () -> listening(port));
      TestApp app =
          TestApp.external(
              "jdbc:postgresql://127.0.0.1:" + port + "/" + database,
              TestPostgres.user(),
              TestPostgres.password(),
              TempDirs.create("enlace-pooled-"),
              ConfigOverride.config("database.pooler", "transaction"));
      app.extension().before();
      try {
        String code = app.establishment("PGB-1", "administration");
        List<TestApp.Agent> agents = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          agents.add(app.enroll(code));
        }
        List<CompletableFuture<Integer>> sent = new ArrayList<>();
        for (int r = 0; r < 10; r++) {
          for (TestApp.Agent a : agents) {
            long seq = r + 1L;
            sent.add(CompletableFuture.supplyAsync(() -> a.report(TestApp.report(seq)).status()));
          }
        }
        List<Integer> statuses = new ArrayList<>();
        for (CompletableFuture<Integer> f : sent) {
          statuses.add(f.get(60, TimeUnit.SECONDS));
        }
        assertThat(statuses).hasSize(60).containsOnly(200);
        assertThat(app.count("SELECT count(*) FROM observations")).isEqualTo(60);
      } finally {
        app.extension().after();
      }
    } finally {
      bouncer.destroy();
      bouncer.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
