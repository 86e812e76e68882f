package org.enlace.server.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.sql.SQLException;
import org.apache.tomcat.jdbc.pool.PoolExhaustedException;
import org.jdbi.v3.core.ConnectionException;
import org.junit.jupiter.api.Test;

/** Which database errors mean "unavailable, try again later" (503) and which do not. */
class DatabaseOutageTest {
  @Test
  void connectionLossShutdownStartupAndExhaustedResourcesAreOutages() {
    for (String state :
        new String[] {
          "08001", "08003", "08006", "57P01", "57P02", "57P03", "53100", "53200", "53300"
        }) {
      assertThat(DatabaseOutage.isOutage(new SQLException("x", state))).as(state).isTrue();
    }
    assertThat(DatabaseOutage.isOutage(new ConnectionException(new SQLException("refused"))))
        .isTrue();
    assertThat(DatabaseOutage.isOutage(new PoolExhaustedException("timeout"))).isTrue();
    assertThat(
            DatabaseOutage.isOutage(
                new RuntimeException(new SQLException("wrapped", new ConnectException("refused")))))
        .isTrue();
    SQLException batch = new SQLException("batch entry failed", "22000");
    batch.setNextException(new SQLException("I/O error", "08006"));
    assertThat(DatabaseOutage.isOutage(batch)).isTrue();
  }

  @Test
  void whatTheRequestOrTheServerGotWrongIsNot() {
    for (String state :
        new String[] {"23505", "22021", "22003", "40P01", "40001", "57014", "XX000", "42P01"}) {
      assertThat(DatabaseOutage.isOutage(new SQLException("x", state))).as(state).isFalse();
    }
    assertThat(DatabaseOutage.isOutage(new SQLException("no state"))).isFalse();
    assertThat(DatabaseOutage.isOutage(new IllegalStateException("bug"))).isFalse();
  }

  @Test
  void describesTheCauseNotTheWrapper() {
    RuntimeException e =
        new RuntimeException(
            "statement and its arguments", new SQLException("Connection refused", "08001"));
    assertThat(DatabaseOutage.describe(e)).isEqualTo("Connection refused");
  }

  @Test
  void aCauseCycleEnds() {
    SQLException a = new SQLException("a", "22000");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    assertThat(DatabaseOutage.isOutage(b)).isFalse();
  }
}
