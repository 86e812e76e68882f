package org.enlace.server.web;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MultivaluedMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL cannot store the NUL character (U+0000) in text, and refuses the whole statement
 * ({@code invalid byte sequence for encoding "UTF8": 0x00}); so the API refuses it at the edge with
 * 400 {@code invalid_field} naming where it was, instead of a 500 from the database.
 *
 * <p>Two checks: {@link #module()} for every string a request body binds to (the API's and
 * enrollment's records; the agents' reports are parsed as trees and checked by their parser), and
 * {@link Filter} for the path, the query parameters and HTTP Basic credentials (a user name is
 * looked up in the database), before authentication.
 */
public final class NulCharacters {
  static final String MESSAGE = "must not contain the NUL character (\\u0000)";

  private NulCharacters() {}

  public static boolean contains(String s) {
    return s != null && s.indexOf('\0') >= 0;
  }

  /** Jackson: a string value or map key with NUL fails binding with the field's path. */
  public static SimpleModule module() {
    SimpleModule m = new SimpleModule("enlace-no-nul-strings");
    m.addDeserializer(String.class, new NoNulStrings());
    m.addKeyDeserializer(
        String.class,
        new KeyDeserializer() {
          @Override
          public Object deserializeKey(String key, DeserializationContext ctxt) throws IOException {
            if (contains(key)) {
              throw JsonMappingException.from(ctxt.getParser(), "key " + MESSAGE);
            }
            return key;
          }
        });
    return m;
  }

  private static final class NoNulStrings extends StringDeserializer {
    private static final long serialVersionUID = 1L;

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      String s = super.deserialize(p, ctxt);
      if (contains(s)) {
        throw JsonMappingException.from(p, MESSAGE);
      }
      return s;
    }
  }

  /** The path, the query and Basic credentials: 400 before matching and authentication. */
  @PreMatching
  @Priority(Priorities.AUTHENTICATION - 200)
  public static final class Filter implements ContainerRequestFilter {
    @Override
    public void filter(ContainerRequestContext request) {
      if (contains(request.getUriInfo().getPath(true))) {
        throw refused("path");
      }
      MultivaluedMap<String, String> query = request.getUriInfo().getQueryParameters(true);
      for (Map.Entry<String, List<String>> e : query.entrySet()) {
        if (contains(e.getKey()) || e.getValue().stream().anyMatch(NulCharacters::contains)) {
          throw refused(contains(e.getKey()) ? "query" : e.getKey());
        }
      }
      String auth = request.getHeaderString(HttpHeaders.AUTHORIZATION);
      if (auth != null && auth.regionMatches(true, 0, "Basic ", 0, 6)) {
        try {
          String decoded =
              new String(
                  Base64.getDecoder().decode(auth.substring(6).trim()), StandardCharsets.UTF_8);
          if (contains(decoded)) {
            throw refused(HttpHeaders.AUTHORIZATION);
          }
        } catch (IllegalArgumentException e) {
          // not Base64: the authenticator refuses it as it always has
        }
      }
    }

    private static ApiException refused(String field) {
      return ApiException.badRequest(field, MESSAGE);
    }
  }
}
