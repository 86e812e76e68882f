package org.enlace.server.web;

import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Refuses any request body over the limit with 413, whether or not it declared its length. */
@Provider
@Priority(Priorities.AUTHENTICATION - 100)
public final class BodyLimitFilter implements ContainerRequestFilter {
  private static final long DRAIN_LIMIT = 16L * 1024 * 1024;
  private final long limit;

  public BodyLimitFilter(long limit) {
    this.limit = limit;
  }

  @Override
  public void filter(ContainerRequestContext request) {
    if (request.getLength() > limit) {
      discardOversized(request.getLength(), request.getEntityStream());
      throw tooLarge(limit);
    }
    request.setEntityStream(new Limited(request.getEntityStream(), limit));
  }

  /**
   * Reads and discards a moderately oversized body before the 413 is sent: a client still sending
   * when the server closes often never sees the answer and just retries. Beyond 16 MiB the answer
   * goes at once and the connection closes.
   */
  public static void discardOversized(long length, InputStream body) {
    if (length > DRAIN_LIMIT) {
      return;
    }
    try (InputStream in = body) {
      in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      // the client went away: nothing more to do
    }
  }

  static ApiException tooLarge(long limit) {
    return new ApiException(
        413, "body_too_large", "request body is larger than " + limit + " bytes");
  }

  private static final class Limited extends FilterInputStream {
    private final long limit;
    private long count;

    Limited(InputStream in, long limit) {
      super(in);
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0 && ++count > limit) {
        throw tooLarge(limit);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0 && (count += n) > limit) {
        throw tooLarge(limit);
      }
      return n;
    }
  }
}
