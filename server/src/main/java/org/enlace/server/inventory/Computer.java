package org.enlace.server.inventory;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/** A computer with an enrolled agent, its facts and what it last reported. */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record Computer(
    long id,
    String establishment,
    String hostname,
    String machineId,
    boolean machineIdTrusted,
    String os,
    String osVersion,
    Optional<Integer> cpuCount,
    Optional<Long> ramMb,
    String agentVersion,
    String role,
    String state,
    String flag,
    Instant enrolledAt,
    Optional<Instant> decommissionedAt,
    Optional<Instant> lastSeenAt,
    Optional<Instant> lastObservedAt,
    Optional<String> lastStatus,
    Optional<String> lastReason,
    Optional<Long> clockOffsetMs,
    long queueDroppedTotal,
    Optional<Long> queueDepth,
    Optional<Instant> queueOldestAt,
    Optional<Instant> queueReportedAt,
    String lifecycle,
    String status) {

  /**
   * What a computer's status is now: its newest observation's status (online, limited, offline)
   * while that observation is within the reporting window; stale when it is older (the computer is
   * off or cut off: lastObservedAt says since when); unknown when it never reported.
   */
  public static final Set<String> STATUSES =
      Set.of("online", "limited", "offline", "stale", "unknown");

  /**
   * live: reported in the last 21 days; at_risk: 21 to 28 days ago; dropped: longer (a computer
   * that never reported counts from its enrollment). For IT to chase silent agents.
   */
  public static final Set<String> LIFECYCLES = Set.of("live", "at_risk", "dropped");
}
