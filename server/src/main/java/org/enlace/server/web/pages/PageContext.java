package org.enlace.server.web.pages;

import org.enlace.server.auth.EnlaceUser;
import org.enlace.server.auth.Role;

/** Who is asking, in which language, and the token their forms carry. */
public record PageContext(EnlaceUser user, PageText text, String csrfToken) {
  public PageLang lang() {
    return text.lang();
  }

  public boolean isIt() {
    return user.role() == Role.IT;
  }

  /** A path of the pages with the language kept: {@code /web/x?lang=es}. */
  public String href(String path) {
    return path + (path.contains("?") ? "&" : "?") + "lang=" + lang().code();
  }
}
