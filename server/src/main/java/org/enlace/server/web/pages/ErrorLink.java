package org.enlace.server.web.pages;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** An error in the summary at the top of a form: a link to its control, "Label: message". */
public record ErrorLink(String href, String message) {

  /** The form's errors in the order of its controls; one without a control last, unlinked. */
  public static List<ErrorLink> summary(List<Field> fields, FormErrors errors) {
    List<ErrorLink> out = new ArrayList<>();
    for (Field f : fields) {
      if (f.hasError()) {
        out.add(new ErrorLink("#" + f.id(), f.label() + ": " + f.error()));
      }
    }
    Set<String> names = fields.stream().map(Field::name).collect(Collectors.toSet());
    for (Map.Entry<String, String> e : errors.asMap().entrySet()) {
      if (!names.contains(e.getKey())) {
        out.add(new ErrorLink("#error-summary", e.getValue()));
      }
    }
    return out;
  }
}
