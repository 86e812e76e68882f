package org.enlace.server.db;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.dropwizard.db.DataSourceFactory;
import io.dropwizard.util.Duration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hibernate.validator.constraints.Range;

/**
 * Where the data lives. With no {@code url} the server runs its own embedded PostgreSQL under the
 * data directory; with a {@code url} it uses that external server.
 */
public class DatabaseConfig {
  // config.yml writes these as ${ENLACE_DB_URL:-}: an unset variable leaves "url:" with no value,
  // which YAML reads as null; it means the same as the default, empty.
  @JsonProperty
  @JsonSetter(nulls = Nulls.AS_EMPTY)
  private String url = "";

  @JsonProperty
  @JsonSetter(nulls = Nulls.AS_EMPTY)
  private String user = "enlace";

  @JsonProperty
  @JsonSetter(nulls = Nulls.AS_EMPTY)
  private String password = "";

  @Range(min = 2, max = 500)
  @JsonProperty
  private int maxPoolSize = 32;

  @NotNull @JsonProperty private Map<String, String> properties = new LinkedHashMap<>();

  /**
   * What sits between Enlace and PostgreSQL: {@code none}, or {@code transaction} for a pooler that
   * hands each transaction to any server connection (PgBouncer's {@code pool_mode = transaction}).
   */
  @NotNull
  @Pattern(regexp = "none|transaction", message = "must be none or transaction")
  @JsonProperty
  private String pooler = "none";

  @Valid @NotNull @JsonProperty private Embedded embedded = new Embedded();

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isExternal() {
    return url != null && !url.isBlank();
  }

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
  }

  public String getUser() {
    return user;
  }

  public String getPassword() {
    return password;
  }

  public String getPooler() {
    return pooler;
  }

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isTransactionPooler() {
    return "transaction".equals(pooler);
  }

  public int getMaxPoolSize() {
    return maxPoolSize;
  }

  public Embedded getEmbedded() {
    return embedded;
  }

  /** A pool factory for the given (external or embedded) server. */
  public DataSourceFactory dataSource(String jdbcUrl, String jdbcUser, String jdbcPassword) {
    DataSourceFactory f = new DataSourceFactory();
    f.setDriverClass("org.postgresql.Driver");
    f.setUrl(jdbcUrl);
    f.setUser(jdbcUser);
    f.setPassword(jdbcPassword);
    f.setMinSize(2);
    f.setInitialSize(2);
    f.setMaxSize(maxPoolSize);
    // When the database restarts (a crash, a restart of an external server) every pooled
    // connection dies with it. A connection is checked when it is borrowed if it was last checked
    // more than a second ago (the pool's default is 30 s, which handed out dead connections for
    // half a minute after the database came back), so dead ones are replaced by new ones within a
    // second, and no restart of Enlace is needed.
    f.setValidationQuery("/* enlace health */ SELECT 1");
    f.setCheckConnectionOnBorrow(true);
    f.setCheckConnectionWhileIdle(true);
    f.setValidationInterval(Duration.seconds(1));
    f.setValidationQueryTimeout(Duration.seconds(3));
    // While the database is away a request fails fast (503) instead of holding its thread.
    f.setMaxWaitForConnection(Duration.seconds(5));
    Map<String, String> props = new LinkedHashMap<>();
    props.put("ApplicationName", "enlace-server");
    props.put("reWriteBatchedInserts", "true");
    // pgjdbc waits 10 s to connect and without limit to log in: bounded here so that a database
    // host that does not answer costs a request seconds, not minutes. Keep-alives let the kernel
    // notice a connection whose server vanished without closing it.
    props.put("connectTimeout", "5");
    props.put("loginTimeout", "10");
    props.put("tcpKeepAlive", "true");
    if (isTransactionPooler()) {
      // A named server-side statement lives on one server connection; the pooler's next
      // transaction may run on another ("prepared statement S_3 already exists"). Unnamed ones are
      // parsed again each time, which is what a transaction pooler needs.
      props.put("prepareThreshold", "0");
    }
    props.putAll(properties);
    f.setProperties(props);
    return f;
  }

  public DataSourceFactory externalDataSource() {
    return dataSource(url, user, password);
  }

  /** Settings of the embedded server; ignored when {@code url} is set. */
  public static class Embedded {
    /** 0 picks a free port at each start. */
    @Range(min = 0, max = 65535)
    @JsonProperty
    private int port = 0;

    /** PostgreSQL refuses to run as root; when Enlace does, its PostgreSQL runs as this account. */
    @NotNull @JsonProperty private String runAsUser = "nobody";

    public int getPort() {
      return port;
    }

    public String getRunAsUser() {
      return runAsUser;
    }
  }
}
