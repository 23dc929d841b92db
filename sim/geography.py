"""The district: streets, zones, sectors and the commute matrix, read from a data file.

The Chenghua file (``sim/data/chenghua.toml``) is the default; a user with real data passes
another file of the same shape. Every section is checked on load, so a wrong or missing number
is reported with the file and the field, never as a traceback deep in the model.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, fields
from functools import cache, cached_property, lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import Polygon, box, shape
from shapely.geometry.polygon import orient

from sim.categories import PRIVATE_USES, SPACE_TYPES, USES
from sim.data import DATA_FILE
from sim.errors import InputError, finite_number, read_toml, shown


@dataclass(frozen=True)
class DistrictInfo:
    name: str
    name_en: str
    population: int
    area_km2: float
    start: str
    working_days_per_month: float


@dataclass(frozen=True)
class PopulationInfo:
    share_child: float
    share_elderly: float
    share_talent: float
    participation: float
    unemployment: float
    out_commute_share: float
    posts_filled: float
    persons_per_household: float
    floor_m2_per_person: float
    births_per_1000_year: float
    elderly_deaths_per_1000_year: float
    market_housing_vacancy: float
    unemployed_income: float
    resettlement_rent_share: float


@dataclass(frozen=True)
class CommuteInfo:
    circuity: float
    access_min: float
    speed_kmh: float
    intra_street_km_per_sqrt_km2: float
    individual_sigma: float


@dataclass(frozen=True)
class ExternalInfo:
    """The rest of Chengdu as a whole: wages of its job offers, migrants, the in-commuter pool."""

    wage_mean: float
    talent_wage_premium: float
    wage_sigma: float
    migrant_share_child: float
    migrant_share_elderly: float
    migrant_share_talent: float
    incommuter_pool: float
    incommuter_wage_elasticity: float


@dataclass(frozen=True)
class OutsideArea:
    """One part of the rest of Chengdu, in the direction it lies from the district."""

    key: str
    name: str
    name_en: str
    x_km: float  # centroid of the area's jobs and workers that the district's commuters reach
    y_km: float
    spread_km: float  # extra km to the dispersed sites around that centroid
    job_share: float  # share of the openings elsewhere in Chengdu the district's seekers hear of that lie here
    worker_share: float  # share of the in-commuter pool that lives here


@dataclass(frozen=True)
class SpaceInfo:
    m2_per_job_office: float
    m2_per_job_factory: float
    m2_per_job_shop: float
    vacancy: float
    talent_apartment_m2_per_resident: float
    renewal_persons_per_m2: float
    persons_per_courtyard: float
    rent_office: float
    rent_factory: float
    rent_shop: float
    resettlement_unit_m2: float

    def m2_per_job(self) -> np.ndarray:
        """Floor space per job, indexed like ``SPACE_TYPES``."""
        return np.array([self.m2_per_job_office, self.m2_per_job_factory, self.m2_per_job_shop])

    def rents(self) -> np.ndarray:
        """District mean rent at the start (yuan per m² a month), indexed like ``SPACE_TYPES``."""
        return np.array([self.rent_office, self.rent_factory, self.rent_shop])


@dataclass(frozen=True)
class ProForma:
    """A private developer's figures for one use (``[development.<use>]``)."""

    project_m2: float
    build_cost: float
    cap_rate: float


@dataclass(frozen=True)
class DevelopmentInfo:
    """The development pipeline and the developers' pro-forma (``[development]``)."""

    land_months: float
    interest_per_year: float
    hurdle: float
    major_project_m2: float
    build_months_office: float
    build_months_factory: float
    build_months_shop: float
    build_months_housing: float
    build_months_talent: float
    build_months_resettlement: float
    build_months_school: float
    build_months_kindergarten: float
    build_months_clinic: float
    cleared_m2_per_villager: float
    cleared_share_office: float
    cleared_share_factory: float
    cleared_share_shop: float
    cleared_share_housing: float
    proforma: tuple = ()  # ProForma per private use, indexed like ``PRIVATE_USES``

    def build_months(self) -> np.ndarray:
        """Months of construction, indexed like ``USES``."""
        return np.array([getattr(self, f"build_months_{use}") for use in USES])

    def cleared_shares(self) -> np.ndarray:
        """How cleared collective land is zoned, indexed like ``PRIVATE_USES``."""
        return np.array([getattr(self, f"cleared_share_{use}") for use in PRIVATE_USES])

    def column(self, name: str) -> np.ndarray:
        """A pro-forma figure per private use, indexed like ``PRIVATE_USES``."""
        return np.array([getattr(p, name) for p in self.proforma])


