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
import java.util.stream.Collectors;

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

  /** Any other error: JSON, logged with an id when it is a 5xx. */
  public static final class FallbackMapper extends LoggingExceptionMapper<Throwable> {
    @Override
    public Response toResponse(Throwable exception) {
      if (exception instanceof WebApplicationException w && w.getResponse().hasEntity()) {
        return w.getResponse();
      }
      Response r = super.toResponse(exception);
      int status = r.getStatus();
      String message =
          r.getEntity() instanceof io.dropwizard.jersey.errors.ErrorMessage m
              ? m.getMessage()
              : Response.Status.fromStatusCode(status) + "";
      return json(new ApiError(status, errorName(status), message));
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
