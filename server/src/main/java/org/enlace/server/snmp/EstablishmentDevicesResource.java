package org.enlace.server.snmp;

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

/** Network devices (routers polled over SNMP) of one establishment: list and create. */
@Path("/api/v1/establishments/{code}/devices")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class EstablishmentDevicesResource {
  private final DeviceInventory inventory;

  public EstablishmentDevicesResource(DeviceInventory inventory) {
    this.inventory = requireNonNull(inventory, "inventory is null");
  }

  @GET
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public List<Device> list(@PathParam("code") String code) {
    return inventory.list(code);
  }

  @POST
  @RolesAllowed(Role.IT_NAME)
  public Response create(@PathParam("code") String code, @NotNull @Valid DeviceRequest request) {
    Device d = inventory.create(code, request);
    return Response.created(URI.create("/api/v1/devices/" + d.id())).entity(d).build();
  }
}