@dataclass(frozen=True)
class PublicServicesInfo:
    primary_students_per_child: float
    junior_students_per_child: float
    senior_students_per_child: float
    standard_primary: float
    standard_junior: float
    standard_senior: float
    standard_kindergarten: float
    doctors_per_1000: float
    hospital_minutes_reference: float
    grid_events_per_1000_month: float
    events_per_staff_month: float
    event_handling_days: float
    misrouted_share: float
    misrouted_share_routed: float
    reroute_days: float
    events_routed_per_staff_month: float
    detection_saving: float
    service_cases_per_1000_month: float
    cases_per_staff_month: float
    case_handling_days: float
    green_m2_per_person: float
    school_place_spare: float
    school_m2_per_place: float
    preschool_share_of_children: float
    kindergarten_coverage: float
    kindergarten_m2_per_place: float
    clinics_per_street: int
    residents_per_clinic: float
    staff_per_clinic: float

    def students_per_child(self) -> np.ndarray:
        return np.array(
            [self.primary_students_per_child, self.junior_students_per_child, self.senior_students_per_child]
        )

    def standards(self) -> np.ndarray:
        return np.array([self.standard_primary, self.standard_junior, self.standard_senior])


@dataclass(frozen=True)
class StaffingInfo:
    """``[staffing]``: the staffing ledger at the start (``sim.agents.staffing``)."""

    approval_staff: float
    organs_per_1000: float
    institutions: float
    street_staff: float
    committee_staff: float
    school_quota_fill: float
    street_time_grid: float
    street_time_services: float
    headcount_cost_per_year: float
    headcount_basic_share: float
    headcount_less_share: float


@dataclass(frozen=True)
class Hospital:
    """A public hospital site (``[[hospitals]]``); ``merge_into``: the site it joins when merged."""

    name: str
    street: str
    merge_into: str


@dataclass(frozen=True)
class ApprovalInfo:
    days_per_item: float
    days_per_department: float
    online_saving: float
    one_window_saving: float
    full_agency_saving: float
    coordination_days: float
    noise_sigma: float
    centre_saving: float
    service_centre_zone: str
    items_per_staff_month: float
    load_start: float


@dataclass(frozen=True)
class ZonesCommonInfo:
    leads_per_staff_year: float
    large_investor_share: float
    large_investor_size: float
    lead_size_factor: float


@dataclass(frozen=True)
class Sector:
    key: str
    label: str
    label_en: str
    space: str
    wage: float
    talent_share: float
    public: bool = False
    size: float = 0.0
    growth_per_year: float = 0.0
    exit_per_year: float = 0.0
    staff_per_teacher: float = 0.0
    staff_per_doctor: float = 0.0


