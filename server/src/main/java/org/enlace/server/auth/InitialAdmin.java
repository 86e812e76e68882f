package org.enlace.server.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** On a first start with no users, creates {@code admin} (role it) with a random password. */
public final class InitialAdmin {
  private static final Logger LOG = LoggerFactory.getLogger(InitialAdmin.class);
  public static final String FILE_NAME = "initial-admin-password";

  private InitialAdmin() {}

  /** Returns the password when this call created the account. */
  public static Optional<String> ensure(Jdbi jdbi, PasswordHasher hasher, Path dataDir)
      throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    String password = PasswordHasher.randomPassword();
    String hash = hasher.hash(password);
    boolean created =
        jdbi.inTransaction(
            h -> {
              // Serialises concurrent first starts against one external database.
              h.execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE");
              UserDao dao = h.attach(UserDao.class);
              if (dao.count() > 0) {
                return false;
              }
              dao.insert("admin", hash, Role.IT.wire());
              return true;
            });
    if (!created) {
      return Optional.empty();
    }
    Files.createDirectories(dataDir);
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, password + "\n", StandardCharsets.UTF_8);
    // The password goes to the file only: logs are kept longer and read more widely.
    LOG.warn(
        "event=initial_admin_created username=admin file={} "
            + "hint=\"read the password from the file, then change it with: "
            + "enlace-server user passwd admin\"",
        file);
    return Optional.of(password);
  }
}
