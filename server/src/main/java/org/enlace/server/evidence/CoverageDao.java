package org.enlace.server.evidence;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * Which days have any data: for a report's coverage, and for the period the reports page offers.
 */
public interface CoverageDao {
  /** The days of the range on which any computer reported, or a router's link was seen. */
  @SqlQuery(
      """
      SELECT DISTINCT day FROM establishment_days WHERE establishment_id = ANY(:ids)
      AND day BETWEEN :from AND :to
      AND (observed_minutes > 0 OR link_up_minutes > 0 OR link_down_minutes > 0) ORDER BY day
      """)
  List<LocalDate> daysWithData(long[] ids, LocalDate from, LocalDate to);

  /** The newest day with any data, anywhere in the municipality. */
  @SqlQuery(
      """
      SELECT max(day) FROM establishment_days
      WHERE observed_minutes > 0 OR link_up_minutes > 0 OR link_down_minutes > 0
      """)
  Optional<LocalDate> newestDayWithData();
}
