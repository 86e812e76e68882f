package org.enlace.server.enrollment;

import static java.util.Objects.requireNonNull;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code POST /api/v1/enroll}: authenticated by the enrollment token in the body. */
@Path("/api/v1/enroll")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class EnrollResource {
  private final EnrollmentService service;

  public EnrollResource(EnrollmentService service) {
    this.service = requireNonNull(service, "service is null");
  }

  @POST
  public Response enroll(@NotNull @Valid EnrollRequest request) {
    return Response.status(201).entity(service.enroll(request)).build();
  }
}
