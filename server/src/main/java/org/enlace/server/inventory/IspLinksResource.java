package org.enlace.server.inventory;

import static java.util.Objects.requireNonNull;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.enlace.server.app.ApiException;
import org.enlace.server.auth.Role;
import org.jdbi.v3.core.Jdbi;

/** ISP links: listed and created under their establishment, read and changed by id. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class IspLinksResource {
  private final Jdbi jdbi;

  public IspLinksResource(Jdbi jdbi) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
  }

  @GET
  @Path("/establishments/{code}/links")
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public List<IspLink> list(@PathParam("code") String code) {
    establishmentId(code);
    return jdbi.onDemand(IspLinkDao.class).listFor(code);
  }

  @POST
  @Path("/establishments/{code}/links")
  @RolesAllowed(Role.IT_NAME)
  public Response create(@PathParam("code") String code, @NotNull @Valid IspLinkRequest request) {
    long id = jdbi.onDemand(IspLinkDao.class).insert(establishmentId(code), request);
    return Response.created(URI.create("/api/v1/links/" + id)).entity(get(id)).build();
  }

  @GET
  @Path("/links/{id}")
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public IspLink get(@PathParam("id") long id) {
    return jdbi.onDemand(IspLinkDao.class).find(id)
        .orElseThrow(() -> ApiException.notFound("link " + id));
  }

  @PUT
  @Path("/links/{id}")
  @RolesAllowed(Role.IT_NAME)
  public IspLink replace(@PathParam("id") long id, @NotNull @Valid IspLinkRequest request) {
    if (jdbi.onDemand(IspLinkDao.class).update(id, request) == 0) {
      throw ApiException.notFound("link " + id);
    }
    return get(id);
  }

  @DELETE
  @Path("/links/{id}")
  @RolesAllowed(Role.IT_NAME)
  public Response delete(@PathParam("id") long id) {
    if (jdbi.onDemand(IspLinkDao.class).delete(id) == 0) {
      throw ApiException.notFound("link " + id);
    }
    return Response.noContent().build();
  }

  private long establishmentId(String code) {
    return jdbi.onDemand(EstablishmentDao.class).idOf(code)
        .orElseThrow(() -> ApiException.notFound("establishment '" + code + "'"));
  }
}
