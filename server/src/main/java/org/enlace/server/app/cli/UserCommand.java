package org.enlace.server.app.cli;

import io.dropwizard.core.cli.ConfiguredCommand;
import io.dropwizard.core.setup.Bootstrap;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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
 * [config.yml]}. Without {@code --password-stdin} a random password is generated and printed once.
 */
public final class UserCommand extends ConfiguredCommand<EnlaceConfiguration> {
  public UserCommand() {
    super("user", "Manage people's accounts: add, passwd, remove");
  }

  @Override
  public void configure(Subparser subparser) {
    subparser.addArgument("action").choices("add", "passwd", "remove").help("what to do");
    subparser.addArgument("username").help("lower-case user name, e.g. maria.perez");
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

  @Override
  protected void run(
      Bootstrap<EnlaceConfiguration> bootstrap, Namespace ns, EnlaceConfiguration config)
      throws Exception {
    String action = ns.getString("action");
    String username = ns.getString("username");
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

  /** A refused request is a sentence for the operator, never a stack trace. */
  @Override
  public void onError(io.dropwizard.core.cli.Cli cli, Namespace namespace, Throwable e) {
    if (e instanceof IllegalArgumentException) {
      cli.getStdErr().println(e.getMessage());
    } else {
      super.onError(cli, namespace, e);
    }
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
