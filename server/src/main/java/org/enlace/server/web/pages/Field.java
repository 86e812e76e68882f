package org.enlace.server.web.pages;

import java.util.List;

/**
 * One labelled form control as {@code field.mustache} draws it: the value the person typed (kept
 * when the form comes back with errors), the error next to it, a hint; a select when it has
 * options.
 */
public record Field(
    String name,
    String label,
    String value,
    String error,
    String hint,
    boolean required,
    String type,
    String inputmode,
    List<Option> options) {

  public record Option(String value, String label, boolean selected) {}

  public static Field text(String name, String label, String value) {
    return new Field(name, label, value, "", "", false, "text", "", List.of());
  }

  public static Field number(String name, String label, String value) {
    return new Field(name, label, value, "", "", false, "text", "numeric", List.of());
  }

  public static Field decimal(String name, String label, String value) {
    return new Field(name, label, value, "", "", false, "text", "decimal", List.of());
  }

  public static Field select(String name, String label, String value, List<Option> options) {
    List<Option> marked =
        options.stream()
            .map(o -> new Option(o.value(), o.label(), o.value().equals(value)))
            .toList();
    return new Field(name, label, value, "", "", false, "select", "", marked);
  }

  public Field mandatory() {
    return new Field(name, label, value, error, hint, true, type, inputmode, options);
  }

  public Field hint(String h) {
    return new Field(name, label, value, error, h, required, type, inputmode, options);
  }

  public Field withErrors(FormErrors errors) {
    return new Field(name, label, value, errors.of(name), hint, required, type, inputmode, options);
  }

  public String id() {
    return "f-" + name.replace('.', '-');
  }

  public boolean hasError() {
    return !error.isEmpty();
  }

  public boolean hasHint() {
    return !hint.isEmpty();
  }

  public boolean isSelect() {
    return !options.isEmpty();
  }

  public boolean hasInputmode() {
    return !inputmode.isEmpty();
  }

  /** The ids the control's aria-describedby names: its hint and its error. */
  public String describedBy() {
    String ids = (hasHint() ? id() + "-hint " : "") + (hasError() ? id() + "-error" : "");
    return ids.trim();
  }

  public boolean isDescribed() {
    return hasHint() || hasError();
  }
}