@dataclass(frozen=True)
class Zone:
    key: str
    name: str
    name_en: str
    streets: tuple[int, ...]
    coverage: tuple[float, ...]
    leading: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class District:
    """Everything the model reads from the data file, plus the derived commute matrix.

    Street arrays are indexed 0..n-1 in file order; indices ``n`` (``ext``) to ``n + A - 1`` are
    the A areas of the rest of Chengdu (``outside``) in the commute matrices and OD tables.
    """

    source: str
    info: DistrictInfo
    population: PopulationInfo
    commute: CommuteInfo
    external: ExternalInfo
    outside: tuple[OutsideArea, ...]
    space: SpaceInfo
    public: PublicServicesInfo
    staffing: StaffingInfo
    hospitals: tuple[Hospital, ...]
    approvals: ApprovalInfo
    zones_common: ZonesCommonInfo
    development: DevelopmentInfo
    sectors: tuple[Sector, ...]
    zones: tuple[Zone, ...]
    street_names: tuple[str, ...]
    street_pinyin: tuple[str, ...]
    xy: np.ndarray
    area_km2: np.ndarray
    street_population: np.ndarray
    street_jobs: np.ndarray
    street_sector_shares: np.ndarray  # street × sector share of private jobs
    rent: np.ndarray
    resettled: np.ndarray
    villagers: np.ndarray  # residents of villagers' houses on collective land at the start
    green_m2: np.ndarray
    farming: np.ndarray
    successor: np.ndarray  # each street's successor after the administrative adjustment (itself if it stays)
    land: np.ndarray  # developable floor area (m²) left at the start, street × private use
    km: np.ndarray
    minutes: np.ndarray

    @property
    def n_streets(self) -> int:
        return len(self.street_names)

    @cached_property
    def successor_names(self) -> tuple[str, ...]:
        """Each street's successor's name: the stable street key of the outputs."""
        return tuple(self.street_names[j] for j in self.successor)

    @property
    def ext(self) -> int:
        """Index of the first outside area in the commute matrices and OD tables."""
        return len(self.street_names)

    @property
    def n_areas(self) -> int:
        """Streets plus outside areas: the side of the commute matrices and OD tables."""
        return len(self.street_names) + len(self.outside)

    @property
    def area_names(self) -> tuple[str, ...]:
        """Street names, then the outside areas', indexed like the commute matrices."""
        return (*self.street_names, *(a.name for a in self.outside))

    @cached_property
    def outside_as_one(self) -> np.ndarray:
        """Each area's group when the outside areas count as one: the streets' own index, then n
        (for ``metrics.aggregate``: the tables ``metrics.balance`` reads)."""
        return np.minimum(np.arange(self.n_areas), self.n_streets)

    @cached_property
    def outside_job_share(self) -> np.ndarray:
        return np.array([a.job_share for a in self.outside])

    @cached_property
    def outside_worker_share(self) -> np.ndarray:
        return np.array([a.worker_share for a in self.outside])

    @cached_property
    def space_of_sector(self) -> np.ndarray:
        """Index in ``SPACE_TYPES`` of the floor space each sector uses."""
        return np.array([SPACE_TYPES.index(s.space) for s in self.sectors])

    @cached_property
    def public_sector(self) -> np.ndarray:
        """Whether each sector is a public employer (schools, hospitals, government)."""
        return np.array([s.public for s in self.sectors])

    @cached_property
    def wage_base(self) -> np.ndarray:
        """Non-talent wage per sector such that the sector's mean wage is the data's."""
        premium = self.external.talent_wage_premium
        return np.array([s.wage / (1.0 + s.talent_share * (premium - 1.0)) for s in self.sectors])

    def sector_index(self, key: str) -> int:
        return [s.key for s in self.sectors].index(key)

    def public_sector_indices(self) -> tuple[int, int, int]:
        """Sector indices of education, health and government, in that order."""
        return tuple(self.sector_index(key) for key in ("education", "health", "government"))

    def street_index(self, name: str) -> int:
        """Index of a street given by its Chinese name or pinyin (case-insensitive)."""
        for i, (zh, py) in enumerate(zip(self.street_names, self.street_pinyin, strict=True)):
            if name == zh or name.lower() == py.lower():
                return i
        raise KeyError(name)

    def outside_index(self, key: str) -> int:
        """Position among the outside areas of the one with this key."""
        keys = [a.key for a in self.outside]
        if key not in keys:
            raise InputError(f"unknown area {key!r}; the data file's [[outside]] areas: {', '.join(keys)}",
                             source=self.source, field="outside.key")
        return keys.index(key)

    @property
    def centre_zone(self) -> int:
        """Index of the zone of the government-service sub-centre (-1: none)."""
        keys = [z.key for z in self.zones]
        key = self.approvals.service_centre_zone
        return keys.index(key) if key in keys else -1

    def zone_of_street(self) -> np.ndarray:
        """Zone index of each street's whole-street footprint, -1 where no zone covers it."""
        out = np.full(self.n_streets, -1, dtype=np.int8)
        for z, zone in enumerate(self.zones):
            out[list(zone.streets)] = z
        return out

    @property
    def outline_file(self) -> Path:
        """Where the district's boundary is (GeoJSON in longitude and latitude): next to the data
        file, named after it (``chenghua.toml`` → ``chenghua_outline.geojson``)."""
        source = Path(self.source)
        return source.with_name(source.stem + OUTLINE_SUFFIX)

    def outline(self) -> list[np.ndarray]:
        """The district's boundary in km, one counter-clockwise ring (not closed) per part; empty
        when the data file has no outline file. For maps only."""
        region = _outline_km(str(self.outline_file))
        return [] if region is None else [_ring(part) for part in _polygons(region)]

    def street_polygons(self, margin_km: float = 2.5) -> list[np.ndarray]:
        """Stylised street shapes, for maps only (not real boundaries): a power diagram (Voronoi
        weighted by area) of the street positions, clipped to the district's outline (without an
        outline file, to a box ``margin_km`` around the positions), its weights fitted so each
        street's cell covers its share (by ``area_km2``) of the outline. One counter-clockwise
        ring (km, not closed) per street, in street order; a cell the outline splits in two keeps
        its larger piece. The positions are not moved: a street whose position lies outside the
        outline still gets its share inside it."""
        return [cell.copy() for cell in _street_cells(self, margin_km)]


