package org.enlace.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.enlace.server.testing.TestApp.Agent;

/**
 * Sends fuzzed reports ({@link ReportFuzzer}) from several enrolled agents at once, one thread per
 * agent, and keeps what came back: statuses, every 5xx, and each agent's acknowledged sequences.
 * Shared by ReportFuzzTest (CI) and the bench profile's IngestFuzzBench (a longer run).
 */
public final class FuzzRun {
  /** What the run saw. {@code acknowledged}: agent id → seqs acknowledged in 200 answers. */
  public record Result(
      long seed,
      int reports,
      Map<Integer, Integer> statuses,
      List<String> serverErrors,
      Map<String, Set<Long>> acknowledged,
      long storedClaimed,
      long nanos) {
    public int count5xx() {
      int n = 0;
      for (Map.Entry<Integer, Integer> e : statuses.entrySet()) {
        if (e.getKey() >= 500) {
          n += e.getValue();
        }
      }
      return n;
    }

    public double seconds() {
      return nanos / 1e9;
    }
  }

  private FuzzRun() {}

  /** {@code reports} in all, spread over {@code agents} (one thread each). */
  public static Result run(List<Agent> agents, int reports, long seed) throws Exception {
    List<com.fasterxml.jackson.databind.node.ObjectNode> examples = ReportFuzzer.examples();
    Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    Map<String, Set<Long>> acknowledged = new ConcurrentHashMap<>();
    AtomicInteger sent = new AtomicInteger();
    java.util.concurrent.atomic.AtomicLong storedClaimed =
        new java.util.concurrent.atomic.AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(agents.size());
    long start = System.nanoTime();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < agents.size(); i++) {
        Agent agent = agents.get(i);
        ReportFuzzer fuzzer = new ReportFuzzer(examples, new Random(seed * 31 + i));
        Set<Long> acked = ConcurrentHashMap.newKeySet();
        acknowledged.put(agent.id(), acked);
        futures.add(
            pool.submit(
                () -> {
                  while (sent.getAndIncrement() < reports) {
                    ReportFuzzer.Fuzzed f = fuzzer.next();
                    Api.Response r;
                    try {
                      r = agent.api().postBytes("/api/v1/reports", f.body(), f.headers());
                    } catch (RuntimeException e) {
                      throw new IllegalStateException(
                          "no answer to a report of "
                              + f.body().length
                              + " bytes after: "
                              + f.mutations()
                              + " (seed "
                              + seed
                              + ")",
                          e);
                    }
                    statuses.merge(r.status(), 1, Integer::sum);
                    if (r.status() >= 500) {
                      errors.add(r.status() + " " + r.body() + " after: " + f.mutations());
                    } else if (r.status() == 200) {
                      JsonNode ack = r.body().path("acknowledged");
                      for (JsonNode s : ack) {
                        acked.add(s.asLong());
                      }
                      storedClaimed.addAndGet(r.body().path("stored").asLong());
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return new Result(
        seed,
        reports,
        new TreeMap<>(statuses),
        List.copyOf(errors),
        acknowledged,
        storedClaimed.get(),
        System.nanoTime() - start);
  }

  /**
   * Each agent's stored sequences as the database holds them, and how many (agent, seq) are stored
   * more than once (must be 0).
   */
  public static Map<String, Set<Long>> stored(org.jdbi.v3.core.Jdbi jdbi, List<Agent> agents) {
    Map<String, Set<Long>> out = new TreeMap<>();
    for (Agent a : agents) {
      out.put(
          a.id(),
          new HashSet<>(
              jdbi.withHandle(
                  h ->
                      h.createQuery(
                              """
                              SELECT o.seq FROM observations o JOIN agents a ON a.id = o.agent_id
                              WHERE a.public_id = CAST(:id AS uuid)
                              """)
                          .bind("id", a.id())
                          .mapTo(Long.class)
                          .list())));
    }
    return out;
  }

  public static long storedTwice(org.jdbi.v3.core.Jdbi jdbi) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    """
                    SELECT count(*) FROM (SELECT agent_id, seq FROM observations
                    GROUP BY agent_id, seq HAVING count(*) > 1) d
                    """)
                .mapTo(Long.class)
                .one());
  }
}
