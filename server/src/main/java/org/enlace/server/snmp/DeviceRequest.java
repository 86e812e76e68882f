package org.enlace.server.snmp;

import com.fasterxml.jackson.annotation.JsonIgnore;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/** A network device as IT sends it; secrets are write-only (see {@link SnmpAccess}). */
public record DeviceRequest(
    @Size(max = 200) String name,
    @NotNull
        @Size(min = 1, max = 253)
        @Pattern(
            regexp = "^[A-Za-z0-9][A-Za-z0-9.:_-]*$",
            message = "must be a host name or an IPv4/IPv6 address")
        String address,
    @Min(1) @Max(65535) Integer port,
    @NotNull @Valid SnmpAccess snmp,
    @Size(max = 64) List<@NotNull @Valid InterfaceMapping> interfaces,
    Boolean enabled) {

  public String nameOrEmpty() {
    return name == null ? "" : name;
  }

  public int portOrDefault() {
    return port == null ? 161 : port;
  }

  public boolean enabledOrDefault() {
    return enabled == null || enabled;
  }

  public List<InterfaceMapping> interfacesOrEmpty() {
    return interfaces == null ? List.of() : interfaces;
  }

  @AssertTrue(message = "each ISP link may appear only once")
  @JsonIgnore
  public boolean isEachLinkOnce() {
    return interfacesOrEmpty().stream().map(InterfaceMapping::linkId).distinct().count()
        == interfacesOrEmpty().size();
  }

  /**
   * SNMP v2c community or v3 user. On PUT, secrets left out keep the stored ones as long as the
   * version (and, for v3, the user and protocols) stay the same, so IT can edit a device without
   * retyping passwords it cannot read back.
   */
  public record SnmpAccess(
      @NotNull @Pattern(regexp = "^(v2c|v3)$", message = "must be v2c or v3") String version,
      @Size(min = 1, max = 64) String community,
      @Size(min = 1, max = 32) String user,
      @Pattern(regexp = "^(SHA|SHA-256)$", message = "must be SHA or SHA-256") String authProtocol,
      @Size(min = 8, max = 64, message = "must be 8 to 64 characters (RFC 3414)")
          String authPassword,
      @Pattern(regexp = "^(AES-128|AES-256)$", message = "must be AES-128 or AES-256")
          String privProtocol,
      @Size(min = 8, max = 64, message = "must be 8 to 64 characters (RFC 3414)")
          String privPassword) {

    @AssertTrue(
        message =
            "v2c takes a community only; v3 takes user and authProtocol "
                + "(and privProtocol for privacy), never a community")
    @JsonIgnore
    public boolean isConsistent() {
      if ("v2c".equals(version)) {
        return user == null
            && authProtocol == null
            && authPassword == null
            && privProtocol == null
            && privPassword == null;
      }
      return community == null
          && user != null
          && authProtocol != null
          && (privPassword == null || privProtocol != null);
    }
  }

  /**
   * Which interface carries which ISP link. Names are preferred, because ifIndex can change after a
   * reboot; ifIndex alone is used when no name is given.
   */
  public record InterfaceMapping(
      @NotNull Long linkId,
      @Size(min = 1, max = 255) String ifName,
      @Size(min = 1, max = 255) String ifDescr,
      @Size(min = 1, max = 255) String ifAlias,
      @Min(1) Integer ifIndex) {

    @AssertTrue(message = "give at least one of ifName, ifDescr, ifAlias, ifIndex")
    @JsonIgnore
    public boolean isIdentified() {
      return ifName != null || ifDescr != null || ifAlias != null || ifIndex != null;
    }
  }
}
