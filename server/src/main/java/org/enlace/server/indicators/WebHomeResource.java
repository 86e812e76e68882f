package org.enlace.server.indicators;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.enlace.server.auth.Role;
import org.enlace.server.web.pages.PageLang;
import org.jspecify.annotations.Nullable;

/** {@code /web}: the pages start at the indicators. */
@Path("/web")
public final class WebHomeResource {
  @GET
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public Response home(@QueryParam("lang") @Nullable String lang) {
    PageLang l = PageLang.resolve(lang, null);
    return Response.seeOther(
            URI.create("/web/indicators" + (lang == null ? "" : "?lang=" + l.code())))
        .build();
  }
}
