package org.enlace.agent.journal;

/** Clocks that move only when told to: the wall clock may jump either way, nanos only forward. */
final class FakeTicker implements Journal.Ticker {
  long millis = 1_790_000_000_000L;
  long nanos = 1_000_000_000L;

  @Override
  public long millis() {
    return millis;
  }

  @Override
  public long nanos() {
    return nanos;
  }

  /** Time passes, on both clocks. */
  void advanceMillis(long ms) {
    millis += ms;
    nanos += ms * 1_000_000;
  }
}
