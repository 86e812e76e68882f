package org.enlace.server.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.enlace.server.auth.PasswordHasher;
import org.enlace.server.auth.UserDao;
import org.enlace.server.testing.TestJdbi;
import org.enlace.server.testing.TestPostgres;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** The operator's commands, run as `java -jar enlace-server.jar ...` would run them. */
class CommandsTest {
  @Test
  void dbMigrateOnAnEmptyDatabase() throws Exception {
    String url = TestPostgres.newDatabase();
    CommandRunner cli = new CommandRunner(url, TestPostgres.worldTraversableTempDir("cli-"));
    long shipped;
    try (var files = Files.list(Path.of("src/main/resources/db/migration"))) {
      shipped = files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql")).count();
    }
    assertThat(cli.run("db", "migrate")).contains("Applied " + shipped + " migration(s)");
    assertThat(cli.run("db", "migrate")).contains("Applied 0 migration(s)");
    // The rollup tools run against the same database; with no raw data there is nothing to do.
    assertThat(cli.run("rollups", "rebuild", "--from", "2026-01-01", "--to", "2026-01-31"))
        .contains("Rebuilt 0 day(s)");
    assertThat(cli.run("rollups", "expire")).contains("dropped 0 monthly partition(s)");
  }

  @Test
  void userAddPasswdRemove() throws Exception {
    Jdbi jdbi = TestJdbi.migrated();
    String url = jdbi.withHandle(h -> h.getConnection().getMetaData().getURL());
    Path dataDir = TestPostgres.worldTraversableTempDir("cli-");
    CommandRunner cli = new CommandRunner(url, dataDir);
    String added = cli.run("user", "add", "maria.perez", "--role", "it");
    assertThat(added).contains("Added maria.perez (it)");
    String password =
        added
            .lines()
            .filter(l -> l.startsWith("Password (shown once): "))
            .findFirst()
            .orElseThrow()
            .substring("Password (shown once): ".length());
    UserDao users = jdbi.onDemand(UserDao.class);
    PasswordHasher hasher = new PasswordHasher();
    assertThat(hasher.matches(password, users.find("maria.perez").orElseThrow().passwordHash()))
        .isTrue();
    assertThat(users.find("maria.perez").orElseThrow().role()).isEqualTo("it");
    assertThat(users.find("maria.perez").orElseThrow().passwordHash()).startsWith("$argon2id$");

    assertThatThrownBy(() -> cli.run("user", "add", "maria.perez"))
        .hasMessageContaining("already exists");
    String changed = cli.run("user", "passwd", "maria.perez");
    String newPassword =
        changed
            .lines()
            .filter(l -> l.startsWith("Password"))
            .findFirst()
            .orElseThrow()
            .substring("Password (shown once): ".length());
    assertThat(hasher.matches(newPassword, users.find("maria.perez").orElseThrow().passwordHash()))
        .isTrue();
    assertThat(cli.run("user", "remove", "maria.perez")).contains("Removed");
    assertThat(users.find("maria.perez")).isEmpty();
    assertThatThrownBy(() -> cli.run("user", "remove", "maria.perez"))
        .hasMessageContaining("no user");
  }

  @Test
  void userListShowsNamesRolesAndDatesButNoSecrets() throws Exception {
    Jdbi jdbi = TestJdbi.migrated();
    String url = jdbi.withHandle(h -> h.getConnection().getMetaData().getURL());
    CommandRunner cli = new CommandRunner(url, TestPostgres.worldTraversableTempDir("cli-"));
    assertThat(cli.run("user", "list"))
        .isEqualTo("USER\tROLE\tCREATED\tPASSWORD CHANGED\n0 users\n");
    cli.run("user", "add", "maria.perez", "--role", "it");
    cli.run("user", "add", "jose.diaz");
    String listed = cli.run("user", "list");
    List<String> lines = listed.lines().toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).isEqualTo("USER\tROLE\tCREATED\tPASSWORD CHANGED");
    assertThat(lines.get(1))
        .matches("jose\\.diaz\tadministration\t\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d -05:00\t.*");
    assertThat(lines.get(2)).startsWith("maria.perez\tit\t");
    assertThat(lines.get(3)).isEqualTo("2 users");
    assertThat(listed).doesNotContain("$argon2");
    assertThatThrownBy(() -> cli.run("user", "add"))
        .hasMessageContaining("user add needs a user name");
  }

  /**
   * Run from the wrong folder (its ./enlace-data is not the server's), a command used to create a
   * new empty database there and report success. Now every command but server and restore refuses
   * in one sentence naming where it looked, and creates nothing.
   */
  @Test
  void aCommandRunFromTheWrongFolderCreatesNoDatabase() throws Exception {
    Path empty = TestPostgres.worldTraversableTempDir("cli-wrong-folder-");
    CommandRunner cli = new CommandRunner("", empty);
    for (String[] command :
        List.of(
            new String[] {"user", "add", "maria.perez"},
            new String[] {"user", "list"},
            new String[] {"db", "migrate"},
            new String[] {"rollups", "expire"},
            new String[] {"snmp", "rekey"},
            new String[] {"backup", empty.resolve("x.backup").toString()})) {
      assertThatThrownBy(() -> cli.run(command))
          .as(String.join(" ", command))
          .hasMessageContaining("No Enlace database in " + empty.toAbsolutePath())
          .hasMessageContaining("ENLACE_DATA_DIR")
          .hasMessageNotContaining("Exception");
    }
    try (var files = Files.list(empty)) {
      assertThat(files).isEmpty();
    }
  }
}
