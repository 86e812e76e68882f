package org.enlace.server.db;

import java.lang.reflect.Type;
import java.sql.Types;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.argument.ArgumentFactory;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.generic.GenericTypes;
import org.jdbi.v3.core.spi.JdbiPlugin;
import org.postgresql.PGConnection;

/**
 * Binds Java arrays as PostgreSQL arrays in the binary format. Jdbi's own array binding copies
 * every array into an {@code Object[]}, for which PgJDBC writes the text form: each number printed
 * and each string quoted and escaped, character by character, for the server to parse back. On the
 * ingest path that was about a tenth of the server's CPU (docs/performance.md, run 9). Given the
 * primitive array (or {@code String[]}) itself, PgJDBC sends its binary form.
 */
public final class BinaryArrays implements JdbiPlugin {
  private static final Map<Class<?>, String> ELEMENT_TYPES =
      Map.of(
          long[].class,
          "int8",
          int[].class,
          "int4",
          float[].class,
          "float4",
          double[].class,
          "float8",
          Long[].class,
          "int8",
          Double[].class,
          "float8",
          String[].class,
          "text");

  @Override
  public void customizeJdbi(Jdbi jdbi) {
    jdbi.registerArgument(
        new ArgumentFactory.Preparable() {
          @Override
          public Optional<Function<Object, Argument>> prepare(Type type, ConfigRegistry config) {
            return Optional.ofNullable(ELEMENT_TYPES.get(GenericTypes.getErasedType(type)))
                .map(element -> value -> array(element, value));
          }
        });
  }

  private static Argument array(String elementType, Object value) {
    if (value == null) {
      return (position, statement, ctx) -> statement.setNull(position, Types.ARRAY);
    }
    // The pool hands out a proxy; PgJDBC's own connection takes primitive arrays.
    return (position, statement, ctx) ->
        statement.setArray(
            position,
            statement.getConnection().unwrap(PGConnection.class).createArrayOf(elementType, value));
  }
}