# The km frame of ``x_km``, ``y_km``: km east / north of Tianfu Square (天府广场), which is here in
# WGS-84 longitude and latitude (the outline is in CGCS2000, within a metre of WGS-84).
ORIGIN_LONLAT = (104.0657, 30.6598)
EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)
OUTLINE_SUFFIX = "_outline.geojson"


def lonlat_to_km(lonlat: np.ndarray) -> np.ndarray:
    """Longitude and latitude (degrees, one point a row) to km east / north of Tianfu Square: an
    equirectangular projection at Tianfu Square's latitude, true to 0.1% across the district."""
    lon0, lat0 = ORIGIN_LONLAT
    km_per_degree = EARTH_RADIUS_KM * np.pi / 180
    d = np.asarray(lonlat, dtype=float) - (lon0, lat0)
    return np.column_stack([d[:, 0] * km_per_degree * np.cos(np.radians(lat0)), d[:, 1] * km_per_degree])


@cache
def _outline_km(path: str):
    """The outline file's polygons in km as one shapely geometry, or None if there is no file."""
    if not Path(path).is_file():
        return None
    try:
        features = json.loads(Path(path).read_text(encoding="utf-8"))["features"]
        region = shapely.union_all([shape(f["geometry"]) for f in features])
    except (ValueError, KeyError, TypeError, AttributeError, shapely.errors.GEOSException) as exc:
        raise InputError(f"not a GeoJSON FeatureCollection of polygons ({exc})", source=path,
                         field="features") from exc
    if region.is_empty or region.geom_type not in ("Polygon", "MultiPolygon"):
        raise InputError("must hold at least one polygon", source=path, field="features")
    return shapely.transform(region, lonlat_to_km)


@lru_cache(maxsize=16)
def _street_cells(district: District, margin_km: float) -> tuple[np.ndarray, ...]:
    """``District.street_polygons``, computed once per district (the fit takes a fifth of a second)."""
    region = _outline_km(str(district.outline_file))
    if region is None:
        lo, hi = district.xy.min(axis=0) - margin_km, district.xy.max(axis=0) + margin_km
        region = box(*lo, *hi)
    area = district.area_km2
    share = np.maximum(area, area.mean() / 20) if area.any() else np.ones(len(area))  # a street of area 0 shows too
    return tuple(_ring(cell) for cell in _power_cells(district.xy, share / share.sum() * region.area, region))


def _power_cells(points: np.ndarray, target: np.ndarray, region, rounds: int = 100) -> list:
    """The cells, inside ``region`` (a shapely polygon), of a power diagram of ``points`` whose
    weights are fitted so that cell i's area is ``target[i]`` (to 1%, within ``rounds`` rounds);
    each cell is one shapely polygon (the largest piece where the region splits it)."""
    lo = np.minimum(points.min(axis=0), region.bounds[:2]) - 1.0
    hi = np.maximum(points.max(axis=0), region.bounds[2:]) + 1.0
    frame = np.array([[lo[0], lo[1]], [hi[0], lo[1]], [hi[0], hi[1]], [lo[0], hi[1]]])  # holds every cell
    weight = target / np.pi  # a street's "radius²"
    for _ in range(rounds):
        cells = []
        for i, p in enumerate(points):
            cell = frame
            for j, q in enumerate(points):
                if i != j:  # keep x with |x−p|² − w_i ≤ |x−q|² − w_j
                    cell = _clip(cell, 2.0 * (q - p), (q @ q - weight[j]) - (p @ p - weight[i]))
            cells.append(_largest_piece(Polygon(cell).intersection(region)) if len(cell) >= 3 else Polygon())
        area = np.array([c.area for c in cells])
        if np.all(np.abs(area - target) <= 0.01 * target):
            break
        # Raising w_i by δ moves each edge of cell i out by δ / 2d (d: the distance to that
        # neighbour); with neighbours about 2r away, the cell (≈ πr²) grows by about πδ/2.
        weight = weight + 0.8 * (target - area) * 2 / np.pi
    return cells


def _polygons(geometry) -> list:
    """The polygons of a shapely (multi)polygon or collection."""
    return [g for g in getattr(geometry, "geoms", [geometry]) if g.geom_type == "Polygon" and not g.is_empty]


