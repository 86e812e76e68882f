package org.enlace.server.web.pages;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import jakarta.validation.metadata.ConstraintDescriptor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.enlace.server.web.ApiError;
import org.enlace.server.web.ApiException;

/**
 * A form's errors by field name. They come from the same checks as the API's: the request record's
 * Bean Validation constraints and the service's {@link ApiException}s; the English messages are the
 * API's own words, the Spanish ones the same rule said in Spanish.
 */
public final class FormErrors {
  private final Map<String, String> byField = new LinkedHashMap<>();
  private final PageText text;

  public FormErrors(PageText text) {
    this.text = text;
  }

  public PageText text() {
    return text;
  }

  public boolean isEmpty() {
    return byField.isEmpty();
  }

  public Map<String, String> asMap() {
    return Map.copyOf(byField);
  }

  /** The first error of a field, or "". */
  public String of(String field) {
    return byField.getOrDefault(field, "");
  }

  /** An error in the page's words; the first one of a field is kept. */
  public FormErrors add(String field, String message) {
    byField.putIfAbsent(field, message);
    return this;
  }

  /** Shows a field's error next to another control (a rule of the whole request, for one). */
  public FormErrors move(String from, String to) {
    String message = byField.remove(from);
    if (message != null) {
      add(to, message);
    }
    return this;
  }

  /** "is required", for a field left empty that the request needs. */
  public FormErrors required(String field) {
    return add(field, text.t("err_required"));
  }

  /** A value that is not a whole number. */
  public FormErrors notInteger(String field) {
    return add(field, text.t("err_integer"));
  }

  public FormErrors notNumber(String field) {
    return add(field, text.t("err_number"));
  }

  /** Runs the request's constraints, as Jersey does on the API's JSON body. */
  public <T> FormErrors validate(Validator validator, T request) {
    Set<ConstraintViolation<T>> violations = validator.validate(request);
    for (ConstraintViolation<T> v : violations) {
      String path = v.getPropertyPath().toString();
      add(path.isEmpty() ? "form" : path, message(v));
    }
    return this;
  }

  /**
   * A refusal from the service (400 with a field, or 409): shown next to its field when the form
   * has one of that name, else next to {@code fallbackField}.
   */
  public FormErrors add(ApiException e, Set<String> fields, String fallbackField) {
    if (e.getResponse().getEntity() instanceof ApiError err) {
      String field = fields.contains(err.field()) ? err.field() : fallbackField;
      String message = err.message();
      // The API says "field: message"; the page shows the message next to the field.
      if (message.startsWith(err.field() + ": ")) {
        message = message.substring(err.field().length() + 2);
      }
      add(field, translate(message));
    } else {
      add(fallbackField, String.valueOf(e.getMessage()));
    }
    return this;
  }

  private String message(ConstraintViolation<?> v) {
    if (text.lang() == PageLang.EN) {
      return v.getMessage();
    }
    ConstraintDescriptor<?> d = v.getConstraintDescriptor();
    Map<String, Object> attributes = d.getAttributes();
    java.util.function.Function<String, String> a =
        k -> String.valueOf(attributes.getOrDefault(k, ""));
    String type = d.getAnnotation().annotationType().getSimpleName();
    return switch (type) {
      case "NotNull", "NotBlank", "NotEmpty" -> text.t("err_required");
      case "Size" -> text.t("err_size", a.apply("min"), a.apply("max"));
      case "Min", "DecimalMin" ->
          "false".equals(a.apply("inclusive"))
              ? text.t("err_greater", a.apply("value"))
              : text.t("err_min", a.apply("value"));
      case "Max", "DecimalMax" -> text.t("err_max", a.apply("value"));
      case "Digits" -> text.t("err_digits", a.apply("integer"), a.apply("fraction"));
      default -> translate(v.getMessage());
    };
  }

  /** A custom English message of the API in Spanish, when the pages know it; else as it is. */
  private String translate(String english) {
    if (text.lang() == PageLang.EN) {
      return english;
    }
    String key = "api_" + english.replaceAll("[^A-Za-z0-9]+", "_").replaceAll("^_|_$", "");
    return text.orElse(key, english);
  }
}
