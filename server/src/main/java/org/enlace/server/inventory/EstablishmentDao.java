package org.enlace.server.inventory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.enlace.server.domain.OpeningHours;
import org.enlace.server.domain.Sector;
import org.enlace.server.web.ApiException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jspecify.annotations.Nullable;

@RegisterRowMapper(EstablishmentDao.Mapper.class)
public interface EstablishmentDao {
  ObjectMapper JSON = new ObjectMapper();

  @SqlQuery(
      """
      SELECT code, name, kind, sector, address, latitude, longitude, official_code,
             opening_hours::text AS opening_hours, created_at, updated_at
      FROM establishments
      ORDER BY code
      """)
  List<Establishment> list();

  @SqlQuery(
      """
      SELECT code, name, kind, sector, address, latitude, longitude, official_code,
             opening_hours::text AS opening_hours, created_at, updated_at
      FROM establishments
      WHERE code = :code
      """)
  Optional<Establishment> find(String code);

  @SqlQuery("SELECT id FROM establishments WHERE code = :code")
  Optional<Long> idOf(String code);

  /** The establishment's id, or the API's 404 naming it. */
  default long idOrNotFound(String code) {
    return idOf(code).orElseThrow(() -> ApiException.notFound("establishment '" + code + "'"));
  }

  @SqlQuery("SELECT code FROM establishments WHERE id = :id")
  String codeOf(long id);

  @SqlUpdate(
      """
      INSERT INTO establishments (code, name, kind, sector, address, latitude, longitude,
      official_code, opening_hours) VALUES (:code, :name, :kind, :sector, :address, :lat, :lon,
      :officialCode, CAST(:hours AS jsonb)) ON CONFLICT (code) DO NOTHING
      """)
  int insertRow(
      String code,
      String name,
      String kind,
      String sector,
      String address,
      @Nullable Double lat, // null: no coordinates
      @Nullable Double lon,
      String officialCode,
      String hours);

  @SqlUpdate(
      """
      INSERT INTO rollup_dirty (establishment_id, day) SELECT d.establishment_id, d.day
      FROM establishment_days d JOIN establishments e ON e.id = d.establishment_id
      WHERE e.code = :code AND e.opening_hours <> CAST(:hours AS jsonb)
      """)
  int markDaysIfHoursChange(String code, String hours);

  @SqlUpdate(
      """
      UPDATE establishments SET name = :name, kind = :kind, sector = :sector,
      address = :address, latitude = :lat, longitude = :lon, official_code = :officialCode,
      opening_hours = CAST(:hours AS jsonb), updated_at = now() WHERE code = :code
      """)
  int updateRow(
      String code,
      String name,
      String kind,
      String sector,
      String address,
      @Nullable Double lat, // null: no coordinates
      @Nullable Double lon,
      String officialCode,
      String hours);

  @SqlQuery(
      """
      SELECT (SELECT count(*) FROM computers c WHERE c.establishment_id = e.id)
      + (SELECT count(*) FROM isp_links l WHERE l.establishment_id = e.id)
      + (SELECT count(*) FROM agents a WHERE a.establishment_id = e.id)
      + (SELECT count(*) FROM network_devices d WHERE d.establishment_id = e.id)
      FROM establishments e WHERE e.code = :code
      """)
  long dependents(String code);

  @SqlUpdate(
      """
      DELETE FROM enrollment_tokens WHERE establishment_id =
      (SELECT id FROM establishments WHERE code = :code)
      """)
  void deleteTokens(String code);

  @SqlUpdate("DELETE FROM establishments WHERE code = :code")
  int delete(@Bind("code") String code);

  default boolean insert(EstablishmentRequest r) {
    return insertRow(
            r.code(),
            r.name(),
            r.kind().wire(),
            r.sector().wire(),
            r.addressOrEmpty(),
            r.coordinatesIfAny().map(Coordinates::latitude).orElse(null),
            r.coordinatesIfAny().map(Coordinates::longitude).orElse(null),
            r.officialCodeOrEmpty(),
            hoursJson(r.openingHoursOrAlways()))
        == 1;
  }

  /**
   * Replaces an establishment. When its opening hours change, its past days are queued for the
   * rollup maintainer, so that availability and completeness are judged by the same hours on every
   * day of a report (the hours are not kept per day).
   */
  @org.jdbi.v3.sqlobject.transaction.Transaction
  default boolean update(EstablishmentRequest r) {
    markDaysIfHoursChange(r.code(), hoursJson(r.openingHoursOrAlways()));
    return updateRow(
            r.code(),
            r.name(),
            r.kind().wire(),
            r.sector().wire(),
            r.addressOrEmpty(),
            r.coordinatesIfAny().map(Coordinates::latitude).orElse(null),
            r.coordinatesIfAny().map(Coordinates::longitude).orElse(null),
            r.officialCodeOrEmpty(),
            hoursJson(r.openingHoursOrAlways()))
        == 1;
  }

  static String hoursJson(OpeningHours hours) {
    try {
      return JSON.writeValueAsString(hours.days());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  final class Mapper implements RowMapper<Establishment> {
    @Override
    public Establishment map(ResultSet rs, StatementContext ctx) throws SQLException {
      double lat = rs.getDouble("latitude");
      Optional<Coordinates> coordinates =
          rs.wasNull()
              ? Optional.empty()
              : Optional.of(new Coordinates(lat, rs.getDouble("longitude")));
      OpeningHours hours;
      try {
        hours = JSON.readValue(rs.getString("opening_hours"), OpeningHours.class);
      } catch (JsonProcessingException e) {
        throw new SQLException("opening_hours is not valid", e);
      }
      return new Establishment(
          rs.getString("code"),
          rs.getString("name"),
          EstablishmentKind.parse(rs.getString("kind")),
          Sector.parse(rs.getString("sector")),
          rs.getString("address"),
          coordinates,
          rs.getString("official_code"),
          hours,
          rs.getTimestamp("created_at").toInstant(),
          rs.getTimestamp("updated_at").toInstant());
    }
  }
}