def _largest_piece(geometry) -> Polygon:
    return max(_polygons(geometry), key=lambda g: g.area, default=Polygon())


def _ring(polygon) -> np.ndarray:
    """A shapely polygon's exterior as a counter-clockwise (x, y) array, not closed."""
    return np.asarray(orient(polygon, 1.0).exterior.coords)[:-1] if not polygon.is_empty else np.zeros((0, 2))


def _clip(polygon: np.ndarray, normal: np.ndarray, bound: float) -> np.ndarray:
    """Sutherland–Hodgman: the part of a convex polygon where normal · x ≤ bound."""
    out = []
    n = len(polygon)
    for k in range(n):
        a, b = polygon[k], polygon[(k + 1) % n]
        fa, fb = normal @ a - bound, normal @ b - bound
        if fa <= 0:
            out.append(a)
        if fa * fb < 0:
            out.append(a + (b - a) * fa / (fa - fb))
    return np.array(out) if out else np.zeros((0, 2))


def _section(cls, table: object, where: str, source: str):
    """Build a section dataclass from a TOML table, checking keys and number types."""
    if not isinstance(table, dict):
        keys = ", ".join(f.name for f in fields(cls))
        raise InputError(f"must be a table with keys {keys}", source=source, field=where)
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(table) - names)
    if unknown:
        raise InputError(f"unknown key {unknown[0]!r}; allowed: {', '.join(sorted(names))}", source=source, field=where)
    values = {}
    for f in fields(cls):
        if f.name not in table:
            if f.default is not dataclasses.MISSING:
                continue
            raise InputError("missing", source=source, field=f"{where}.{f.name}")
        value = table[f.name]
        kind = f.type if isinstance(f.type, str) else f.type.__name__
        if kind == "float":
            if not finite_number(value):
                raise InputError(f"must be a finite number, got {shown(value)}", source=source,
                                 field=f"{where}.{f.name}")
            value = float(value)
            if value < 0 and f.name not in ("x_km", "y_km", "growth_per_year"):
                raise InputError(f"must be ≥ 0, got {value}", source=source, field=f"{where}.{f.name}")
        elif kind == "int":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10**9:
                raise InputError(f"must be a whole number from 0 to 1,000,000,000, got {shown(value)}", source=source,
                                 field=f"{where}.{f.name}")
        elif kind == "str" and not isinstance(value, str):
            raise InputError(f"must be text, got {shown(value)}", source=source, field=f"{where}.{f.name}")
        elif kind == "bool" and not isinstance(value, bool):
            raise InputError(f"must be true or false, got {shown(value)}", source=source, field=f"{where}.{f.name}")
        values[f.name] = value
    return cls(**values)


def _development(table: object, source: str) -> DevelopmentInfo:
    """``[development]`` with one ``[development.<use>]`` pro-forma table per private use."""
    if not isinstance(table, dict):
        return _section(DevelopmentInfo, table, "development", source)  # (reports what it must hold)
    flat = {k: v for k, v in table.items() if k not in PRIVATE_USES}
    proforma = tuple(_section(ProForma, table.get(use), f"development.{use}", source) for use in PRIVATE_USES)
    for use, p in zip(PRIVATE_USES, proforma, strict=True):
        if p.cap_rate <= 0 or p.project_m2 <= 0:
            field = "cap_rate" if p.cap_rate <= 0 else "project_m2"
            raise InputError("must be above 0", source=source, field=f"development.{use}.{field}")
    info = _section(DevelopmentInfo, flat, "development", source)
    if abs(info.cleared_shares().sum() - 1.0) > 1e-6:
        raise InputError(f"the cleared_share_* values sum to {info.cleared_shares().sum():.4f}, not 1", source=source,
                         field="development.cleared_share_housing")
    return dataclasses.replace(info, proforma=proforma)


def _outside(table: object, source: str) -> tuple[OutsideArea, ...]:
    """The ``[[outside]]`` areas, checked: at least one, distinct keys and names, shares summing to 1."""
    if not isinstance(table, list) or not table:
        raise InputError("must list at least one [[outside]] area of the rest of Chengdu", source=source,
                         field="outside")
    areas = tuple(_section(OutsideArea, t, f"outside[{i}]", source) for i, t in enumerate(table))
    for key in ("key", "name"):
        values = [getattr(a, key) for a in areas]
        if len(set(values)) != len(values):
            raise InputError(f"each area's {key} must be unique", source=source, field=f"outside.{key}")
    for key in ("job_share", "worker_share"):
        total = sum(getattr(a, key) for a in areas)
        if abs(total - 1) > 1e-6:
            raise InputError(f"the areas' {key} values sum to {total:.4f}, not 1", source=source,
                             field=f"outside.{key}")
    return areas


