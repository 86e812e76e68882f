package org.enlace.server.snmp;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code snmp:} section of the server configuration. */
public class SnmpConfig {
  /** Polling on or off; the device inventory API works either way. */
  @JsonProperty private boolean enabled = true;

  @NotNull @JsonProperty private Duration interval = Duration.seconds(60);

  /** Per request; SNMP4J retries {@code retries} times after it. */
  @NotNull @JsonProperty private Duration timeout = Duration.seconds(2);

  @Min(0)
  @Max(5)
  @JsonProperty
  private int retries = 1;

  /** Device polls in flight at once, so a cycle's burst does not overflow UDP buffers. */
  @Min(1)
  @Max(10_000)
  @JsonProperty
  private int maxConcurrentPolls = 256;

  /** Variable bindings per GET; routers refuse (tooBig) or drop large PDUs. */
  @Min(2)
  @Max(200)
  @JsonProperty
  private int maxVarbindsPerRequest = 40;

  /** max-repetitions of the GETBULK walks that find interfaces by name. */
  @Min(1)
  @Max(200)
  @JsonProperty
  private int bulkRepetitions = 25;

  /**
   * A poll interval longer than this is stored as a gap (missed_polls): an average over it would
   * hide outages and bias the 95th percentile.
   */
  @NotNull @JsonProperty private Duration maxSampleInterval = Duration.minutes(5);

  /** Month partitions of link_samples older than this are dropped. */
  @NotNull @JsonProperty private Duration sampleRetention = Duration.days(400);

  /**
   * Keys for the stored SNMP credentials: id → base64 of 32 random bytes. The one named by {@code
   * activeCredentialKey} encrypts; every listed key decrypts (see docs/routers.md for rotation).
   * Empty: a key is generated once into {@code <dataDir>/snmp-credentials.key}.
   */
  @NotNull @JsonProperty private Map<String, String> credentialKeys = new LinkedHashMap<>();

  @JsonProperty private String activeCredentialKey = "";

  @Valid @NotNull @JsonProperty private Traps traps = new Traps();

  /** linkDown/linkUp notifications, so a link going down is known before the next poll. */
  public static class Traps {
    @JsonProperty private boolean enabled = false;
    @JsonProperty private String bindAddress = "0.0.0.0";

    @Min(1)
    @Max(65535)
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

  public Traps getTraps() {
    return traps;
  }
}
