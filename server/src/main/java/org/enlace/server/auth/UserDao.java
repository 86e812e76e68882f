package org.enlace.server.auth;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterConstructorMapper(UserDao.StoredUser.class)
@RegisterConstructorMapper(UserDao.Listed.class)
public interface UserDao {
  record StoredUser(String username, String passwordHash, String role) {}

  /** A user as {@code user list} shows it: no password hash. */
  record Listed(String username, String role, Instant createdAt, Instant updatedAt) {}

  @SqlQuery("SELECT username, role, created_at, updated_at FROM users ORDER BY username")
  List<Listed> list();

  @SqlQuery("SELECT username, password_hash, role FROM users WHERE username = :username")
  Optional<StoredUser> find(String username);

  @SqlQuery("SELECT count(*) FROM users")
  long count();

  @SqlUpdate("INSERT INTO users (username, password_hash, role) VALUES (:username, :hash, :role)")
  void insert(String username, String hash, String role);

  @SqlUpdate(
      "UPDATE users SET password_hash = :hash, updated_at = now() WHERE username = :username")
  int updatePassword(String username, String hash);

  @SqlUpdate("DELETE FROM users WHERE username = :username")
  int delete(String username);
}
