package org.enlace.server.snmp;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.DurationRange;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hibernate.validator.constraints.Range;

/** The {@code snmp:} section of the server configuration. */
public class SnmpConfig {
  /** Polling on or off; the device inventory API works either way. */
  @JsonProperty private boolean enabled = true;

  // One second at the least, as Zabbix allows: a lab or a test rig polls that often, but small
  // routers answer SNMP on a slow CPU, so a town's want 60 s. Past 30 minutes a 32-bit counter of
  // a busy link can wrap more than once between readings.
  @NotNull
  @DurationRange(
      min = 1,
      max = 1_800,
      unit = TimeUnit.SECONDS,
      message = "must be between 1 second and 30 minutes")
  @JsonProperty
  private Duration interval = Duration.seconds(60);

  /** Per request; SNMP4J retries {@code retries} times after it. */
  @NotNull
  @DurationRange(
      min = 100,
      max = 30_000,
      unit = TimeUnit.MILLISECONDS,
      message = "must be between 100 milliseconds and 30 seconds")
  @JsonProperty
  private Duration timeout = Duration.seconds(2);

  @Range(min = 0, max = 5)
  @JsonProperty
  private int retries = 1;

  /** Device polls in flight at once, so a cycle's burst does not overflow UDP buffers. */
  @Range(min = 1, max = 10_000)
  @JsonProperty
  private int maxConcurrentPolls = 256;

  /** Variable bindings per GET; routers refuse (tooBig) or drop large PDUs. */
  @Range(min = 2, max = 200)
  @JsonProperty
  private int maxVarbindsPerRequest = 40;

  /** max-repetitions of the GETBULK walks that find interfaces by name. */
  @Range(min = 1, max = 200)
  @JsonProperty
  private int bulkRepetitions = 25;

  /**
   * A poll interval longer than this is stored as a gap (missed_polls): an average over it would
   * hide outages and bias the 95th percentile.
   */
  @NotNull
  @DurationRange(
      min = 1,
      max = 120,
      unit = TimeUnit.MINUTES,
      message = "must be between 1 minute and 2 hours")
  @JsonProperty
  private Duration maxSampleInterval = Duration.minutes(5);

  /** Month partitions of link_samples older than this are dropped. */
  // As rollups.rawRetention: at 31 days or more last month's samples are always still there.
  @NotNull
  @DurationRange(
      min = 31,
      max = 3_650,
      unit = TimeUnit.DAYS,
      message = "must be between 31 days and 3650 days")
  @JsonProperty
  private Duration sampleRetention = Duration.days(400);

  /**
   * Keys for the stored SNMP credentials: id → base64 of 32 random bytes. The one named by {@code
   * activeCredentialKey} encrypts; every listed key decrypts (see docs/routers.md for rotation).
   * Empty: a key is generated once into {@code <dataDir>/snmp-credentials.key}.
   */
  @NotNull @JsonProperty private Map<String, String> credentialKeys = new LinkedHashMap<>();

  @JsonProperty private String activeCredentialKey = "";

  /**
   * A file holding one key (base64 of 32 bytes, as {@code <dataDir>/snmp-credentials.key} does),
   * read under the id {@code local}: the first server's generated key, copied to every replica. It
   * must exist; it is never generated. Empty: not used.
   */
  @JsonProperty
  @JsonSetter(nulls = Nulls.AS_EMPTY)
  private String credentialKeyFile = "";

  @Valid @NotNull @JsonProperty private Traps traps = new Traps();

  /** linkDown/linkUp notifications, so a link going down is known before the next poll. */
  public static class Traps {
    @JsonProperty private boolean enabled = false;
    @JsonProperty private String bindAddress = "0.0.0.0";

    @Range(min = 1, max = 65535)
    @JsonProperty
    private int port = 1162;

    public boolean isEnabled() {
      return enabled;
    }

    public Traps setEnabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    public String getBindAddress() {
      return bindAddress;
    }

    public Traps setBindAddress(String bindAddress) {
      this.bindAddress = bindAddress;
      return this;
    }

    public int getPort() {
      return port;
    }

    public Traps setPort(int port) {
      this.port = port;
      return this;
    }
  }

  /** A dead router's tries must end before its next poll is due. */
  @JsonIgnore
  @ValidationMethod(message = "timeout × (retries + 1) must be shorter than interval")
  public boolean isPollShorterThanInterval() {
    return timeout == null
        || interval == null
        || timeout.toNanoseconds() * (retries + 1) < interval.toNanoseconds();
  }

  /** With a maximum at or under the interval, every reading would be stored as a gap. */
  @JsonIgnore
  @ValidationMethod(message = "maxSampleInterval must be longer than interval")
  public boolean isMaxSampleIntervalLongerThanInterval() {
    return maxSampleInterval == null
        || interval == null
        || maxSampleInterval.toNanoseconds() > interval.toNanoseconds();
  }

  public boolean isEnabled() {
    return enabled;
  }

  public SnmpConfig setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  public Duration getInterval() {
    return interval;
  }

  public SnmpConfig setInterval(Duration interval) {
    this.interval = interval;
    return this;
  }

  public Duration getTimeout() {
    return timeout;
  }

  public SnmpConfig setTimeout(Duration timeout) {
    this.timeout = timeout;
    return this;
  }

  public int getRetries() {
    return retries;
  }

  public SnmpConfig setRetries(int retries) {
    this.retries = retries;
    return this;
  }

  public int getMaxConcurrentPolls() {
    return maxConcurrentPolls;
  }

  public SnmpConfig setMaxConcurrentPolls(int maxConcurrentPolls) {
    this.maxConcurrentPolls = maxConcurrentPolls;
    return this;
  }

  public int getMaxVarbindsPerRequest() {
    return maxVarbindsPerRequest;
  }

  public int getBulkRepetitions() {
    return bulkRepetitions;
  }

  public Duration getMaxSampleInterval() {
    return maxSampleInterval;
  }

  public SnmpConfig setMaxSampleInterval(Duration maxSampleInterval) {
    this.maxSampleInterval = maxSampleInterval;
    return this;
  }

  public Duration getSampleRetention() {
    return sampleRetention;
  }

  public Map<String, String> getCredentialKeys() {
    return credentialKeys;
  }

  public SnmpConfig setCredentialKeys(Map<String, String> credentialKeys) {
    this.credentialKeys = credentialKeys;
    return this;
  }

  public String getActiveCredentialKey() {
    return activeCredentialKey;
  }

  public SnmpConfig setActiveCredentialKey(String activeCredentialKey) {
    this.activeCredentialKey = activeCredentialKey;
    return this;
  }

  public String getCredentialKeyFile() {
    return credentialKeyFile;
  }

  public SnmpConfig setCredentialKeyFile(String credentialKeyFile) {
    this.credentialKeyFile = credentialKeyFile;
    return this;
  }

  /** Whether the operator named the keys, rather than leaving one to be generated per server. */
  @JsonIgnore
  public boolean hasConfiguredKeys() {
    return !credentialKeys.isEmpty() || !credentialKeyFile.isBlank();
  }

  public Traps getTraps() {
    return traps;
  }
}
