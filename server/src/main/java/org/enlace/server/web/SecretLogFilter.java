package org.enlace.server.web;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.helpers.MessageFormatter;

/**
 * Keeps secrets out of the application log at every level, whatever {@code POST /tasks/log-level}
 * sets: a turbo filter sees each event before any appender, and levels are not part of it, so
 * changing them cannot switch it off.
 *
 * <p>Two rules. Below INFO, the libraries that dump raw traffic are silenced: Jetty's DEBUG writes
 * request headers ({@code Authorization}) and buffers of request and response bodies (enrollment
 * tokens, agent secrets) in fragments no pattern could recognise; the PostgreSQL driver's writes
 * bound parameters. Every other event, when its level is enabled, is formatted and, if it holds
 * something that looks like a secret ({@link Redaction}), logged instead with the secret masked.
 */
public final class SecretLogFilter extends TurboFilter {
  /** Loggers whose DEBUG and TRACE dump raw requests, responses or statement parameters. */
  static final List<String> RAW_TRAFFIC_LOGGERS =
      List.of("org.eclipse.jetty", "org.postgresql", "org.apache.http.wire", "org.apache.hc");

  private static final String FQCN = Logger.class.getName();

  /** Installs the filter once in the application's logging context (idempotent). */
  public static void install() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    for (TurboFilter f : context.getTurboFilterList()) {
      if (f instanceof SecretLogFilter) {
        return;
      }
    }
    SecretLogFilter filter = new SecretLogFilter();
    filter.setName("enlace-secrets");
    filter.setContext(context);
    filter.start();
    context.addTurboFilter(filter);
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    // isXxxEnabled() calls (no format), and events the level would drop anyway: nothing to do.
    if (format == null || level == null || !level.isGreaterOrEqual(logger.getEffectiveLevel())) {
      return FilterReply.NEUTRAL;
    }
    if (level.toInt() < Level.INFO_INT && rawTraffic(logger.getName())) {
      return FilterReply.DENY;
    }
    String message =
        params == null ? format : MessageFormatter.arrayFormat(format, params).getMessage();
    Throwable masked = t == null ? null : maskedThrowable(t);
    if (!Redaction.suspicious(message) && masked == t) {
      return FilterReply.NEUTRAL;
    }
    // Appended directly: no turbo filter runs again (no loop), the level was checked above.
    LoggingEvent event =
        new LoggingEvent(FQCN, logger, level, Redaction.mask(message), masked, null);
    if (marker != null) {
      event.addMarker(marker);
    }
    logger.callAppenders(event);
    return FilterReply.DENY;
  }

  static boolean rawTraffic(String loggerName) {
    for (String prefix : RAW_TRAFFIC_LOGGERS) {
      if (loggerName.startsWith(prefix)
          && (loggerName.length() == prefix.length()
              || loggerName.charAt(prefix.length()) == '.')) {
        return true;
      }
    }
    return false;
  }

  /** The throwable itself when no message in its chain looks secret, else a masked copy. */
  static Throwable maskedThrowable(Throwable t) {
    boolean suspicious = false;
    for (Throwable c = t; c != null && !suspicious; c = c.getCause() == c ? null : c.getCause()) {
      suspicious = Redaction.suspicious(c.getMessage());
    }
    return suspicious ? copy(t, 0) : t;
  }

  private static Throwable copy(Throwable t, int depth) {
    Throwable cause = t.getCause() == null || t.getCause() == t || depth > 20 ? null : t.getCause();
    RedactedException r =
        new RedactedException(
            t.getClass().getName() + ": " + Redaction.mask(String.valueOf(t.getMessage())),
            cause == null ? null : copy(cause, depth + 1));
    r.setStackTrace(t.getStackTrace());
    return r;
  }

  /** A throwable whose message held a secret: its class name and masked message, its stack. */
  static final class RedactedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RedactedException(String message, @Nullable Throwable cause) {
      super(message, cause);
    }
  }
}
