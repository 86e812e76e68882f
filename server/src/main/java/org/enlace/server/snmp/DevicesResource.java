package org.enlace.server.snmp;

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
import org.enlace.server.auth.Role;

/** Network devices (routers polled over SNMP): per establishment, and one by id. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public final class DevicesResource {
  private final DeviceInventory inventory;

  public DevicesResource(DeviceInventory inventory) {
    this.inventory = requireNonNull(inventory, "inventory is null");
  }

  @GET
  @Path("establishments/{code}/devices")
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public List<Device> list(@PathParam("code") String code) {
    return inventory.list(code);
  }

  @POST
  @Path("establishments/{code}/devices")
  @RolesAllowed(Role.IT_NAME)
  public Response create(@PathParam("code") String code, @NotNull @Valid DeviceRequest request) {
    Device d = inventory.create(code, request);
    return Response.created(URI.create("/api/v1/devices/" + d.id())).entity(d).build();
  }

  @GET
  @Path("devices/{id}")
  @RolesAllowed({Role.IT_NAME, Role.ADMINISTRATION_NAME})
  public Device get(@PathParam("id") long id) {
    return inventory.get(id);
  }

  @PUT
  @Path("devices/{id}")
  @RolesAllowed(Role.IT_NAME)
  public Device replace(@PathParam("id") long id, @NotNull @Valid DeviceRequest request) {
    return inventory.replace(id, request);
  }

  @DELETE
  @Path("devices/{id}")
  @RolesAllowed(Role.IT_NAME)
  public Response delete(@PathParam("id") long id) {
    inventory.delete(id);
    return Response.noContent().build();
  }
}
