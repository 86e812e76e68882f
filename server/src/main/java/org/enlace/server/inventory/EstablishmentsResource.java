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
import jakarta.ws.rs.core.UriBuilder;
import java.util.List;
import org.enlace.server.auth.Role;
import org.enlace.server.web.ApiException;
import org.jdbi.v3.core.Jdbi;

@Path("/api/v1/establishments")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class EstablishmentsResource {
  private final Jdbi jdbi;

  public EstablishmentsResource(Jdbi jdbi) {
    this.jdbi = requireNonNull(jdbi, "jdbi is null");
  }

  @GET
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public List<Establishment> list() {
    return dao().list();
  }

  @POST
  @RolesAllowed(Role.IT_NAME)
  public Response create(@NotNull @Valid EstablishmentRequest request) {
    if (!dao().insert(request)) {
      throw ApiException.conflict(
          "establishment_exists",
          "an establishment with code '" + request.code() + "' already exists");
    }
    return Response.created(
            UriBuilder.fromResource(EstablishmentsResource.class).path(request.code()).build())
        .entity(get(request.code()))
        .build();
  }

  @GET
  @Path("/{code}")
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public Establishment get(@PathParam("code") String code) {
    return dao()
        .find(code)
        .orElseThrow(() -> ApiException.notFound("establishment '" + code + "'"));
  }

  @PUT
  @Path("/{code}")
  @RolesAllowed(Role.IT_NAME)
  public Establishment replace(
      @PathParam("code") String code, @NotNull @Valid EstablishmentRequest request) {
    if (!code.equals(request.code())) {
      throw ApiException.badRequest(
          "code", "must equal the code in the path ('" + code + "'); codes cannot be renamed");
    }
    if (!dao().update(request)) {
      throw ApiException.notFound("establishment '" + code + "'");
    }
    return get(code);
  }

  @DELETE
  @Path("/{code}")
  @RolesAllowed(Role.IT_NAME)
  public Response delete(@PathParam("code") String code) {
    jdbi.useTransaction(
        h -> {
          EstablishmentDao dao = h.attach(EstablishmentDao.class);
          if (dao.find(code).isEmpty()) {
            throw ApiException.notFound("establishment '" + code + "'");
          }
          if (dao.dependents(code) > 0) {
            throw ApiException.conflict(
                "establishment_in_use",
                "establishment '"
                    + code
                    + "' has ISP links, network devices, or computers or agents that were ever enrolled"
                    + " there; their "
                    + "history belongs to it, so it is kept");
          }
          dao.deleteTokens(code);
          dao.delete(code);
        });
    return Response.noContent().build();
  }

  private EstablishmentDao dao() {
    return jdbi.onDemand(EstablishmentDao.class);
  }
}
