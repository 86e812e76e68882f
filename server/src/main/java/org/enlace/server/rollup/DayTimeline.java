package org.enlace.server.rollup;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.enlace.server.domain.LatencyHistogram;
import org.enlace.server.domain.LocalMinutes;
import org.enlace.server.domain.OpeningMask;
import org.jspecify.annotations.Nullable;

/**
 * One establishment's minutes over a run of local days, computed from its computers' minute bits.
 * Pure: the maintainer loads the bits and stores what comes out.
 *
 * <p>Per computer and minute the status is the worst seen in that minute (offline, then limited,
 * then online). A minute with no observation of its own takes the computer's status from its
 * previous observed minute if that is at most {@code holdMinutes} back, because checks run every 60
 * s with jitter and sometimes skip a calendar minute. Otherwise the minute has no data.
 *
 * <p>The router's view of the establishment's ISP links (from SNMP) fills what the computers cannot
 * say: a minute with no computer reporting is up when a link was up (the PCs were off) and an
 * outage when the links were down; with computers reporting, they decide, and the outage is
 * attributed to the link when the router saw it down. An outage stretch is {@code link_down} if the
 * router saw the link down at any minute of it, otherwise {@code agents}.
 */
public final class DayTimeline {
  public static final byte NONE = 0;
  public static final byte ONLINE = 1;
  public static final byte LIMITED = 2;
  public static final byte OFFLINE = 3;

  /** A computer-day as stored: bit strings of '0'/'1', one character per minute. */
  @SuppressWarnings("ArrayRecordComponent") // primitive arrays for speed; never compared or hashed
  public record ComputerDay(
      long computerId,
      LocalDate day,
      String online,
      String limited,
      String offline,
      int[] latency) {}

  /** Minutes of a computer-day after the hold, for computer_days' derived columns. */
  public record ComputerMinutes(
      long computerId, LocalDate day, int observed, int online, int limited, int offline) {}

  /** A link-day as stored: the minutes the router said the link was up, and down. */
  public record LinkDay(long linkId, LocalDate day, String up, String down) {}

  /**
   * A stretch of outage minutes inside one day (segments across midnight join when read); cause is
   * agents or link_down.
   */
  public record Segment(
      LocalDate day,
      int fromMinute,
      int toMinuteExclusive,
      int openMinutes,
      int computers,
      String cause) {}

  /**
   * gapPcsOffOpen / gapLinkDownOpen: open minutes with no computer reporting while the router said
   * the link was up / down.
   */
  @SuppressWarnings("ArrayRecordComponent") // primitive arrays for speed; never compared or hashed
  public record DayResult(
      LocalDate day,
      int dayMinutes,
      int openMinutes,
      int observedMinutes,
      int upMinutes,
      int outageMinutes,
      int observedOpenMinutes,
      int upOpenMinutes,
      int outageOpenMinutes,
      int computersReporting,
      int computersOnline,
      String outageBits,
      String observedBits,
      int[] latency,
      List<ComputerMinutes> computers,
      List<Segment> outages,
      int linkUpMinutes,
      int linkDownMinutes,
      int gapPcsOffOpen,
      int gapLinkDownOpen) {}

  private final LocalMinutes minutes;
  private final int holdMinutes;
  private final OpeningMask opening;

  public DayTimeline(LocalMinutes minutes, int holdMinutes, OpeningMask opening) {
    this.minutes = minutes;
    this.holdMinutes = holdMinutes;
    this.opening = opening;
  }

  /**
   * Figures for {@code day}; {@code previousDay} holds the computers' rows of the day before (for
   * the hold across midnight), {@code today} those of the day itself.
   */
  public DayResult compute(LocalDate day, List<ComputerDay> previousDay, List<ComputerDay> today) {
    return compute(day, previousDay, today, List.of());
  }

