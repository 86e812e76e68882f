package org.enlace.agent.probe;

import java.io.EOFException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * Turns an exception into the short, stable error token kept in a check result (timeout, refused,
 * connect_failed, reset, closed, unreachable, tls, unknown_host, io). Tokens, not messages: they
 * end up in the server's database and in reasons, and must not depend on the JDK's wording or the
 * Windows language.
 */
final class ProbeErrors {
  private ProbeErrors() {}

  /**
   * The deepest cause that says something wins: an HTTP client may wrap "Connection reset" in a
   * vaguer exception, and the inner one is the truth.
   */
  static String of(@Nullable Throwable t) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable c = t; c != null && chain.size() < 16 && !chain.contains(c); c = c.getCause()) {
      chain.add(c);
    }
    for (int i = chain.size() - 1; i >= 0; i--) {
      String token = direct(chain.get(i));
      if (token != null) {
        return token;
      }
    }
    return "io";
  }

  private static @Nullable String direct(Throwable c) {
    String msg = c.getMessage() == null ? "" : c.getMessage().toLowerCase(Locale.ROOT);
    if (c instanceof SocketTimeoutException || c instanceof TimeoutException) {
      return "timeout";
    }
    if (c instanceof UnknownHostException || c instanceof UnresolvedAddressException) {
      return "unknown_host";
    }
    if (c instanceof NoRouteToHostException || c instanceof PortUnreachableException) {
      return "unreachable";
    }
    if (c instanceof SSLException) {
      return "tls";
    }
    if (c instanceof InterruptedException || c instanceof InterruptedIOException) {
      return "interrupted";
    }
    if (msg.contains("refused")) {
      return "refused";
    }
    if (msg.contains("reset")) {
      return "reset";
    }
    if (msg.contains("unreachable") || msg.contains("no route")) {
      return "unreachable";
    }
    if (c instanceof EOFException
        || msg.contains("received no bytes")
        || msg.contains("end of file")
        || msg.contains("closed")) {
      return "closed"; // the peer hung up without an answer
    }
    if (c instanceof ConnectException) {
      // A failed connect whose reason (refused, unreachable) was not given.
      return "connect_failed";
    }
    if (c instanceof SocketException) {
      return "io";
    }
    return null;
  }
}
