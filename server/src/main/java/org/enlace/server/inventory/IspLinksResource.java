package org.enlace.server.inventory;

import static java.util.Objects.requireNonNull;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.enlace.server.auth.Role;
import org.enlace.server.web.ApiException;
import org.jdbi.v3.core.Jdbi;

/** One ISP link, by id: read, replace, delete. */
@Path("/api/v1/links/{id}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class IspLinksResource {
  private final Jdbi jdbi;

  public IspLinksResource(Jdbi jdbi) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
  }

  @GET
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public IspLink get(@PathParam("id") long id) {
    return jdbi.onDemand(IspLinkDao.class)
        .find(id)
        .orElseThrow(() -> ApiException.notFound("link " + id));
  }

  @PUT
  @RolesAllowed(Role.IT_NAME)
  public IspLink replace(@PathParam("id") long id, @NotNull @Valid IspLinkRequest request) {
    if (jdbi.onDemand(IspLinkDao.class).update(id, request) == 0) {
      throw ApiException.notFound("link " + id);
    }
    return get(id);
  }

  @DELETE
  @RolesAllowed(Role.IT_NAME)
  public Response delete(@PathParam("id") long id) {
    if (jdbi.onDemand(IspLinkDao.class).delete(id) == 0) {
      throw ApiException.notFound("link " + id);
    }
    return Response.noContent().build();
  }
}
