package org.enlace.agent.upload;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The PC clock's offset from the server's: server time minus the midpoint of request and response
 * (NTP's idea, without its filtering). Kiosk clocks are often years off; observations carry the
 * offset known when they were made, and the server corrects their times.
 */
public final class ClockOffset {
  private volatile Optional<Long> offsetMs = Optional.empty();
  private volatile Optional<Long> roundTripMs = Optional.empty();

  public void observe(Instant sent, Instant received, Instant serverTime) {
    long rtt = Duration.between(sent, received).toMillis();
    Instant midpoint = sent.plusMillis(rtt / 2);
    offsetMs = Optional.of(Duration.between(midpoint, serverTime).toMillis());
    roundTripMs = Optional.of(rtt);
  }

  public Optional<Long> offsetMs() {
    return offsetMs;
  }

  public Optional<Long> roundTripMs() {
    return roundTripMs;
  }
}
