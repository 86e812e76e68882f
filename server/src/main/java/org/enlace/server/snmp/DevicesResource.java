package org.enlace.server.snmp;

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

/** One network device, by id: read, replace, delete. Secrets are never returned. */
@Path("/api/v1/devices/{id}")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class DevicesResource {
  private final DeviceInventory inventory;

  public DevicesResource(DeviceInventory inventory) {
    this.inventory = requireNonNull(inventory, "inventory is null");
  }

  @GET
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public Device get(@PathParam("id") long id) {
    return inventory.get(id);
  }

  @PUT
  @RolesAllowed(Role.IT_NAME)
  public Device replace(@PathParam("id") long id, @NotNull @Valid DeviceRequest request) {
    return inventory.replace(id, request);
  }

  @DELETE
  @RolesAllowed(Role.IT_NAME)
  public Response delete(@PathParam("id") long id) {
    inventory.delete(id);
    return Response.noContent().build();
  }
}
