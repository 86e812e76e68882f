package org.enlace.server.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Token buckets on a hand-moved clock: no sleeping, no timing. */
class TokenBucketsTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000_000L);

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void aBurstThenTheRateAndRetryAfterSaysWhenTheNextTokenComes() {
    TokenBuckets<String> b = new TokenBuckets<>(60, 3, 100, now::get);
    for (int i = 0; i < 3; i++) {
      assertThat(b.take("a").allowed()).isTrue();
    }
    TokenBuckets.Decision refused = b.take("a");
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(1));
    advance(Duration.ofMillis(400));
    assertThat(b.take("a").retryAfter()).isEqualTo(Duration.ofMillis(600));
    advance(Duration.ofMillis(600));
    assertThat(b.take("a").allowed()).isTrue();
    // Another key has its own bucket.
    assertThat(b.take("b").allowed()).isTrue();
  }

  @Test
  void waitForTakesNothing() {
    TokenBuckets<String> b = new TokenBuckets<>(1, 1, 100, now::get);
    assertThat(b.waitFor("a")).isZero();
    assertThat(b.waitFor("a")).isZero();
    assertThat(b.take("a").allowed()).isTrue();
    assertThat(b.waitFor("a")).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void idleBucketsAreForgottenSoMemoryStaysBounded() {
    TokenBuckets<Integer> b = new TokenBuckets<>(60, 2, 1_000, now::get);
    for (int i = 0; i < 500; i++) {
      b.take(i);
    }
    assertThat(b.size()).isEqualTo(500);
    // Two seconds later every bucket is full again; the minute's sweep forgets them all.
    advance(Duration.ofMinutes(1));
    b.take(-1);
    assertThat(b.size()).isEqualTo(1);
  }

  @Test
  void whenFullOfBusyKeysANewKeyGoesUntrackedInsteadOfLockingEveryoneOut() {
    TokenBuckets<Integer> b = new TokenBuckets<>(1, 1, 100, now::get);
    for (int i = 0; i < 100; i++) {
      assertThat(b.take(i).untracked()).isFalse();
    }
    advance(Duration.ofSeconds(2));
    TokenBuckets.Decision d = b.take(1_000);
    assertThat(d.allowed()).isTrue();
    assertThat(d.untracked()).isTrue();
    assertThat(b.size()).isEqualTo(100);
    // Once some are idle (a minute at one a minute), new keys are tracked again.
    advance(Duration.ofMinutes(1));
    assertThat(b.take(2_000).untracked()).isFalse();
    assertThat(b.size()).isEqualTo(1);
  }

  @Test
  void ipv6ClientsAreCountedPerSlash64() {
    assertThat(Limits.addressKey("2001:db8:1:2:aaaa::1"))
        .isEqualTo(Limits.addressKey("2001:db8:1:2:bbbb::9"))
        .isEqualTo("2001:db8:1:2::/64");
    assertThat(Limits.addressKey("192.0.2.7")).isEqualTo("192.0.2.7");
  }
}
