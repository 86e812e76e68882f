package org.enlace.server.snmp;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one poll of one device found, for {@link SnmpStore} and the metrics. answered: the device
 * answered at all (a device can answer and still lack one link's interface, which is a failure of
 * that link only).
 */
record PollOutcome(
    long deviceId,
    long establishmentId,
    String establishmentCode,
    Instant startedAt,
    long durationNanos,
    boolean answered,
    List<Failed> failures,
    List<LinkReading> readings,
    Map<Long, Integer> resolvedIfIndex) {

  record Failed(SnmpClient.Failure reason, String detail) {}

  /** One link's interface as read; contracted rates travel along for the percentages. */
  record LinkReading(
      long linkId,
      long establishmentId,
      CounterRates.Reading reading,
      double contractedDownBps,
      double contractedUpBps) {}
}
