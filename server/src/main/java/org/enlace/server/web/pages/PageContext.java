package org.enlace.server.web.pages;

/**
 * Who is asking (the signed-in user's name, and whether they are IT staff, who may change the
 * inventory), in which language, and the token their forms carry.
 */
public record PageContext(String username, boolean isIt, PageText text, String csrfToken) {
  public PageLang lang() {
    return text.lang();
  }

  /** A path of the pages with the language kept: {@code /web/x?lang=es}. */
  public String href(String path) {
    return path + (path.contains("?") ? "&" : "?") + "lang=" + lang().code();
  }
}
