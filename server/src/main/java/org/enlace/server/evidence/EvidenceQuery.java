package org.enlace.server.evidence;

import java.util.Optional;

/**
 * What an evidence report covers: a period, and the whole municipality or one place, one ISP link
 * or every link of one ISP (its name as the inventory spells it, case and outer spaces aside).
 */
public record EvidenceQuery(
    ReportPeriod period,
    Optional<String> establishment,
    Optional<Long> link,
    Optional<String> isp) {
  public EvidenceQuery {
    if (establishment.isPresent() && link.isPresent()) {
      throw new IllegalArgumentException("give establishment or link, not both");
    }
    if (isp.isPresent() && (establishment.isPresent() || link.isPresent())) {
      throw new IllegalArgumentException("give isp alone, without establishment or link");
    }
  }

  public EvidenceQuery(ReportPeriod period, Optional<String> establishment, Optional<Long> link) {
    this(period, establishment, link, Optional.empty());
  }

  /** The reports for an ISP's reader: one link or all the links of one ISP, no plan figures. */
  public boolean forIsp() {
    return link.isPresent() || isp.isPresent();
  }
}
