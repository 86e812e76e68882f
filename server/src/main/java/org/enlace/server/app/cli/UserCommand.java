package org.enlace.server.app.cli;

import io.dropwizard.core.setup.Bootstrap;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;
import org.enlace.server.app.EnlaceConfiguration;
import org.enlace.server.auth.PasswordHasher;
import org.enlace.server.auth.Role;
import org.enlace.server.auth.UserDao;
import org.jdbi.v3.core.Jdbi;

/**
 * {@code enlace-server user add|passwd|remove NAME [--role it|administration] [--password-stdin]
 * [config.yml]} and {@code enlace-server user list [config.yml]}. Without {@code --password-stdin}
 * a random password is generated and printed once.
 */
public final class UserCommand extends OperatorCommand {
  public UserCommand() {
    super("user", "Manage people's accounts: list, add, passwd, remove");
  }

  @Override
  public void configure(Subparser subparser) {
    subparser.addArgument("action").choices("list", "add", "passwd", "remove").help("what to do");
    // Optional for argparse so that `user list config.yml` parses; required below for the rest.
    subparser
        .addArgument("username")
        .nargs("?")
        .help("lower-case user name, e.g. maria.perez (not for list)");
    subparser
        .addArgument("--role")
        .choices("it", "administration")
        .setDefault("administration")
        .help("for add: it (manages inventory) or administration (reads reports)");
    subparser
        .addArgument("--password-stdin")
        .action(Arguments.storeTrue())
        .help("read the password from standard input instead of generating one");
    super.configure(subparser);
  }

  /**
   * {@code user list config.yml}: with the user name optional, argparse takes the config file for a
   * user name, and Dropwizard would then load no config at all (the default data directory: the
   * wrong database). For list, a lone second word is the config file; for the others, so is one
   * that cannot be a user name (a path), which is then refused as a missing user name.
   */
  @Override
  public void run(Bootstrap<?> bootstrap, Namespace ns) throws Exception {
    String second = ns.getString("username");
    if (second != null
        && ns.getString("file") == null
        && ("list".equals(ns.getString("action"))
            || second.contains("/")
            || second.endsWith(".yml")
            || second.endsWith(".yaml"))) {
      Map<String, Object> attrs = new HashMap<>(ns.getAttrs());
      attrs.put("file", ns.getString("username"));
      attrs.remove("username");
      ns = new Namespace(attrs);
    }
    super.run(bootstrap, ns);
  }

  @Override
  protected void run(
      Bootstrap<EnlaceConfiguration> bootstrap, Namespace ns, EnlaceConfiguration config)
      throws Exception {
    String action = ns.getString("action");
    if (action.equals("list")) {
      try (CliDatabase db = CliDatabase.open(bootstrap, config)) {
        System.out.print(table(db.jdbi().onDemand(UserDao.class).list(), config.zone()));
      }
      return;
    }
    String username = ns.getString("username");
    if (username == null) {
      throw new IllegalArgumentException("user " + action + " needs a user name");
    }
    if (!username.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
      throw new IllegalArgumentException(
          "user names are 1-64 lower-case letters, digits, '.', "
              + "'_' or '-', starting with a letter or digit: '"
              + username
              + "' is not one");
    }
    PasswordHasher hasher = new PasswordHasher();
    try (CliDatabase db = CliDatabase.open(bootstrap, config)) {
      Jdbi jdbi = db.jdbi();
      UserDao users = jdbi.onDemand(UserDao.class);
      switch (action) {
        case "add" -> {
          if (users.find(username).isPresent()) {
            throw new IllegalArgumentException("user '" + username + "' already exists");
          }
          String password = password(ns);
          users.insert(username, hasher.hash(password), Role.parse(ns.getString("role")).wire());
          report("Added " + username + " (" + ns.getString("role") + ")", ns, password);
        }
        case "passwd" -> {
          String password = password(ns);
          if (users.updatePassword(username, hasher.hash(password)) == 0) {
            throw new IllegalArgumentException("no user '" + username + "'");
          }
          report("Changed the password of " + username, ns, password);
        }
        case "remove" -> {
          if (users.delete(username) == 0) {
            throw new IllegalArgumentException("no user '" + username + "'");
          }
          System.out.println("Removed " + username);
        }
        default -> throw new IllegalArgumentException(action);
      }
    }
  }

  /**
   * One line per user, tab-separated under a header, so that it reads in a terminal and cuts with
   * {@code cut -f}. Times in the municipality's zone. The model has no disabled or locked state: a
   * user who must not sign in is removed.
   */
  static String table(List<UserDao.Listed> users, ZoneId zone) {
    DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm xxx").withZone(zone);
    StringBuilder out = new StringBuilder("USER\tROLE\tCREATED\tPASSWORD CHANGED\n");
    for (UserDao.Listed u : users) {
      out.append(u.username())
          .append('\t')
          .append(u.role())
          .append('\t')
          .append(f.format(u.createdAt()))
          .append('\t')
          .append(f.format(u.updatedAt()))
          .append('\n');
    }
    out.append(users.size()).append(users.size() == 1 ? " user\n" : " users\n");
    return out.toString();
  }

  private static String password(Namespace ns) throws Exception {
    if (!ns.getBoolean("password_stdin")) {
      return PasswordHasher.randomPassword();
    }
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line = in.readLine();
    if (line == null || line.length() < 10) {
      throw new IllegalArgumentException("the password must have at least 10 characters");
    }
    return line;
  }

  private static void report(String what, Namespace ns, String password) {
    System.out.println(what);
    if (!ns.getBoolean("password_stdin")) {
      System.out.println("Password (shown once): " + password);
    }
  }
}
