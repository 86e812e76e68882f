package org.enlace.server.speedtest;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** In-memory {@link Ndt7Access}: single-use tokens, every finished() call recorded. */
final class Ndt7FakeAccess implements Ndt7Access {
  record Finished(Grant grant, ServerResult result) {}

  private final Map<String, Grant> tokens = new ConcurrentHashMap<>();
  final List<Finished> finished = new CopyOnWriteArrayList<>();
  final List<String> redeemed = new CopyOnWriteArrayList<>();

  String issue(Subtest subtest, long maxBytes) {
    String token = "tok-" + UUID.randomUUID();
    tokens.put(
        token,
        new Grant(
            "test-" + token.substring(4, 12),
            7,
            Optional.of(3L),
            subtest,
            maxBytes,
            Instant.now().plusSeconds(300)));
    return token;
  }

  @Override
  public Optional<Grant> redeem(String accessToken, Subtest subtest, Instant now) {
    Grant g = tokens.get(accessToken);
    if (g == null || g.subtest() != subtest || now.isAfter(g.expiresAt())) {
      return Optional.empty();
    }
    if (!tokens.remove(accessToken, g)) {
      return Optional.empty();
    }
    redeemed.add(accessToken);
    return Optional.of(g);
  }

  @Override
  public void finished(Grant grant, ServerResult result) {
    finished.add(new Finished(grant, result));
  }

  /** The one result of the test that token was for; fails if there is none or several. */
  ServerResult awaitResult(String token, long timeoutMs) throws InterruptedException {
    String testId = "test-" + token.substring(4, 12);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (System.nanoTime() < deadline) {
      List<Finished> mine =
          finished.stream().filter(f -> f.grant().testId().equals(testId)).toList();
      if (!mine.isEmpty()) {
        Thread.sleep(300); // a second, wrong, call would show up here
        mine = finished.stream().filter(f -> f.grant().testId().equals(testId)).toList();
        if (mine.size() != 1) {
          throw new AssertionError("finished() called " + mine.size() + " times: " + mine);
        }
        return mine.get(0).result();
      }
      Thread.sleep(20);
    }
    throw new AssertionError("finished() not called for " + testId);
  }

  long count(String token) {
    String testId = "test-" + token.substring(4, 12);
    return finished.stream().filter(f -> f.grant().testId().equals(testId)).count();
  }
}
