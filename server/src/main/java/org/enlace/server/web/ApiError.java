package org.enlace.server.web;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Every error the API returns: HTTP code, a stable machine-readable error, a sentence for people.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ApiError(int code, String error, String message, String field) {
  public ApiError(int code, String error, String message) {
    this(code, error, message, "");
  }
}
