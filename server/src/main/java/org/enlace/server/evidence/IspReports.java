package org.enlace.server.evidence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.enlace.server.evidence.EvidenceReport.EstablishmentEvidence;
import org.enlace.server.evidence.EvidenceReport.LinkEvidence;
import org.enlace.server.evidence.EvidenceReport.Outage;
import org.jspecify.annotations.Nullable;

/** The ISP report from the evidence report of the same scope, and its hash. */
public final class IspReports {
  private IspReports() {}

  /**
   * Keeps the links, their establishments' availability, latency and outages inside opening hours;
   * leaves the plan figures out. linksAt: every link at each establishment (by code), of any ISP; a
   * code missing from it counts the ISP's own links there.
   */
  public static IspReport from(EvidenceReport r, Map<String, Integer> linksAt) {
    EvidenceReport.Meta m = r.meta();
    List<IspReport.ServedEstablishment> served = new ArrayList<>();
    for (EstablishmentEvidence e : r.establishments()) {
      List<Outage> open = e.outages().stream().filter(o -> o.openMinutes() > 0).toList();
      served.add(
          new IspReport.ServedEstablishment(
              e.code(),
              e.name(),
              e.kind(),
              e.sector(),
              Math.max(e.links().size(), linksAt.getOrDefault(e.code(), e.links().size())),
              e.availability(),
              open,
              e.latency(),
              e.links()));
    }
    String isp =
        "isp".equals(m.scope())
            ? m.scopeId()
            : served.stream()
                .flatMap(s -> s.links().stream())
                .map(LinkEvidence::isp)
                .findFirst()
                .orElse("");
    List<String> sources = new ArrayList<>(List.of("agents", "speedtests", "inventory"));
    if (m.sources().contains("snmp")) {
      sources.add("snmp");
    }
    EvidenceReport.Method em = r.method();
    long tests =
        served.stream().flatMap(s -> s.links().stream()).mapToLong(l -> l.download().tests()).sum();
    IspReport.Method method =
        new IspReport.Method(
            em.holdMinutes(),
            em.shortOutageMinutes(),
            em.underContractShare(),
            em.testServer(),
            em.speedTestsUsed());
    return new IspReport(
        new IspReport.Meta(
            m.municipality(),
            isp,
            m.period(),
            m.firstDay(),
            m.lastDay(),
            m.scope(),
            m.scopeId(),
            m.timeZone(),
            m.generatedAt(),
            null,
            List.copyOf(sources)),
        method,
        summary(served, em.underContractShare(), tests),
        List.copyOf(served));
  }

  private static IspReport.Summary summary(
      List<IspReport.ServedEstablishment> served, double underShare, long tests) {
    int links = 0;
    int withTests = 0;
    int under = 0;
    long outages = 0;
    long blips = 0;
    long outageOpen = 0;
    long up = 0;
    long observed = 0;
    for (IspReport.ServedEstablishment s : served) {
      for (LinkEvidence l : s.links()) {
        links++;
        if (l.download().medianMbps().isPresent()) {
          withTests++;
          if (l.download().medianMbps().get() < underShare * l.contractedDownMbps().doubleValue()) {
            under++;
          }
        }
      }
      for (Outage o : s.outages()) {
        if (o.shortBlip()) {
          blips++;
        } else {
          outages++;
          outageOpen += o.openMinutes();
        }
      }
      up += s.availability().upMinutes();
      observed += s.availability().observedMinutes();
    }
    return new IspReport.Summary(
        links,
        served.size(),
        tests,
        withTests,
        under,
        outages,
        blips,
        outageOpen,
        EvidenceService.ratio(up, observed));
  }

  /** A copy with {@code meta.dataSha256} filled in. */
  public static IspReport withHash(IspReport r, ObjectMapper mapper) {
    return withMeta(
        r,
        r.meta().generatedAt(),
        EvidenceHash.sha256(canonicalJson(withMeta(r, null, null), mapper)));
  }

  /** The report as canonical JSON bytes (the same rules as {@link EvidenceHash}). */
  public static byte[] canonicalJson(IspReport r, ObjectMapper mapper) {
    try {
      return EvidenceHash.canonicalWriter(mapper).writeValueAsBytes(r);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("ISP report not serialisable", e);
    }
  }

  private static IspReport withMeta(
      IspReport r, @Nullable Instant generatedAt, @Nullable String sha) {
    IspReport.Meta m = r.meta();
    return new IspReport(
        new IspReport.Meta(
            m.municipality(),
            m.isp(),
            m.period(),
            m.firstDay(),
            m.lastDay(),
            m.scope(),
            m.scopeId(),
            m.timeZone(),
            generatedAt,
            sha,
            m.sources()),
        r.method(),
        r.summary(),
        r.establishments());
  }
}
