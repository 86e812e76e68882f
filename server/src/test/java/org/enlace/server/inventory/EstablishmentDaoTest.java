package org.enlace.server.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.enlace.server.domain.OpeningHours;
import org.enlace.server.domain.OpeningHours.Interval;
import org.enlace.server.domain.Sector;
import org.enlace.server.testing.TestJdbi;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

class EstablishmentDaoTest {
  private final Jdbi jdbi = TestJdbi.migrated();

  @Test
  void roundTripsEveryField() {
    EstablishmentDao dao = jdbi.onDemand(EstablishmentDao.class);
    OpeningHours hours =
        new OpeningHours(
            Map.of(
                "monday", List.of(new Interval("08:00", "12:00"), new Interval("14:00", "18:00"))));
    EstablishmentRequest r =
        new EstablishmentRequest(
            "alcaldia",
            "Alcaldía de El Contadero",
            EstablishmentKind.TOWN_HALL,
            Sector.ADMINISTRATION,
            "Carrera 3 # 4-10",
            new Coordinates(0.9311, -77.5495),
            "52210",
            hours);
    assertThat(dao.insert(r)).isTrue();
    assertThat(dao.insert(r)).isFalse();
    Establishment e = dao.find("alcaldia").orElseThrow();
    assertThat(e.name()).isEqualTo("Alcaldía de El Contadero");
    assertThat(e.kind()).isEqualTo(EstablishmentKind.TOWN_HALL);
    assertThat(e.coordinates()).contains(new Coordinates(0.9311, -77.5495));
    assertThat(e.openingHours()).isEqualTo(hours);
    assertThat(e.officialCode()).isEqualTo("52210");

    EstablishmentRequest noCoordinates =
        new EstablishmentRequest(
            "alcaldia",
            "Alcaldía",
            EstablishmentKind.TOWN_HALL,
            Sector.ADMINISTRATION,
            null,
            null,
            null,
            null);
    assertThat(dao.update(noCoordinates)).isTrue();
    Establishment updated = dao.find("alcaldia").orElseThrow();
    assertThat(updated.coordinates()).isEqualTo(Optional.empty());
    assertThat(updated.openingHours()).isEqualTo(OpeningHours.ALWAYS);
    assertThat(dao.dependents("alcaldia")).isZero();
    assertThat(dao.delete("alcaldia")).isEqualTo(1);
    assertThat(dao.find("alcaldia")).isEmpty();
  }
}