def _hospitals(table: object, names: list[str], source: str) -> tuple[Hospital, ...]:
    """The ``[[hospitals]]`` sites, checked: in known streets, unique names, each merging into a
    site listed before it (so any number kept keeps a site to join)."""
    if not isinstance(table, list) or not table:
        raise InputError("must list at least one [[hospitals]] site", source=source, field="hospitals")
    sites = tuple(_section(Hospital, t, f"hospitals[{i}]", source) for i, t in enumerate(table))
    seen: list[str] = []
    for i, h in enumerate(sites):
        if h.street not in names:
            raise InputError(f"unknown street {h.street!r}", source=source, field=f"hospitals[{i}].street")
        if h.name in seen:
            raise InputError("each hospital's name must be unique", source=source, field=f"hospitals[{i}].name")
        if i > 0 and h.merge_into not in seen:
            raise InputError("must name a hospital listed before this one (the site it joins when merged)",
                             source=source, field=f"hospitals[{i}].merge_into")
        if i == 0 and h.merge_into:
            raise InputError("the first hospital is never merged: leave merge_into empty", source=source,
                             field="hospitals[0].merge_into")
        seen.append(h.name)
    return sites


def _successors(streets: list, names: list[str], source: str) -> np.ndarray:
    """Each street's successor (``successor``: the street it merges into when the administrative
    adjustment happens; absent: it stays), checked: a known street that itself stays."""
    out = np.arange(len(names))
    for i, street in enumerate(streets):
        name = street.get("successor", "") if isinstance(street, dict) else ""
        if name == "":
            continue
        where = f"streets[{i}].successor"
        if not isinstance(name, str) or name not in names or name == names[i]:
            raise InputError(f"must name another street of the file, got {shown(name)}", source=source, field=where)
        if streets[names.index(name)].get("successor", ""):
            raise InputError(f"{name!r} merges into another street itself; name the street it stays in",
                             source=source, field=where)
        out[i] = names.index(name)
    return out


def _street_column(streets: list, key: str, kind, source: str) -> list:
    out = []
    for i, street in enumerate(streets):
        where = f"streets[{i}].{key}"
        if not isinstance(street, dict) or key not in street:
            raise InputError("missing", source=source, field=where)
        value = street[key]
        if kind is float:
            if not finite_number(value):
                raise InputError(f"must be a finite number, got {shown(value)}", source=source, field=where)
            if value < 0 and key not in ("x_km", "y_km"):
                raise InputError(f"must be ≥ 0, got {value}", source=source, field=where)
        elif not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise InputError(f"must be {kind.__name__}, got {shown(value)}", source=source, field=where)
        out.append(value)
    return out


def derive_commute_matrices(xy: np.ndarray, area: np.ndarray, commute: CommuteInfo,
                            outside: tuple[OutsideArea, ...]):
    """Network km and door-to-door minutes from stylised coordinates (how the file's matrix was made)."""
    n = len(xy)
    points = np.vstack([xy, [[a.x_km, a.y_km] for a in outside]])
    straight = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    km = commute.circuity * straight
    spread = np.array([a.spread_km for a in outside])
    km[:n, n:] += spread[None, :]
    km[n:, :n] += spread[:, None]
    km[np.arange(n), np.arange(n)] = commute.intra_street_km_per_sqrt_km2 * np.sqrt(area)
    km[n:, n:] = np.nan  # between outside areas: outside the model
    minutes = commute.access_min + km / commute.speed_kmh * 60.0
    return km, minutes


def _matrix_section(table: object, names: list[str], outside: list[str], source: str):
    """The commute matrix (km and minutes) over the streets and the outside areas, checked."""
    where = "commute_matrix"
    if not isinstance(table, dict):
        raise InputError("missing: a table with areas, km and minutes", source=source, field=where)
    areas = [*names, *outside]
    if table.get("areas") != areas:
        raise InputError(f"areas must list the streets in file order, then the [[outside]] areas: {areas}",
                         source=source, field=f"{where}.areas")
    out = []
    for key in ("km", "minutes"):
        try:
            m = np.array(table.get(key), dtype=float)
        except (TypeError, ValueError, OverflowError):
            m = np.zeros(0)
        n, n_streets = len(areas), len(names)
        if m.shape != (n, n):
            raise InputError(f"must be {n} rows of {n} numbers (streets, then the outside areas)", source=source,
                             field=f"{where}.{key}")
        inside = m.copy()
        inside[n_streets:, n_streets:] = 0.0  # between outside areas is not used
        if not np.isfinite(inside).all() or (inside < 0).any():
            raise InputError("must hold finite numbers ≥ 0", source=source, field=f"{where}.{key}")
        m[n_streets:, n_streets:] = np.nan
        out.append(m)
    return out[0], out[1]


