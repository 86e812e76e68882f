package org.enlace.server.evidence;

import java.util.Optional;

/** What an evidence report covers: a period, and the whole municipality or one place or link. */
public record EvidenceQuery(
    ReportPeriod period, Optional<String> establishment, Optional<Long> link) {
  public EvidenceQuery {
    if (establishment.isPresent() && link.isPresent()) {
      throw new IllegalArgumentException("give establishment or link, not both");
    }
  }
}
