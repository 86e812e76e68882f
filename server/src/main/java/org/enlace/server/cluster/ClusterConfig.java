package org.enlace.server.cluster;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.util.Duration;
import io.dropwizard.validation.DurationRange;
import io.dropwizard.validation.ValidationMethod;
import jakarta.validation.constraints.NotNull;
import java.util.concurrent.TimeUnit;

/**
 * The {@code cluster:} section: how replicas on one database see each other. The defaults suit one
 * replica as well as several, so a single server needs none of it (docs/operations.md, "Varias
 * réplicas / Several replicas").
 */
public class ClusterConfig {
  /** How often a replica renews its row and its leases, and re-reads who else is alive. */
  @NotNull
  @DurationRange(
      min = 100,
      max = 60_000,
      unit = TimeUnit.MILLISECONDS,
      message = "must be between 100 milliseconds and 1 minute")
  @JsonProperty
  private Duration heartbeat = Duration.seconds(5);

  /**
   * How long a replica's row and its leases last without a heartbeat: a replica silent this long is
   * dead, and its singleton jobs and routers move to the others.
   */
  @NotNull
  @DurationRange(
      min = 300,
      max = 600_000,
      unit = TimeUnit.MILLISECONDS,
      message = "must be between 300 milliseconds and 10 minutes")
  @JsonProperty
  private Duration leaseDuration = Duration.seconds(15);

  /** A lease renewed less than twice per duration would lapse on one slow heartbeat. */
  @JsonIgnore
  @ValidationMethod(message = "cluster.leaseDuration must be at least twice cluster.heartbeat")
  public boolean isLeaseLongerThanTwoHeartbeats() {
    return heartbeat == null
        || leaseDuration == null
        || leaseDuration.toNanoseconds() >= 2 * heartbeat.toNanoseconds();
  }

  public Duration getHeartbeat() {
    return heartbeat;
  }

  public ClusterConfig setHeartbeat(Duration heartbeat) {
    this.heartbeat = heartbeat;
    return this;
  }

  public Duration getLeaseDuration() {
    return leaseDuration;
  }

  public ClusterConfig setLeaseDuration(Duration leaseDuration) {
    this.leaseDuration = leaseDuration;
    return this;
  }
}