def matrix_toml(path: str | Path = DATA_FILE) -> str:
    """The commute matrix a data file's coordinates and [commute] parameters imply, as TOML to paste in."""
    source = str(path)
    raw = read_toml(path)
    commute = _section(CommuteInfo, raw.get("commute"), "commute", source)
    outside = _outside(raw.get("outside"), source)
    streets = raw.get("streets", [])
    xy = np.column_stack([_street_column(streets, k, float, source) for k in ("x_km", "y_km")])
    area = np.array(_street_column(streets, "area_km2", float, source))
    km, minutes = derive_commute_matrices(xy, area, commute, outside)

    def rows(m):
        return "\n".join("  [" + ", ".join(f"{v:.2f}" for v in np.nan_to_num(r, nan=0.0)) + "]," for r in m)

    areas = ", ".join(f'"{a}"' for a in [*_street_column(streets, "name", str, source), *(a.name for a in outside)])
    return f"[commute_matrix]\nareas = [{areas}]\nkm = [\n{rows(km)}\n]\nminutes = [\n{rows(minutes)}\n]\n"


def load_district(path: str | Path = "") -> District:
    """Read and check a district data file (empty: the built-in Chenghua file); raise
    ``InputError`` naming the bad field."""
    return _load_cached(str(Path(path or DATA_FILE).resolve()))


