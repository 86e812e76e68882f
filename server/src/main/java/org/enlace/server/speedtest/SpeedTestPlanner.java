package org.enlace.server.speedtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.enlace.server.auth.Secrets;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.domain.OpeningMask;
import org.enlace.server.enrollment.AgentPrincipal;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides who tests which ISP link when. Each day every link gets {@code testsPerDay} slots at
 * random minutes inside its establishment's opening hours, plus one in each peak window; the first
 * agent of that establishment to report while a slot is open is offered it, with single-use tokens.
 * One test per link at a time, and a link's monthly data budget is never exceeded: a slot is only
 * offered when its whole allowance still fits. Also the {@link Ndt7Access} of the ndt7 endpoints.
 */
public final class SpeedTestPlanner implements Ndt7Access {
  private static final Logger LOG = LoggerFactory.getLogger(SpeedTestPlanner.class);
  static final String DOWNLOAD_PATH = "/ndt/v7/download";
  static final String UPLOAD_PATH = "/ndt/v7/upload";

  /** Tokens outlive the slot by this much: a test started at the end of it still completes. */
  private static final Duration TOKEN_GRACE = Duration.ofMinutes(2);

  private final Jdbi jdbi;
  private final SpeedTestPlanConfig config;
  private final LocalMinutes minutes;
  private final ObjectMapper json;

  /** Per establishment, when a slot may next be open: reports before then cost no query. */
  private final ConcurrentHashMap<Long, Instant> nextCheck = new ConcurrentHashMap<>();

  public SpeedTestPlanner(
      Jdbi jdbi, SpeedTestPlanConfig config, LocalMinutes minutes, ObjectMapper json) {
    this.jdbi = jdbi;
    this.config = config;
    this.minutes = minutes;
    this.json = json;
  }

  /** Refusals of an on-demand request, with when to ask again. */
  public static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    public final String code;
    public final String detail; // the message, never null
    public final Optional<Instant> retryAt;

