"""Sub-district streets (街道): their state as one table, and each street as a ``mesa.Agent`` view.

``StreetTable`` holds every street's state, a row per street: housing places by tenure, market
rent, non-residential floor space by type and its rents, the developable land left by use,
school and kindergarten places and community health centres, green space, parks and
greenways, the renewed homes still under works, and the results of the month's services
(pupils and enrolment, grid events, hospital access, service quality). Its teachers and its
own staff are read from the staffing ledger (``sim.agents.staffing``), which holds every quota.
Only its methods change it — deliveries, demolition, sales, land taken by projects, service
results — so every change to a street is a named event. Who lives in a street (residents, children, occupied
places) is not stored: it is read from the residents' census, which the residents keep current.

``Street`` is the view Mesa users find in ``model.agents``: one street's row, read-only.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.categories import CHILD, LEVELS, MARKET, RESETTLEMENT, STREET, VILLAGE


class StreetTable:
    """Every street's state; the processes and levers change it only through its methods."""

    def __init__(self, district, residents, scale: int, *, housing: np.ndarray, rent: np.ndarray, space: np.ndarray,
                 space_rent: np.ndarray, land: np.ndarray, staffing, school_places: np.ndarray,
                 kindergarten_places: np.ndarray, clinics: np.ndarray, green_m2: np.ndarray):
        n = district.n_streets
        self.n = n
        self._residents, self._scale = residents, scale
        self.housing = np.array(housing, dtype=float)  # places (persons), street × tenure
        self.rent = np.array(rent, dtype=float)  # market rent, yuan per m² a month
        self.rent_start = self.rent.copy()
        self.space = np.array(space, dtype=float)  # non-residential floor space (m²), street × space type
        self.space_rent = np.array(space_rent, dtype=float)  # yuan per m² a month, street × space type
        self.space_rent_start = self.space_rent.copy()
        self.space_occupancy = np.zeros_like(self.space)  # occupied share, as the firms phase last found it
        self.land = np.array(land, dtype=float)  # developable floor area left (m²), street × private use
        self._staffing = staffing  # teachers and street staff are the staffing ledger's (``sim.agents.staffing``)
        self.school_places = np.array(school_places, dtype=float)  # places (学位), street × school level
        self.kindergarten_places = np.array(kindergarten_places, dtype=float)
        self.clinics = np.array(clinics, dtype=np.int64)  # community health service centres
        self.green_m2 = np.array(green_m2, dtype=float)
        self.greenway_km = np.zeros(n)
        self.parks = np.zeros(n, dtype=np.int64)
        self.renewing: list[tuple[int, np.ndarray]] = []  # (month back, places by street) of homes under works
        # Results of the month's services (phase 8, ``SERVICE_RESULTS``); the grid overflow carries over.
        self.pupils = np.zeros((n, len(LEVELS)))  # children of each school level's ages (persons)
        self.students = np.zeros((n, len(LEVELS)))  # enrolled: pupils within the street's places
        self.students_per_teacher = np.zeros((n, len(LEVELS)))
        self.school_staffing = np.zeros(n)  # mean over levels of min(1, standard / students per teacher)
        self.preschool = np.zeros(n)  # children of kindergarten age (persons)
        self.kindergarten_enrolled = np.zeros(n)
        self.education_access = np.ones(n)  # mean over kindergarten and the school levels of min(1, places / pupils)
        self.doctors_per_1000 = np.zeros(n)  # the nearest open hospital's doctors per 1000 residents it serves
        self.hospital_minutes = np.zeros(n)  # minutes to the nearest open hospital
        self.clinic_coverage = np.ones(n)  # min(1, centres × residents a centre serves / residents)
        self.events = np.zeros(n)
        self.overflow = np.zeros(n)
        self.resolution_days = np.zeros(n)
        self.backlog = np.zeros(n)
        self.case_days = np.zeros(n)  # days a convenience-service case takes
        self.staff_per_10k = np.zeros(n)  # the street government's staff per 10,000 residents it serves
        self.service_quality = np.full(n, 0.5)

    # ------------------------------------------------------------------ who lives here (from the census)
    def occupancy(self) -> np.ndarray:
        """Occupied places (persons), street × tenure."""
        return (self._residents.census * self._scale).sum(axis=2).astype(float)

    def residents(self) -> np.ndarray:
        """Residents (persons) per street."""
        return self.occupancy().sum(axis=1)

    def children(self) -> np.ndarray:
        """Children (persons) per street."""
        return (self._residents.census * self._scale)[:, :, CHILD].sum(axis=1).astype(float)

    def vacant(self) -> np.ndarray:
        """Free housing places (persons), street × tenure."""
        return np.maximum(self.housing - self.occupancy(), 0.0)

    def vacant_rows(self) -> np.ndarray:
        """Free housing places in resident rows, tenure × street."""
        return np.floor(self.vacant().T / self._scale).astype(np.int64)

    def green_per_person(self) -> np.ndarray:
        return self.green_m2 / np.maximum(self.residents(), 1.0)

    @property
    def teachers(self) -> np.ndarray:
        """School teachers in post, street × level (the staffing ledger's)."""
        return self._staffing.teachers

    @property
    def staff(self) -> np.ndarray:
        """The streets' own staff in post (the staffing ledger's)."""
        return self._staffing.of(STREET)

    # ------------------------------------------------------------------ housing
    def deliver(self, street: int, tenure: int, places: float) -> None:
        """New housing places (persons) of a tenure in a street."""
        self.housing[street, tenure] += places

    def clear_village(self, street: int, places: float) -> None:
        """Villagers' houses (places) on a street's collective land are demolished."""
        self.housing[street, VILLAGE] -= places

    def renew(self, places: np.ndarray, back: int) -> None:
        """Market homes (places per street) under renewal works until month ``back``."""
        self.housing[:, MARKET] -= places
        if places.any():
            self.renewing.append((back, places.astype(float)))

    def return_renewed(self, month: int) -> None:
        """Renewed homes whose works end by ``month`` are lived in again."""
        for back, places in self.renewing:
            if back <= month:
                self.housing[:, MARKET] += places
        self.renewing = [(back, places) for back, places in self.renewing if back > month]

    def sell_resettlement(self, places: np.ndarray) -> None:
        """Resettlement places (per street) their owners leave become market housing."""
        self.housing[:, RESETTLEMENT] -= places
        self.housing[:, MARKET] += places

    def set_rents(self, rents: np.ndarray) -> None:
        self.rent = np.asarray(rents, dtype=float)

    # ------------------------------------------------------------------ floor space, land, green space
    def deliver_space(self, street: int, kind: int, m2: float) -> None:
        self.space[street, kind] += m2

    def set_space_market(self, rents: np.ndarray, occupancy: np.ndarray) -> None:
        """The month's floor-space rents and the occupancy they answered (street × space type)."""
        self.space_rent = np.asarray(rents, dtype=float)
        self.space_occupancy = np.asarray(occupancy, dtype=float)

    def take_land(self, street: int, use: int, m2: float) -> None:
        """A private project starts on ``m2`` of a street's developable floor area for a use."""
        self.land[street, use] -= m2

    def add_land(self, street: int, use: int, m2: float) -> None:
        """Developable floor area comes (back) to the market: a withdrawn project's, or cleared land."""
        self.land[street, use] += m2

    def plant(self, street: int, green_m2: float = 0.0, greenway_km: float = 0.0, parks: int = 0) -> None:
        self.green_m2[street] += green_m2
        self.greenway_km[street] += greenway_km
        self.parks[street] += parks

    # ------------------------------------------------------------------ staff and services
    def open_school(self, street: int, places: np.ndarray) -> None:
        """A new school site's places (学位) by level open in a street."""
        self.school_places[street] += places

    def open_kindergarten(self, street: int, places: float) -> None:
        self.kindergarten_places[street] += places

    def open_clinic(self, street: int) -> None:
        self.clinics[street] += 1

    def update_services(self, **results) -> None:
        """This month's service results (phase 8): the ``SERVICE_RESULTS`` columns."""
        unknown = set(results) - set(SERVICE_RESULTS)
        if unknown:
            raise ValueError(f"not a service result: {sorted(unknown)}")
        for name, value in results.items():
            setattr(self, name, value)


