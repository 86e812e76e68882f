package org.enlace.server.db;

import java.sql.Types;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.AbstractArgumentFactory;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.config.ConfigRegistry;
import org.jdbi.v3.core.spi.JdbiPlugin;
import org.postgresql.PGConnection;

/**
 * Binds Java arrays as PostgreSQL arrays in the binary format. Jdbi's own array binding copies
 * every array into an {@code Object[]}, for which PgJDBC writes the text form: each number
 * printed and each string quoted and escaped, character by character, for the server to parse
 * back. On the ingest path that was about a tenth of the server's CPU (docs/performance.md,
 * run 9). Given the primitive array (or {@code String[]}) itself, PgJDBC sends its binary form.
 */
public final class BinaryArrays implements JdbiPlugin {
  @Override
  public void customizeJdbi(Jdbi jdbi) {
    jdbi.registerArgument(new AbstractArgumentFactory<long[]>(Types.ARRAY) {
      @Override
      protected Argument build(long[] value, ConfigRegistry config) {
        return array("int8", value);
      }
    });
    jdbi.registerArgument(new AbstractArgumentFactory<int[]>(Types.ARRAY) {
      @Override
      protected Argument build(int[] value, ConfigRegistry config) {
        return array("int4", value);
      }
    });
    jdbi.registerArgument(new AbstractArgumentFactory<float[]>(Types.ARRAY) {
      @Override
      protected Argument build(float[] value, ConfigRegistry config) {
        return array("float4", value);
      }
    });
    jdbi.registerArgument(new AbstractArgumentFactory<double[]>(Types.ARRAY) {
      @Override
      protected Argument build(double[] value, ConfigRegistry config) {
        return array("float8", value);
      }
    });
    jdbi.registerArgument(new AbstractArgumentFactory<Long[]>(Types.ARRAY) {
      @Override
      protected Argument build(Long[] value, ConfigRegistry config) {
        return array("int8", value);
      }
    });
    jdbi.registerArgument(new AbstractArgumentFactory<Double[]>(Types.ARRAY) {
      @Override
      protected Argument build(Double[] value, ConfigRegistry config) {
        return array("float8", value);
      }
    });
    jdbi.registerArgument(new AbstractArgumentFactory<String[]>(Types.ARRAY) {
      @Override
      protected Argument build(String[] value, ConfigRegistry config) {
        return array("text", value);
      }
    });
  }

  private static Argument array(String elementType, Object value) {
    // The pool hands out a proxy; PgJDBC's own connection takes primitive arrays.
    return (position, statement, ctx) -> statement.setArray(position,
        statement.getConnection().unwrap(PGConnection.class).createArrayOf(elementType, value));
  }
}
