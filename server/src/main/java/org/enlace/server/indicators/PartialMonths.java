package org.enlace.server.indicators;

import java.time.YearMonth;
import java.util.Set;

/**
 * Which months' figures rest on data that does not cover the whole month (not over yet, agents
 * enrolled during it, days without data). The reports judge this from the days with data; the
 * indicators page asks the same judge through this interface, so that a change against the baseline
 * is marked the same way on the page and in the report, without indicators depending on evidence.
 */
@FunctionalInterface
public interface PartialMonths {
  /** The months of first..last whose data is partial. */
  Set<YearMonth> partial(YearMonth first, YearMonth last);

  /** Every month whole: for tests and wiring without reports. */
  PartialMonths NONE = (first, last) -> Set.of();
}
