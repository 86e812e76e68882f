package org.enlace.agent.probe;

import java.io.ByteArrayOutputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The one GET that {@link HttpProbe} and {@link CaptivePortalProbe} both make. */
final class HttpSupport {
  /**
   * At most this much of a body is read; the rest is dropped with the connection. Enough to
   * tell a login page from an expected body, small enough for a 2 Mbit/s link shared with users.
   */
  static final int BODY_LIMIT = 4096;

  private HttpSupport() {}

  /** What came back: a status and at most {@link #BODY_LIMIT} bytes of body. */
  record Answer(int status, byte[] body, boolean truncated) {}

  /** Either an answer or an error token; {@code nanos}: from send to (bounded) body read. */
  record Outcome(Answer answer, String error, long nanos) {
    long ms() {
      return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
  }

  /**
   * The agent's one HTTP client. HTTP/1.1 (what proxies and captive portals speak); redirects
   * are never followed, because a redirect is itself the answer (often a captive portal's);
   * {@code executor} runs the client's internal async work only, never blocking code.
   */
  static HttpClient newClient(ProxySelector proxies, Duration connectTimeout, Executor executor) {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(connectTimeout)
        .proxy(proxies)
        .executor(executor)
        .build();
  }

  /**
   * GETs {@code uri}; the whole exchange, headers and bounded body, must end within {@code
   * timeout}. Never throws.
   */
  static Outcome get(HttpClient client, URI uri, Duration timeout) {
    long start = System.nanoTime();
    HttpRequest request;
    try {
      request = HttpRequest.newBuilder(uri)
          .GET()
          .timeout(timeout)
          .header("User-Agent", "enlace-agent")
          // A caching proxy must not answer a connectivity check from its cache.
          .header("Cache-Control", "no-cache")
          .build();
    } catch (IllegalArgumentException e) {
      return new Outcome(null, "invalid_url", 0);
    }
    CompletableFuture<HttpResponse<Answer>> pending;
    try {
      pending = client.sendAsync(request, BoundedBody::new);
    } catch (RuntimeException e) { // e.g. the client's executor was shut down
      return new Outcome(null, ProbeErrors.of(e), System.nanoTime() - start);
    }
    try {
      HttpResponse<Answer> response = pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return new Outcome(response.body(), null, System.nanoTime() - start);
    } catch (TimeoutException e) {
      pending.cancel(true); // the body trickled in too slowly
      return new Outcome(null, "timeout", System.nanoTime() - start);
    } catch (ExecutionException e) {
      return new Outcome(null, ProbeErrors.of(e.getCause()), System.nanoTime() - start);
    } catch (InterruptedException e) {
      pending.cancel(true);
      Thread.currentThread().interrupt(); // the round gave up on us; let the runner see it
      return new Outcome(null, "interrupted", System.nanoTime() - start);
    }
  }

  /**
   * Keeps the first {@link #BODY_LIMIT} bytes, then cancels the subscription (which closes the
   * connection) instead of downloading a whole web page.
   */
  private static final class BoundedBody implements HttpResponse.BodySubscriber<Answer> {
    private final int status;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final CompletableFuture<Answer> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    BoundedBody(HttpResponse.ResponseInfo info) {
      this.status = info.statusCode();
    }

    @Override
    public CompletionStage<Answer> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      for (ByteBuffer b : buffers) {
        int room = BODY_LIMIT - kept.size();
        int n = Math.min(room, b.remaining());
        byte[] chunk = new byte[n];
        b.get(chunk);
        kept.write(chunk, 0, n);
        if (b.hasRemaining()) {
          subscription.cancel();
          result.complete(new Answer(status, kept.toByteArray(), true));
          return;
        }
      }
      subscription.request(1);
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(new Answer(status, kept.toByteArray(), false));
    }
  }
}
