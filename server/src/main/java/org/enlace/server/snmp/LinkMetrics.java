package org.enlace.server.snmp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus series per link and per device, labelled only by what the inventory bounds
 * (establishment code, link id, device id, direction, reason): never per interface walked or per
 * request. Series of links and devices removed from the inventory are removed too.
 */
final class LinkMetrics {
  private final MeterRegistry registry;
  private final Map<Long, LinkSeries> links = new ConcurrentHashMap<>();
  private final Map<Long, DeviceSeries> devices = new ConcurrentHashMap<>();
  private final Map<Long, List<Long>> deviceLinks = new ConcurrentHashMap<>();

  LinkMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Values are NaN until known, so a never-polled link is not drawn as down or idle. */
  private static final class LinkSeries {
    volatile double oper = Double.NaN;
    volatile double inRatio = Double.NaN;
    volatile double outRatio = Double.NaN;
    volatile double lastSuccess = Double.NaN;
    volatile double inOctets;
    volatile double outOctets;
    final List<Meter> meters = new ArrayList<>();
  }

  private static final class DeviceSeries {
    final String establishment;
    final Timer poll;
    final Map<String, Counter> failures = new ConcurrentHashMap<>();
    final List<Meter> meters = new ArrayList<>();

    DeviceSeries(String establishment, Timer poll) {
      this.establishment = establishment;
      this.poll = poll;
      meters.add(poll);
    }
  }

  /** Registers the series of the devices and links being polled; drops the others. */
  synchronized void sync(Collection<PollTarget> targets) {
    Set<Long> liveLinks = new HashSet<>();
    Set<Long> liveDevices = new HashSet<>();
    for (PollTarget t : targets) {
      liveDevices.add(t.id());
      devices.computeIfAbsent(
          t.id(),
          id ->
              new DeviceSeries(
                  t.establishmentCode(),
                  Timer.builder("enlace.snmp.device.poll")
                      .description("Time to poll one device (all its links), including retries")
                      .tags("establishment", t.establishmentCode(), "device", Long.toString(id))
                      .register(registry)));
      deviceLinks.put(t.id(), t.links().stream().map(PollTarget.Link::linkId).toList());
      for (PollTarget.Link l : t.links()) {
        liveLinks.add(l.linkId());
        links.computeIfAbsent(l.linkId(), id -> register(t.establishmentCode(), id));
      }
    }
    deviceLinks.keySet().retainAll(liveDevices);
    removeExcept(liveLinks, liveDevices);
  }

  private void removeExcept(Set<Long> liveLinks, Set<Long> liveDevices) {
    links
        .entrySet()
        .removeIf(
            e -> {
              if (liveLinks.contains(e.getKey())) {
                return false;
              }
              e.getValue().meters.forEach(registry::remove);
              return true;
            });
    devices
        .entrySet()
        .removeIf(
            e -> {
              if (liveDevices.contains(e.getKey())) {
                return false;
              }
              e.getValue().meters.forEach(registry::remove);
              e.getValue().failures.values().forEach(registry::remove);
              return true;
            });
  }

  private LinkSeries register(String establishment, long linkId) {
    LinkSeries s = new LinkSeries();
    Tags tags = Tags.of("establishment", establishment, "link", Long.toString(linkId));
    s.meters.add(
        Gauge.builder("enlace.link.oper.status", s, x -> x.oper)
            .description("The router's ifOperStatus for the link: 1 up, 0 down")
            .tags(tags)
            .register(registry));
    s.meters.add(
        Gauge.builder("enlace.link.last.poll.success.timestamp.seconds", s, x -> x.lastSuccess)
            .description("Unix time of the link's last successful SNMP read")
            .tags(tags)
            .register(registry));
    for (String direction : List.of("in", "out")) {
      Tags d = tags.and("direction", direction);
      boolean in = direction.equals("in");
      s.meters.add(
          FunctionCounter.builder("enlace.link.octets", s, x -> in ? x.inOctets : x.outOctets)
              .description(
                  "Octets through the link's interface, counted over trusted intervals"
                      + " only (in = download)")
              .tags(d)
              .register(registry));
      s.meters.add(
          Gauge.builder("enlace.link.utilization.ratio", s, x -> in ? x.inRatio : x.outRatio)
              .description("Last interval's rate over the contracted rate (in: down, out: up)")
              .tags(d)
              .register(registry));
    }
    return s;
  }

  void polled(PollOutcome o) {
    DeviceSeries d = devices.get(o.deviceId());
    if (d == null) {
      return;
    }
    d.poll.record(o.durationNanos(), TimeUnit.NANOSECONDS);
    // A link this poll could not read has no current state: NaN (no data), not the last values,
    // so a dead router's link is neither drawn nor alerted on as saturated or down.
    Set<Long> read = new HashSet<>();
    o.readings().forEach(r -> read.add(r.linkId()));
    for (long link : deviceLinks.getOrDefault(o.deviceId(), List.of())) {
      LinkSeries s = links.get(link);
      if (s != null && !read.contains(link)) {
        s.oper = Double.NaN;
        s.inRatio = Double.NaN;
        s.outRatio = Double.NaN;
      }
    }
    for (PollOutcome.Failed f : o.failures()) {
      d.failures
          .computeIfAbsent(
              f.reason().wire(),
              reason ->
                  Counter.builder("enlace.snmp.device.poll.failures")
                      .description(
                          "Failed polls by reason (timeout, auth_failure, no_such_object, ...)")
                      .tags(
                          "establishment",
                          d.establishment,
                          "device",
                          Long.toString(o.deviceId()),
                          "reason",
                          reason)
                      .register(registry))
          .increment();
    }
  }

  void reading(PollOutcome.LinkReading r, Optional<String> status, long inTotal, long outTotal) {
    LinkSeries s = links.get(r.linkId());
    if (s == null) {
      return;
    }
    status.ifPresent(v -> s.oper = "up".equals(v) ? 1 : 0);
    s.lastSuccess = r.reading().at().toEpochMilli() / 1000.0;
    s.inOctets = inTotal;
    s.outOctets = outTotal;
  }

  void interval(PollOutcome.LinkReading r, CounterRates.Interval i) {
    LinkSeries s = links.get(r.linkId());
    if (s == null) {
      return;
    }
    s.inRatio = i.rates().map(x -> x.inBps() / r.contractedDownBps()).orElse(Double.NaN);
    s.outRatio = i.rates().map(x -> x.outBps() / r.contractedUpBps()).orElse(Double.NaN);
  }

  void operStatus(long linkId, String status) {
    LinkSeries s = links.get(linkId);
    if (s != null) {
      s.oper = "up".equals(status) ? 1 : 0;
    }
  }
}