SERVICE_RESULTS = ("pupils", "students", "students_per_teacher", "school_staffing", "preschool",
                   "kindergarten_enrolled", "education_access", "doctors_per_1000", "hospital_minutes",
                   "clinic_coverage", "events", "overflow", "resolution_days", "backlog", "case_days", "staff_per_10k",
                   "service_quality")


def _read_only(value):
    if isinstance(value, np.ndarray):
        value = value.view()
        value.flags.writeable = False
        return value
    return value.item() if isinstance(value, np.generic) else value


class Street(mesa.Agent):
    """One street as a ``mesa.Agent``: its row of ``model.streets``, read-only."""

    def __init__(self, model, index: int):
        super().__init__(model)
        d = model.district
        self.index = index
        self.name = d.street_names[index]
        self.pinyin = d.street_pinyin[index]
        self.farming = bool(d.farming[index])

    def _row(self, column: str):
        return _read_only(getattr(self.model.streets, column)[self.index])

    housing = property(lambda self: self._row("housing"), doc="places (persons) by tenure")
    rent = property(lambda self: self._row("rent"), doc="market rent, yuan per m² a month")
    space = property(lambda self: self._row("space"), doc="floor space (m²) by space type")
    space_rent = property(lambda self: self._row("space_rent"), doc="floor-space rents by space type")
    land = property(lambda self: self._row("land"), doc="developable floor area left (m²) by private use")
    teachers = property(lambda self: self._row("teachers"), doc="teachers by school level")
    doctors_per_1000 = property(lambda self: self._row("doctors_per_1000"), doc="of the hospital the street uses")
    hospital_minutes = property(lambda self: self._row("hospital_minutes"), doc="to the hospital the street uses")
    school_places = property(lambda self: self._row("school_places"), doc="school places (学位) by level")
    kindergarten_places = property(lambda self: self._row("kindergarten_places"))
    clinics = property(lambda self: self._row("clinics"), doc="community health service centres")
    staff = property(lambda self: self._row("staff"), doc="the street's own staff in post (编制 and loans)")
    green_m2 = property(lambda self: self._row("green_m2"))
    parks = property(lambda self: self._row("parks"))
    students_per_teacher = property(lambda self: self._row("students_per_teacher"))
    backlog = property(lambda self: self._row("backlog"), doc="open grid events at month end")
    resolution_days = property(lambda self: self._row("resolution_days"))
    service_quality = property(lambda self: self._row("service_quality"))

    @property
    def residents(self) -> float:
        return float(self.model.streets.residents()[self.index])

    @property
    def occupancy(self) -> np.ndarray:
        """Occupied places (persons) by tenure."""
        return _read_only(self.model.streets.occupancy()[self.index])

