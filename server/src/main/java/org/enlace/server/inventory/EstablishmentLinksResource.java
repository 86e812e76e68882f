package org.enlace.server.inventory;

import static java.util.Objects.requireNonNull;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import org.enlace.server.auth.Role;
import org.jdbi.v3.core.Jdbi;

/** ISP links of one establishment: list and create. */
@Path("/api/v1/establishments/{code}/links")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class EstablishmentLinksResource {
  private final Jdbi jdbi;

  public EstablishmentLinksResource(Jdbi jdbi) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
  }

  @GET
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public List<IspLink> list(@PathParam("code") String code) {
    establishmentId(code);
    return jdbi.onDemand(IspLinkDao.class).listFor(code);
  }

  @POST
  @RolesAllowed(Role.IT_NAME)
  public Response create(@PathParam("code") String code, @NotNull @Valid IspLinkRequest request) {
    long id = jdbi.onDemand(IspLinkDao.class).insert(establishmentId(code), request);
    return Response.created(URI.create("/api/v1/links/" + id))
        .entity(jdbi.onDemand(IspLinkDao.class).find(id).orElseThrow())
        .build();
  }

  private long establishmentId(String code) {
    return jdbi.onDemand(EstablishmentDao.class).idOrNotFound(code);
  }
}
