package org.enlace.server.inventory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

@RegisterRowMapper(IspLinkDao.Mapper.class)
public interface IspLinkDao {
  String SELECT =
      """
      SELECT l.id, e.code, l.isp_name, l.technology, l.contracted_down_mbps,
      l.contracted_up_mbps, l.monthly_cost, l.currency, l.contract_start, l.contract_end,
      l.created_at, l.updated_at FROM isp_links l JOIN establishments e
      ON e.id = l.establishment_id
      """;

  @SqlQuery(
      """
      SELECT l.id, e.code, l.isp_name, l.technology, l.contracted_down_mbps,
      l.contracted_up_mbps, l.monthly_cost, l.currency, l.contract_start, l.contract_end,
      l.created_at, l.updated_at FROM isp_links l JOIN establishments e
      ON e.id = l.establishment_id
      WHERE e.code = :code ORDER BY l.id
      """)
  List<IspLink> listFor(String code);

  @SqlQuery(
      """
      SELECT l.id, e.code, l.isp_name, l.technology, l.contracted_down_mbps,
      l.contracted_up_mbps, l.monthly_cost, l.currency, l.contract_start, l.contract_end,
      l.created_at, l.updated_at FROM isp_links l JOIN establishments e
      ON e.id = l.establishment_id
      WHERE l.id = :id
      """)
  Optional<IspLink> find(long id);

  @SqlUpdate(
      """
      INSERT INTO isp_links (establishment_id, isp_name, technology, contracted_down_mbps,
      contracted_up_mbps, monthly_cost, currency, contract_start, contract_end) VALUES
      (:establishmentId, :r.ispName, :r.technologyOrEmpty, :r.contractedDownMbps,
      :r.contractedUpMbps, :r.monthlyCost, :r.currencyOrDefault, :r.contractStart,
      :r.contractEnd)
      """)
  @GetGeneratedKeys("id")
  long insert(long establishmentId, @BindMethods("r") IspLinkRequest r);

  @SqlUpdate(
      """
      UPDATE isp_links SET isp_name = :r.ispName, technology = :r.technologyOrEmpty,
      contracted_down_mbps = :r.contractedDownMbps, contracted_up_mbps = :r.contractedUpMbps,
      monthly_cost = :r.monthlyCost, currency = :r.currencyOrDefault,
      contract_start = :r.contractStart, contract_end = :r.contractEnd, updated_at = now()
      WHERE id = :id
      """)
  int update(long id, @BindMethods("r") IspLinkRequest r);

  @SqlUpdate("DELETE FROM isp_links WHERE id = :id")
  int delete(long id);

  final class Mapper implements RowMapper<IspLink> {
    @Override
    public IspLink map(ResultSet rs, StatementContext ctx) throws SQLException {
      return new IspLink(
          rs.getLong("id"),
          rs.getString("code"),
          rs.getString("isp_name"),
          rs.getString("technology"),
          rs.getBigDecimal("contracted_down_mbps").stripTrailingZeros(),
          rs.getBigDecimal("contracted_up_mbps").stripTrailingZeros(),
          Optional.ofNullable(rs.getBigDecimal("monthly_cost")),
          rs.getString("currency"),
          Optional.ofNullable(rs.getObject("contract_start", LocalDate.class)),
          Optional.ofNullable(rs.getObject("contract_end", LocalDate.class)),
          rs.getTimestamp("created_at").toInstant(),
          rs.getTimestamp("updated_at").toInstant());
    }
  }
}