  /** As above, with the establishment's link-days of {@code day}. */
  public DayResult compute(
      LocalDate day, List<ComputerDay> previousDay, List<ComputerDay> today, List<LinkDay> links) {
    int n = minutes.minutesIn(day);
    boolean[] linkUp = new boolean[n];
    boolean[] linkDown = new boolean[n];
    for (LinkDay l : links) {
      for (int m = 0; m < n; m++) {
        linkUp[m] |= bit(l.up(), m);
        linkDown[m] |= bit(l.down(), m);
      }
    }
    int linkUpMinutes = 0;
    int linkDownMinutes = 0;
    for (int m = 0; m < n; m++) {
      // With two links, the establishment is connected while either is up.
      linkDown[m] &= !linkUp[m];
      linkUpMinutes += linkUp[m] ? 1 : 0;
      linkDownMinutes += linkDown[m] ? 1 : 0;
    }
    boolean[] open = opening.openMinutes(day, minutes);
    Map<Long, ComputerDay> before = new HashMap<>();
    for (ComputerDay c : previousDay) {
      before.put(c.computerId(), c);
    }
    boolean[] reporting = new boolean[n];
    boolean[] up = new boolean[n];
    List<byte[]> statuses = new ArrayList<>();
    List<ComputerMinutes> perComputer = new ArrayList<>();
    int[] latency = LatencyHistogram.empty();
    int computersOnline = 0;
    for (ComputerDay c : today) {
      byte[] s = effective(c, before.get(c.computerId()), n);
      statuses.add(s);
      int obs = 0;
      int on = 0;
      int lim = 0;
      int off = 0;
      for (int m = 0; m < n; m++) {
        switch (s[m]) {
          case ONLINE -> {
            on++;
            up[m] = true;
          }
          case LIMITED -> lim++;
          case OFFLINE -> off++;
          default -> {
            continue;
          }
        }
        obs++;
        reporting[m] = true;
      }
      if (c.online().indexOf('1') >= 0) {
        computersOnline++;
      }
      perComputer.add(new ComputerMinutes(c.computerId(), day, obs, on, lim, off));
      LatencyHistogram.add(latency, c.latency());
    }
    int openMinutes = 0;
    int observed = 0;
    int upMinutes = 0;
    int outage = 0;
    int observedOpen = 0;
    int upOpen = 0;
    int outageOpen = 0;
    int gapPcsOff = 0;
    int gapLinkDown = 0;
    char[] outageBits = new char[n];
    char[] observedBits = new char[n];
    for (int m = 0; m < n; m++) {
      if (!reporting[m] && open[m]) {
        gapPcsOff += linkUp[m] ? 1 : 0;
        gapLinkDown += linkDown[m] ? 1 : 0;
      }
      if (!reporting[m]) {
        up[m] = linkUp[m];
      }
      boolean o = reporting[m] ? !up[m] : linkDown[m];
      boolean seen = reporting[m] || linkUp[m] || linkDown[m];
      outageBits[m] = o ? '1' : '0';
      observedBits[m] = seen ? '1' : '0';
      if (open[m]) {
        openMinutes++;
      }
      if (seen) {
        observed++;
        if (open[m]) {
          observedOpen++;
        }
      }
      if (up[m]) {
        upMinutes++;
        if (open[m]) {
          upOpen++;
        }
      }
      if (o) {
        outage++;
        if (open[m]) {
          outageOpen++;
        }
      }
    }
    return new DayResult(
        day,
        n,
        openMinutes,
        observed,
        upMinutes,
        outage,
        observedOpen,
        upOpen,
        outageOpen,
        today.size(),
        computersOnline,
        new String(outageBits),
        new String(observedBits),
        latency,
        perComputer,
        segments(day, outageBits, open, statuses, linkDown),
        linkUpMinutes,
        linkDownMinutes,
        gapPcsOff,
        gapLinkDown);
  }

  /**
   * One computer's status minute by minute after the hold ({@link #NONE}, {@link #ONLINE}, {@link
   * #LIMITED}, {@link #OFFLINE}), as {@link #compute} counts it; {@code previousDay} carries the
   * hold across midnight.
   */
  public byte[] statuses(ComputerDay today, @Nullable ComputerDay previousDay) {
    return effective(today, previousDay, minutes.minutesIn(today.day()));
  }

  private static List<Segment> segments(
      LocalDate day, char[] outage, boolean[] open, List<byte[]> statuses, boolean[] linkDown) {
    List<Segment> out = new ArrayList<>();
    int m = 0;
    while (m < outage.length) {
      if (outage[m] != '1') {
        m++;
        continue;
      }
      int from = m;
      int openCount = 0;
      boolean sawLinkDown = false;
      while (m < outage.length && outage[m] == '1') {
        if (open[m]) {
          openCount++;
        }
        sawLinkDown |= linkDown[m];
        m++;
      }
      int computers = 0;
      for (byte[] s : statuses) {
        for (int i = from; i < m; i++) {
          if (s[i] == LIMITED || s[i] == OFFLINE) {
            computers++;
            break;
          }
        }
      }
      out.add(
          new Segment(day, from, m, openCount, computers, sawLinkDown ? "link_down" : "agents"));
    }
    return out;
  }

  private byte[] effective(ComputerDay c, @Nullable ComputerDay previous, int n) {
    byte[] s = new byte[n];
    for (int m = 0; m < n; m++) {
      s[m] = own(c, m);
    }
    // Carry-over from the end of the previous day, then within the day.
    byte last = NONE;
    int lastAge = Integer.MAX_VALUE;
    if (previous != null) {
      int pn = previous.online().length();
      for (int back = 1; back <= holdMinutes && back <= pn; back++) {
        byte p = own(previous, pn - back);
        if (p != NONE) {
          last = p;
          lastAge = back - 1;
          break;
        }
      }
    }
    for (int m = 0; m < n; m++) {
      if (s[m] != NONE) {
        last = s[m];
        lastAge = 0;
      } else if (last != NONE && ++lastAge <= holdMinutes) {
        s[m] = last;
      } else {
        last = NONE;
      }
    }
    return s;
  }

  private static byte own(ComputerDay c, int m) {
    if (bit(c.offline(), m)) {
      return OFFLINE;
    }
    if (bit(c.limited(), m)) {
      return LIMITED;
    }
    return bit(c.online(), m) ? ONLINE : NONE;
  }

  private static boolean bit(String bits, int m) {
    return m < bits.length() && bits.charAt(m) == '1';
  }
}