@cache
def _load_cached(path: str) -> District:
    source = path
    raw = read_toml(path)

    def section(cls, key):
        return _section(cls, raw.get(key), key, source)

    info = section(DistrictInfo, "district")
    population = section(PopulationInfo, "population")
    commute = section(CommuteInfo, "commute")
    external = section(ExternalInfo, "external")
    outside = _outside(raw.get("outside"), source)
    space = section(SpaceInfo, "space")
    public = section(PublicServicesInfo, "public_services")
    staffing = section(StaffingInfo, "staffing")
    approvals = section(ApprovalInfo, "approvals")
    zones_common = section(ZonesCommonInfo, "zones_common")
    development = _development(raw.get("development"), source)

    sectors_raw = raw.get("sectors")
    if not isinstance(sectors_raw, dict) or not sectors_raw:
        raise InputError("must define at least one sector table", source=source, field="sectors")
    sectors = tuple(
        _section(Sector, {"key": key, **table} if isinstance(table, dict) else table, f"sectors.{key}", source)
        for key, table in sectors_raw.items()
    )
    for s in sectors:
        if s.space not in SPACE_TYPES:
            raise InputError(f"must be one of {', '.join(SPACE_TYPES)}", source=source, field=f"sectors.{s.key}.space")
        if not s.public and s.size < 1:
            raise InputError("a private sector needs a mean firm size ≥ 1", source=source,
                             field=f"sectors.{s.key}.size")
    for key in ("education", "health", "government"):
        if key not in [s.key for s in sectors] or not sectors[[s.key for s in sectors].index(key)].public:
            raise InputError("a public sector of this name is required", source=source, field=f"sectors.{key}")
    private = [s.key for s in sectors if not s.public]

    streets = raw.get("streets")
    if not isinstance(streets, list) or len(streets) < 2:
        raise InputError("must list at least two [[streets]]", source=source, field="streets")
    names = _street_column(streets, "name", str, source)
    pinyin = _street_column(streets, "pinyin", str, source)
    if len(set(names)) != len(names):
        raise InputError("street names must be unique", source=source, field="streets.name")
    col = {k: np.array(_street_column(streets, k, float, source), dtype=float)
           for k in ("x_km", "y_km", "area_km2", "population", "jobs", "rent", "resettled", "villagers", "green_m2")}
    farming = np.array(_street_column(streets, "farming", bool, source))
    successor = _successors(streets, names, source)
    land = np.column_stack([_street_column(streets, f"land_{use}", float, source) for use in PRIVATE_USES])
    crowded = np.flatnonzero(col["resettled"] + col["villagers"] > col["population"])
    if len(crowded):
        raise InputError("resettled + villagers exceed the street's population", source=source,
                         field=f"streets[{crowded[0]}].villagers")
    total = int(col["population"].sum())
    if abs(total - info.population) > 0.5:
        raise InputError(
            f"street populations sum to {total}, not the district total {info.population}",
            source=source, field="streets.population",
        )
    profiles = raw.get("profiles", {})
    shares = np.zeros((len(names), len(sectors)))
    for i, profile in enumerate(_street_column(streets, "profile", str, source)):
        if profile not in profiles:
            raise InputError(f"unknown profile {profile!r}; defined: {', '.join(profiles)}", source=source,
                             field=f"streets[{i}].profile")
        table = profiles[profile]
        unknown = sorted(set(table) - set(private))
        if unknown:
            raise InputError(f"unknown sector {unknown[0]!r}; private sectors: {', '.join(private)}",
                             source=source, field=f"profiles.{profile}")
        for key, share in table.items():
            shares[i, [s.key for s in sectors].index(key)] = share
        if abs(shares[i].sum() - 1) > 1e-6:
            raise InputError(f"shares sum to {shares[i].sum():.4f}, not 1", source=source, field=f"profiles.{profile}")

    zones = []
    for z, table in enumerate(raw.get("zones", [])):
        where = f"zones[{z}]"
        if not isinstance(table, dict):
            raise InputError("must be a table", source=source, field=where)
        for key in ("key", "name", "name_en", "streets", "coverage", "leading"):
            if key not in table:
                raise InputError("missing", source=source, field=f"{where}.{key}")
        unknown = [s for s in table["streets"] if s not in names]
        if unknown:
            raise InputError(f"unknown street {unknown[0]!r}", source=source, field=f"{where}.streets")
        cov = table["coverage"]
        if len(cov) != len(table["streets"]) or any(
            isinstance(c, bool) or not isinstance(c, int | float) or not 0 <= c <= 1 for c in cov
        ):
            raise InputError("needs one share in [0, 1] per street", source=source, field=f"{where}.coverage")
        bad = [k for k in table["leading"] if k not in private]
        if bad:
            raise InputError(f"unknown sector {bad[0]!r}; private sectors: {', '.join(private)}",
                             source=source, field=f"{where}.leading")
        zones.append(Zone(
            key=table["key"], name=table["name"], name_en=table["name_en"],
            streets=tuple(names.index(s) for s in table["streets"]), coverage=tuple(float(c) for c in cov),
            leading=tuple([s.key for s in sectors].index(k) for k in table["leading"]),
        ))
    if approvals.service_centre_zone and approvals.service_centre_zone not in [z.key for z in zones]:
        raise InputError(f"unknown zone {approvals.service_centre_zone!r}; zones: {', '.join(z.key for z in zones)}",
                         source=source, field="approvals.service_centre_zone")
    claimed = [s for zone in zones for s in zone.streets]
    if len(claimed) != len(set(claimed)):
        raise InputError("a street may belong to one zone only", source=source, field="zones.streets")

    xy = np.column_stack([col["x_km"], col["y_km"]])
    clash = [a.name for a in outside if a.name in names]
    if clash:
        raise InputError(f"{clash[0]!r} is also a street's name", source=source, field="outside.name")
    km, minutes = _matrix_section(raw.get("commute_matrix"), names, [a.name for a in outside], source)
    hospitals = _hospitals(raw.get("hospitals"), names, source)
    split = staffing.street_time_grid + staffing.street_time_services
    if split > 1 + 1e-9:
        raise InputError(f"street_time_grid + street_time_services is {split:.3f}, more than 1", source=source,
                         field="staffing.street_time_services")
    return District(
        source=source, info=info, population=population, commute=commute, external=external, outside=outside,
        space=space,
        public=public, staffing=staffing, hospitals=hospitals, approvals=approvals, zones_common=zones_common,
        development=development, sectors=sectors,
        zones=tuple(zones),
        street_names=tuple(names), street_pinyin=tuple(pinyin), xy=xy, area_km2=col["area_km2"],
        street_population=col["population"], street_jobs=col["jobs"], street_sector_shares=shares,
        rent=col["rent"], resettled=col["resettled"], villagers=col["villagers"], green_m2=col["green_m2"],
        farming=farming, successor=successor,
        land=land.astype(float), km=km, minutes=minutes,
    )


if __name__ == "__main__":
    # Data preparation: print the matrix the coordinates and [commute] parameters imply.
    import sys

    print(matrix_toml(sys.argv[1] if len(sys.argv) > 1 else DATA_FILE), end="")
