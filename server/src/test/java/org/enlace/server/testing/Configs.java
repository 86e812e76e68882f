package org.enlace.server.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dropwizard.jackson.Jackson;
import io.dropwizard.jersey.validation.Validators;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;

/** A config section read from YAML as Dropwizard reads it, and its validation errors by field. */
public final class Configs {
  public static final ObjectMapper YAML = Jackson.newObjectMapper(new YAMLFactory());
  public static final Validator VALIDATOR = Validators.newValidator();

  private Configs() {}

  public static <T> T read(String yaml, Class<T> type) {
    try {
      return YAML.readValue(yaml, type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Property path → message; empty when valid. */
  public static Map<String, String> errors(Object config) {
    Map<String, String> out = new TreeMap<>();
    for (ConstraintViolation<Object> v : VALIDATOR.validate(config)) {
      out.merge(v.getPropertyPath().toString(), v.getMessage(), (a, b) -> a + "; " + b);
    }
    return out;
  }
}
