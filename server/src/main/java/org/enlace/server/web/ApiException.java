package org.enlace.server.web;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;

/** Thrown by resources and services to answer with a JSON {@link ApiError}. */
public final class ApiException extends WebApplicationException {
  private static final long serialVersionUID = 1L;

  public ApiException(int status, String error, String message) {
    this(status, new ApiError(status, error, message));
  }

  public ApiException(int status, ApiError body) {
    super(
        body.message(),
        Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body).build());
  }

  private ApiException(String message, Response response) {
    super(message, response);
  }

  /** 401 with a challenge, so that HTTP clients know which credentials to send. */
  public static ApiException unauthorized(String error, String message, String challenge) {
    return new ApiException(
        message,
        Response.status(401)
            .type(MediaType.APPLICATION_JSON_TYPE)
            .header("WWW-Authenticate", challenge)
            .entity(new ApiError(401, error, message))
            .build());
  }

  /** 503 with Retry-After: nothing was acknowledged, the client should send it again later. */
  public static ApiException unavailable(String message, int retryAfterSeconds) {
    return retryLater(503, "unavailable", message, Duration.ofSeconds(retryAfterSeconds));
  }

  /**
   * An answer the client should repeat after Retry-After (429 over a limit, 503 when busy or
   * unavailable), in whole seconds rounded up, at least 1.
   */
  public static ApiException retryLater(
      int status, String error, String message, Duration retryAfter) {
    long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    return new ApiException(
        message,
        Response.status(status)
            .type(MediaType.APPLICATION_JSON_TYPE)
            .header("Retry-After", Long.toString(seconds))
            .entity(new ApiError(status, error, message))
            .build());
  }

  public static ApiException notFound(String what) {
    return new ApiException(404, "not_found", what + " not found");
  }

  public static ApiException badRequest(String field, String message) {
    return new ApiException(400, new ApiError(400, "invalid_field", field + ": " + message, field));
  }

  public static ApiException conflict(String error, String message) {
    return new ApiException(409, error, message);
  }
}
