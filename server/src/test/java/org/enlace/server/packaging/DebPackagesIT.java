package org.enlace.server.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Debian packages built by {@code mvn package} (this module's and the agent's): lintian finds
 * no error, and every systemd unit scores at most 2.0 in {@code systemd-analyze security} and
 * passes {@code systemd-analyze verify} (issue 16). Skipped where lintian or systemd-analyze is
 * missing; the boot test under a real systemd is ansible/tests'.
 */
class DebPackagesIT {
  static final Path SERVER_TARGET = Path.of("target");
  static final Path AGENT_TARGET = Path.of("../agent/target");
  static final Pattern EXPOSURE = Pattern.compile("Overall exposure level for \\S+: ([0-9.]+)");

  @Test
  void lintianFindsNoErrors() throws Exception {
    assumeTrue(onPath("lintian"), "lintian is not installed");
    for (Path deb : debs()) {
      Result r = exec(List.of("lintian", "--no-tag-display-limit", deb.toString()));
      List<String> errors = r.out().lines().filter(l -> l.startsWith("E: ")).toList();
      assertThat(errors).as(deb + "\n" + r.out()).isEmpty();
    }
  }

  @Test
  void unitsAreHardenedAndValid() throws Exception {
    assumeTrue(onPath("systemd-analyze"), "systemd-analyze is not installed");
    for (Path unit : units()) {
      if (unit.toString().endsWith(".service")) {
        Result r = exec(List.of("systemd-analyze", "security", "--offline=yes", unit.toString()));
        Matcher m = EXPOSURE.matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        assertThat(Double.parseDouble(m.group(1)))
            .as(unit + "\n" + r.out())
            .isLessThanOrEqualTo(2.0);
      }
      String text = Files.readString(unit, StandardCharsets.UTF_8);
      if (text.contains("[Service]")) {
        assertThat(text).as(unit.toString()).contains("SuccessExitStatus=143");
      }
    }
  }

  @Test
  void unitsPassSystemdVerifyInTheInstalledTree(@TempDir Path root) throws Exception {
    assumeTrue(
        onPath("systemd-analyze") && onPath("dpkg-deb"), "systemd-analyze or dpkg-deb missing");
    for (Path deb : debs()) {
      assertThat(exec(List.of("dpkg-deb", "-x", deb.toString(), root.toString())).code()).isZero();
    }
    // The host's own units (targets, sockets) beside the packages' ones, and /bin/sh.
    Path units = root.resolve("lib/systemd/system");
    for (String dir : List.of("/lib/systemd/system", "/usr/lib/systemd/system")) {
      Path d = Path.of(dir);
      if (Files.isDirectory(d)) {
        try (Stream<Path> s = Files.list(d)) {
          for (Path p : s.toList()) {
            Path target = units.resolve(p.getFileName().toString());
            if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS) && Files.isRegularFile(p)) {
              Files.copy(p, target);
            }
          }
        }
      }
    }
    Files.createDirectories(root.resolve("bin"));
    Files.copy(Path.of("/bin/sh"), root.resolve("bin/sh"));
    List<String> cmd = new ArrayList<>(List.of("systemd-analyze", "verify", "--root=" + root));
    for (String u :
        List.of(
            "enlace-server.service",
            "enlace-server-backup.service",
            "enlace-server-backup.timer",
            "enlace-agent.service")) {
      cmd.add(units.resolve(u).toString());
    }
    Result r = exec(cmd);
    assertThat(r.code()).as(r.out()).isZero();
    assertThat(r.out().strip()).as(r.out()).isEmpty();
  }

  /** Every package in target/ of both modules (more than one each after -Ddeb.version=...). */
  static List<Path> debs() throws IOException {
    List<Path> debs = new ArrayList<>();
    for (String prefix : List.of("enlace-server_", "enlace-agent_")) {
      Path dir = prefix.startsWith("enlace-server") ? SERVER_TARGET : AGENT_TARGET;
      try (Stream<Path> s = Files.list(dir)) {
        List<Path> found =
            s.filter(
                    p -> {
                      String n = p.getFileName().toString();
                      return n.startsWith(prefix) && n.endsWith(".deb");
                    })
                .toList();
        assertThat(found).as("mvn package builds " + prefix + "*.deb in " + dir).isNotEmpty();
        debs.addAll(found);
      }
    }
    return debs;
  }

  static List<Path> units() throws IOException {
    List<Path> units = new ArrayList<>();
    for (Path dir : List.of(Path.of("packaging"), Path.of("../agent/packaging"))) {
      try (Stream<Path> s = Files.list(dir)) {
        s.filter(
                p -> {
                  String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                  return n.endsWith(".service") || n.endsWith(".timer");
                })
            .forEach(units::add);
      }
    }
    assertThat(units).hasSize(4);
    return units;
  }

  static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":", -1)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  record Result(int code, String out) {}

  static Result exec(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    return new Result(p.exitValue(), out);
  }
}