    Refused(String code, String message, Optional<Instant> retryAt) {
      super(message, null, false, false);
      this.code = code;
      this.detail = message;
      this.retryAt = retryAt;
    }
  }

  /**
   * A slot for the agent that just reported, if one of its establishment's links has a slot open
   * now and is free. Cheap when nothing is due: one map lookup.
   */
  public Optional<SpeedTestSlot> offer(AgentPrincipal agent, Instant now) {
    Instant due = nextCheck.get(agent.establishmentId());
    if (due != null && now.isBefore(due)) {
      return Optional.empty();
    }
    try {
      return jdbi.inTransaction(h -> offerNow(h, agent, now));
    } catch (RuntimeException e) {
      // A speed test is never worth failing a report for.
      LOG.warn(
          "event=speedtest_offer_failed establishment={} error=\"{}\"",
          agent.establishmentId(),
          e.toString());
      nextCheck.put(agent.establishmentId(), now.plusSeconds(60));
      return Optional.empty();
    }
  }

  private Optional<SpeedTestSlot> offerNow(Handle h, AgentPrincipal agent, Instant now) {
    SlotDao dao = h.attach(SlotDao.class);
    LocalDate today = minutes.slot(now).day();
    List<SlotDao.Link> links = dao.links(agent.establishmentId(), today);
    for (SlotDao.Link l : links) {
      ensurePlan(dao, l, today);
    }
    dao.expireStale(now);
    Optional<SpeedTestSlot> offered = Optional.empty();
    boolean waitingForBusyLink = false;
    for (SlotDao.Slot s : dao.openSlots(agent.establishmentId(), now)) {
      SlotDao.Link link = links.stream().filter(l -> l.id() == s.linkId()).findFirst().orElse(null);
      if (link == null) {
        dao.skip(s.id());
        continue;
      }
      dao.lockLink(link.id());
      if (dao.busyUntil(link.id(), now).isPresent()) {
        waitingForBusyLink = true; // the slot stays open: look again in a minute
        continue;
      }
      if (!fitsBudget(dao, link, s.maxBytesDown() + s.maxBytesUp(), now)) {
        dao.skip(s.id());
        LOG.info(
            "event=speedtest_skipped reason=monthly_budget link={} slot={}", link.id(), s.id());
        continue;
      }
      offered = Optional.of(issue(dao, s, agent, now, s.notAfter()));
      LOG.info(
          "event=speedtest_offered kind=scheduled link={} test={} agent={} notAfter={}",
          link.id(),
          s.id(),
          agent.publicId(),
          s.notAfter());
      break;
    }
    Instant next =
        dao.nextPlanned(agent.establishmentId(), now)
            .filter(t -> t.isAfter(now))
            .orElse(minutes.start(today.plusDays(1)));
    nextCheck.put(
        agent.establishmentId(),
        offered.isPresent() || !waitingForBusyLink ? next : now.plusSeconds(60));
    return offered;
  }

  /** A test now, for `enlace-agent speedtest`; throws {@link Refused} when it cannot be. */
  public SpeedTestSlot onDemand(AgentPrincipal agent, Instant now) {
    return jdbi.inTransaction(
        h -> {
          SlotDao dao = h.attach(SlotDao.class);
          LocalDate today = minutes.slot(now).day();
          List<SlotDao.Link> links = dao.links(agent.establishmentId(), today);
          if (links.isEmpty()) {
            throw new Refused(
                "no_link",
                "this computer's establishment has no ISP link in the"
                    + " inventory; IT adds it under /api/v1/establishments/{code}/links",
                Optional.empty());
          }
          SlotDao.Link link = links.get(0);
          dao.lockLink(link.id());
          dao.expireStale(now);
          Optional<Instant> busy = dao.busyUntil(link.id(), now);
          if (busy.isPresent()) {
            throw new Refused("link_busy", "another computer is testing this link", busy);
          }
          if (dao.countSlots(
                  link.id(), "on_demand", minutes.start(today), minutes.start(today.plusDays(1)))
              >= config.getOnDemandPerDay()) {
            throw new Refused(
                "daily_limit",
                "this link had its " + config.getOnDemandPerDay() + " on-demand tests today",
                Optional.of(minutes.start(today.plusDays(1))));
          }
          long[] allowance = allowance(link);
          if (!fitsBudget(dao, link, allowance[0] + allowance[1], now)) {
            YearMonth m = YearMonth.from(now.atZone(minutes.zone()));
            throw new Refused(
                "monthly_budget",
                "this link's monthly speed-test data budget is spent",
                Optional.of(m.plusMonths(1).atDay(1).atStartOfDay(minutes.zone()).toInstant()));
          }
          UUID id = UUID.randomUUID();
          Instant until = now.plus(Duration.ofMinutes(5));
          dao.insert(
              id,
              link.id(),
              link.establishmentId(),
              "on_demand",
              now,
              until,
              allowance[0],
              allowance[1]);
          SpeedTestSlot slot =
              issue(
                  dao,
                  new SlotDao.Slot(id, link.id(), now, until, allowance[0], allowance[1]),
                  agent,
                  now,
                  until);
          LOG.info(
              "event=speedtest_offered kind=on_demand link={} test={} agent={}",
              link.id(),
              id,
              agent.publicId());
          return slot;
        });
  }

  private SpeedTestSlot issue(
      SlotDao dao, SlotDao.Slot s, AgentPrincipal agent, Instant now, Instant notAfter) {
    String down = Secrets.newSecret("ndt_");
    String up = Secrets.newSecret("ndt_");
    dao.offer(
        s.id(),
        agent.agentId(),
        now,
        notAfter.plus(TOKEN_GRACE),
        Secrets.sha256(down),
        Secrets.sha256(up));
    return new SpeedTestSlot(
        s.id().toString(),
        now.isAfter(s.notBefore()) ? now : s.notBefore(),
        notAfter,
        DOWNLOAD_PATH + "?access_token=" + down,
        UPLOAD_PATH + "?access_token=" + up,
        s.maxBytesDown() + s.maxBytesUp(),
        1);
  }

  /** Budget of the link for the month of {@code now}, in bytes. */
  long monthlyBudget(SlotDao.Link link, Instant now) {
    YearMonth m = YearMonth.from(now.atZone(minutes.zone()));
    double bitsPerSecond =
        link.contractedDownMbps()
            .add(link.contractedUpMbps())
            .multiply(BigDecimal.valueOf(1_000_000))
            .doubleValue();
    double seconds = m.lengthOfMonth() * 86_400.0;
    return (long) (bitsPerSecond / 8 * seconds * config.getMonthlyBudgetPct() / 100);
  }

  private boolean fitsBudget(SlotDao dao, SlotDao.Link link, long bytes, Instant now) {
    YearMonth m = YearMonth.from(now.atZone(minutes.zone()));
    long committed =
        dao.bytesCommitted(link.id(), m.atDay(1).atStartOfDay(minutes.zone()).toInstant(), now);
    return committed + bytes <= monthlyBudget(link, now);
  }

  /** Download and upload allowance: allowanceFactor x what the contract carries in the test. */
  long[] allowance(SlotDao.Link link) {
    double f = config.getAllowanceFactor() * config.getTestSeconds() * 1_000_000 / 8;
    return new long[] {
      (long) (link.contractedDownMbps().doubleValue() * f),
      (long) (link.contractedUpMbps().doubleValue() * f)
    };
  }

  /** Today's scheduled slots for a link, created once (random minutes in opening hours). */
  void ensurePlan(SlotDao dao, SlotDao.Link link, LocalDate day) {
    Instant from = minutes.start(day);
    Instant to = minutes.start(day.plusDays(1));
    if (dao.countSlots(link.id(), "scheduled", from, to) > 0) {
      return;
    }
    dao.lockLink(link.id());
    if (dao.countSlots(link.id(), "scheduled", from, to) > 0) {
      return;
    }
    long[] allowance = allowance(link);
    long window = config.getSlotWindow().toMinutes();
    for (int minute : plan(link, day, ThreadLocalRandom.current())) {
      Instant start = minutes.at(day, minute);
      dao.insert(
          UUID.randomUUID(),
          link.id(),
          link.establishmentId(),
          "scheduled",
          start,
          start.plus(Duration.ofMinutes(window)),
          allowance[0],
          allowance[1]);
    }
  }

  /** Minutes of the day for the scheduled tests: spread over open hours, one per peak window. */
  List<Integer> plan(SlotDao.Link link, LocalDate day, Random random) {
    boolean[] open =
        OpeningMask.fromStored(json, link.openingHours(), link.establishmentId())
            .openMinutes(day, minutes);
    List<Integer> openMinutes = new ArrayList<>();
    long window = config.getSlotWindow().toMinutes();
    for (int m = 0; m + window <= open.length; m++) {
      if (openThrough(open, m, window)) {
        openMinutes.add(m);
      }
    }
    List<Integer> chosen = new ArrayList<>();
    int n = config.getTestsPerDay();
    if (!openMinutes.isEmpty() && n > 0) {
      // Stratified: one random minute in each of n equal parts of the open minutes, so the tests
      // spread over the day instead of bunching.
      for (int i = 0; i < n; i++) {
        int lo = i * openMinutes.size() / n;
        int hi = Math.max(lo + 1, (i + 1) * openMinutes.size() / n);
        chosen.add(openMinutes.get(lo + random.nextInt(hi - lo)));
      }
    }
    for (String peak : config.getPeakWindows()) {
      int from = wall(peak.substring(0, 5));
      int to = wall(peak.substring(6));
      List<Integer> inPeak = new ArrayList<>();
      for (int m = 0; m + window <= open.length; m++) {
        int w = minutes.wallMinute(day, m);
        if (w >= from && w < to && openThrough(open, m, window)) {
          inPeak.add(m);
        }
      }
      if (!inPeak.isEmpty()) {
        chosen.add(inPeak.get(random.nextInt(inPeak.size())));
      }
    }
    Collections.sort(chosen);
    return chosen;
  }

  /** The whole slot window lies inside opening hours. */
  private static boolean openThrough(boolean[] open, int from, long window) {
    for (int m = from; m < from + window; m++) {
      if (!open[m]) {
        return false;
      }
    }
    return true;
  }

  private static int wall(String hhmm) {
    LocalTime t = LocalTime.parse(hhmm);
    return t.getHour() * 60 + t.getMinute();
  }

  @Override
  public Optional<Grant> redeem(String accessToken, Subtest subtest, Instant now) {
    if (accessToken == null || accessToken.isEmpty() || accessToken.length() > 200) {
      return Optional.empty();
    }
    byte[] hash = Secrets.sha256(accessToken);
    Optional<SlotDao.Redeemed> r =
        jdbi.withHandle(
            h -> {
              SlotDao dao = h.attach(SlotDao.class);
              return subtest == Subtest.DOWNLOAD
                  ? dao.redeemDownload(hash, now)
                  : dao.redeemUpload(hash, now);
            });
    return r.map(
        x ->
            new Grant(
                x.id().toString(),
                x.agentId(),
                Optional.of(x.linkId()),
                subtest,
                x.maxBytes(),
                x.tokensExpireAt()));
  }

  @Override
  public void finished(Grant grant, ServerResult result) {
    String subtest = grant.subtest() == Subtest.DOWNLOAD ? "download" : "upload";
    UUID id = UUID.fromString(grant.testId());
    jdbi.useTransaction(
        h -> {
          SlotDao dao = h.attach(SlotDao.class);
          dao.lock(id);
          dao.result(
              id,
              subtest,
              result.start(),
              result.end(),
              result.bytes(),
              result.wireBytes(),
              result.minRttMs().orElse(null),
              result.smoothedRttMs().orElse(null),
              result.error().orElse(null));
          dao.completeIfBoth(id);
        });
    LOG.info(
        "event=speedtest_result_recorded test={} subtest={} bytes={} seconds={} error=\"{}\"",
        grant.testId(),
        subtest,
        result.bytes(),
        Duration.between(result.start(), result.end()).toMillis() / 1000.0,
        result.error().orElse(""));
  }
}
