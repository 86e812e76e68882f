package org.enlace.server.web;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.dropwizard.jersey.errors.LoggingExceptionMapper;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Error mappers that answer in {@link ApiError} JSON and name the offending field. */
public final class JsonErrorMappers {
  private JsonErrorMappers() {}

  static Response json(ApiError e) {
    return Response.status(e.code()).type(MediaType.APPLICATION_JSON_TYPE).entity(e).build();
  }

  /** Malformed JSON or a value of the wrong type: 400 with the JSON path of the field. */
  public static final class JsonProcessingMapper
      implements ExceptionMapper<JsonProcessingException> {
    @Override
    public Response toResponse(JsonProcessingException e) {
      if (e instanceof JsonParseException) {
        return json(
            new ApiError(
                400, "malformed_json", "body is not valid JSON: " + e.getOriginalMessage()));
      }
      String path = e instanceof JsonMappingException m ? path(m) : "";
      String message;
      if (e instanceof UnrecognizedPropertyException u) {
        message = "unknown field '" + u.getPropertyName() + "'";
      } else if (e instanceof InvalidFormatException f) {
        message = "cannot read value " + f.getValue() + " as " + f.getTargetType().getSimpleName();
      } else {
        message = e.getOriginalMessage();
      }
      String field = path.isEmpty() ? "body" : path;
      return json(new ApiError(400, "invalid_field", field + ": " + message, field));
    }

    private static String path(JsonMappingException e) {
      return e.getPath().stream()
          .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
          .collect(Collectors.joining("."))
          .replace(".[", "[");
    }
  }

  /**
   * Any other error: JSON, logged with an id when it is a 5xx. An error that says the database is
   * unavailable (the predicate, given by the wiring) is 503 with Retry-After, as every endpoint
   * answers while the database is away: the request was fine, and the same request will work later.
   */
  public static final class FallbackMapper extends LoggingExceptionMapper<Throwable> {
    private static final Logger LOG = LoggerFactory.getLogger(FallbackMapper.class);

    /** Seconds a client is asked to wait while the database is away (it restarts in seconds). */
    static final int UNAVAILABLE_RETRY_AFTER_SECONDS = 10;

    private static final long LOG_EVERY_NANOS = 10_000_000_000L;

    private final Predicate<Throwable> databaseUnavailable;
    private final AtomicLong lastLogged = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
    private final AtomicLong unlogged = new AtomicLong();

    public FallbackMapper() {
      this(e -> false);
    }

    public FallbackMapper(Predicate<Throwable> databaseUnavailable) {
      this.databaseUnavailable = databaseUnavailable;
    }

    @Override
    public Response toResponse(Throwable exception) {
      if (exception instanceof WebApplicationException w && w.getResponse().hasEntity()) {
        return w.getResponse();
      }
      if (databaseUnavailable.test(exception)) {
        logUnavailable(exception);
        return ApiException.unavailable(
                "the database is unavailable; try again later", UNAVAILABLE_RETRY_AFTER_SECONDS)
            .getResponse();
      }
      Response r = super.toResponse(exception);
      int status = r.getStatus();
      String message =
          r.getEntity() instanceof io.dropwizard.jersey.errors.ErrorMessage m
              ? m.getMessage()
              : Response.Status.fromStatusCode(status) + "";
      return json(new ApiError(status, errorName(status), message));
    }

    /**
     * One line per 10 s at most: an outage fails every request, and the cause is the same. Only the
     * root cause ("Connection to 127.0.0.1:5432 refused"): Jdbi's own message carries the
     * statement's arguments.
     */
    private void logUnavailable(Throwable e) {
      long now = System.nanoTime();
      long last = lastLogged.get();
      if (now - last >= LOG_EVERY_NANOS && lastLogged.compareAndSet(last, now)) {
        Throwable root = e;
        for (int i = 0; i < 32; i++) {
          @Nullable Throwable cause = root.getCause();
          if (cause == null || cause == root) {
            break;
          }
          root = cause;
        }
        LOG.warn(
            "event=request_unavailable error=\"{}\" alsoUnavailableSinceLastLine={}",
            root.toString(),
            unlogged.getAndSet(0));
      } else {
        unlogged.incrementAndGet();
      }
    }

    private static String errorName(int status) {
      return switch (status) {
        case 400 -> "bad_request";
        case 401 -> "unauthorized";
        case 403 -> "forbidden";
        case 404 -> "not_found";
        case 405 -> "method_not_allowed";
        case 406 -> "not_acceptable";
        case 409 -> "conflict";
        case 413 -> "body_too_large";
        case 415 -> "unsupported_media_type";
        default -> status >= 500 ? "server_error" : "error";
      };
    }
  }
}
