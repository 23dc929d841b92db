"""Residents: persons living in the district, one row per ``scale`` persons.

Each row has a home street, an age band, a skill (talent = tertiary-educated), a labour-force
flag, an employer (a firm row, ``EXTERNAL_JOB`` for a job elsewhere in Chengdu, or ``NO_JOB``),
its work area (street or outside), a wage, a personal commute factor and its commute minutes, a
housing tenure, the month it started looking for work, and a satisfaction (获得感) score. The rules here concern a
resident alone; markets match residents with firms and homes.

Aggregates the month needs again and again — the census by street, tenure and age band, resident
workers per firm, each worker's commute and origin–destination cell — are kept current by the
few methods that change homes, jobs and ages (``add``, ``remove``, ``move``, ``take_jobs``,
``quit_jobs``, ``grow_older``), instead of being recounted over every row each time they are read.
``recount`` recomputes them from scratch; the tests check the two agree.
"""

from __future__ import annotations

import numba
import numpy as np

from sim.agents.population import Population, sample_rows
from sim.categories import AGE_BANDS, CHILD, ELDERLY, TENURES, WORKING
from sim.compiled import inline, kernel

NO_JOB = -1
EXTERNAL_JOB = -2
ENTRIES = ("initial", "born", "arrived")  # how a person came to live in the district (``entry``)
INITIAL, BORN, ARRIVED = range(3)


class Residents(Population):
    COLUMNS = {
        "home": (np.int8, -1),
        "age": (np.int8, -1),  # -1 on an empty row, so age tests need no `alive`
        "talent": (np.bool_, False),
        "active": (np.bool_, False),
        "employer": (np.intp, NO_JOB),
        "work_area": (np.int8, -1),  # street of the workplace, the index of its outside area, or -1
        "wage": (np.float32, 0.0),
        "factor": (np.float32, 1.0),
        "commute": (np.float32, 0.0),  # one-way minutes to work; 0 without a job
        "commute_km": (np.float32, 0.0),  # one-way km to work; 0 without a job
        "od": (np.intp, 0),  # 1 + home × areas + work area for workers, 0 otherwise (an OD-table cell)
        "tenure": (np.int8, 0),
        "cell": (np.intp, 0),  # 1 + tenure × streets + home (a housing option); 0 for an empty row
        "searching_since": (np.int16, 0),  # month the row last lost or left a job (or arrived)
        "satisfaction": (np.float64, 60.0),
        "displaced": (np.int8, 0),  # must move: 0 no, RENEWAL (its home is under renewal works)
        "entered": (np.int16, 0),  # month the person was born here or arrived (0: living here at the start)
        "entry": (np.int8, 0),  # how: INITIAL, BORN or ARRIVED
    }

    def __init__(self, minutes: np.ndarray, km: np.ndarray, n_streets: int, street_zone: np.ndarray | None = None):
        super().__init__()
        self.minutes = minutes.astype(np.float32)  # areas × areas, the district's commute matrix
        self.km = km.astype(np.float32)
        self.n_areas = len(minutes)  # the streets, then the outside areas
        self.n_streets = n_streets
        # Zone footprint of each area (-1: none; the outside areas are in none).
        self.area_zone = np.full(self.n_areas, -1, dtype=np.int64)
        if street_zone is not None:
            self.area_zone[: self.n_streets] = street_zone
        self.census = np.zeros((self.n_streets, len(TENURES), len(AGE_BANDS)), dtype=np.int64)  # rows
        self.labour = np.zeros((self.n_streets, 2), dtype=np.int64)  # labour-force rows, street × (other, talent)
        self.workers = np.zeros(16, dtype=np.int64)  # resident workers per firm row
        self.talent_workers = np.zeros(16, dtype=np.int64)
        # talent workers living in the footprint zone of the firm's street
        self.talent_near = np.zeros(16, dtype=np.int64)
        self.commute_sum = np.zeros(16)  # their commute minutes, summed per firm row
        cells = 1 + self.n_areas * self.n_areas
        self.od_count = np.zeros(cells, dtype=np.int64)  # workers per OD cell (cell 0: no job)
        self.od_factor = np.zeros(cells)  # the sum of their commute factors
        self.long_commutes = np.zeros(3, dtype=np.int64)  # workers over 5 km, over 45 min, over 60 min
        self.seen = np.zeros(0, dtype=bool)  # scratch for ``sample``: a flag per row, all False between calls

    # ---------------------------------------------------------------- bookkeeping
    def add(self, n: int, **values) -> np.ndarray:
        rows = super().add(n, **values)
        self._housing_cell(rows)
        self._count(rows, +1)
        return rows

    def remove(self, rows: np.ndarray, why: str = "") -> None:
        """People leave (``why``: died, or left for elsewhere): their jobs and places are released."""
        self._firm_totals(rows, -1)
        self._od_totals(rows, -1)
        self._count(rows, -1)
        super().remove(rows, why)

    def _housing_cell(self, rows: np.ndarray) -> None:
        self.cell[rows] = 1 + self.tenure[rows].astype(np.intp) * self.n_streets + self.home[rows]

    def _census_cells(self, rows: np.ndarray) -> np.ndarray:
        return (self.home[rows].astype(np.int64) * len(TENURES) + self.tenure[rows]) * len(AGE_BANDS) + self.age[rows]

    def _count(self, rows: np.ndarray, sign: int) -> None:
        cells = self._census_cells(rows)
        self.census += sign * np.bincount(cells, minlength=self.census.size).reshape(self.census.shape)
        members = rows[self.active[rows]]
        self.labour += sign * np.bincount(self.home[members].astype(np.int64) * 2 + self.talent[members],
                                          minlength=self.labour.size).reshape(self.labour.shape)

    def _firm_totals(self, rows: np.ndarray, sign: int) -> None:
        """Add (+1) or take away (−1) rows' jobs in the per-firm worker counts and commute sums."""
        if len(rows) == 0:
            return
        self.firm_counts(int(self.employer[rows].max()) + 1)
        count_at_firms(rows, self.employer, self.talent, self.commute, self.home, self.work_area, self.area_zone, sign,
                       self.workers, self.talent_workers, self.talent_near, self.commute_sum)

    def firm_counts(self, n_firms: int) -> tuple[np.ndarray, np.ndarray]:
        """Resident workers and talent workers per firm row (arrays of length ``n_firms``)."""
        if len(self.workers) < n_firms:
            grow = n_firms - len(self.workers)
            self.workers = np.concatenate([self.workers, np.zeros(grow, dtype=np.int64)])
            self.talent_workers = np.concatenate([self.talent_workers, np.zeros(grow, dtype=np.int64)])
            self.talent_near = np.concatenate([self.talent_near, np.zeros(grow, dtype=np.int64)])
            self.commute_sum = np.concatenate([self.commute_sum, np.zeros(grow)])
        return self.workers[:n_firms], self.talent_workers[:n_firms]

    def labour_by_home(self) -> np.ndarray:
        """Labour-force members (rows) by home street and skill: streets × (other, talent)."""
        return self.labour.copy()

    def talent_living_in_zone(self, firm_zone: np.ndarray, n_zones: int) -> np.ndarray:
        """Talent workers (rows) of each zone's firms who live in that zone's streets, per zone
        (``firm_zone`` per firm row, −1: none). A zone firm's zone is its street's footprint zone,
        so these are the kept ``talent_near`` counts of the zone's firms."""
        firms = np.flatnonzero(firm_zone >= 0)
        self.firm_counts(len(firm_zone))
        return np.bincount(firm_zone[firms], weights=self.talent_near[firms], minlength=n_zones).astype(np.int64)

    def set_minutes(self, minutes: np.ndarray) -> None:
        """A new commute matrix: every worker's commute, OD totals and firms' commute sums follow."""
        rows = np.flatnonzero(self.alive & (self.work_area >= 0))
        self._firm_totals(rows, -1)
        self.minutes = minutes.astype(np.float32)
        self._route(rows)
        self._firm_totals(rows, +1)

    def _od_totals(self, rows: np.ndarray, sign: int) -> None:
        count_commutes(rows, self.od, self.factor, self.commute, self.commute_km, sign, self.od_count, self.od_factor,
                       self.long_commutes)

    def _route(self, rows: np.ndarray) -> None:
        """Commute minutes, km and OD cell of (distinct) rows from their home and work area."""
        route(rows, self.home, self.work_area, self.factor, self.minutes, self.km, self.commute, self.commute_km,
              self.od, self.od_count, self.od_factor, self.long_commutes)

    # ---------------------------------------------------------------- the rules
    @property
    def living(self) -> int:
        """Live rows (from the census: no pass over the rows)."""
        return int(self.census.sum())

    def employed_count(self) -> int:
        return int(self.od_count[1:].sum())

    def sample(self, rng: np.random.Generator, p: float, among: str = "alive") -> np.ndarray:
        """Rows to which an event of probability ``p`` happens this month, each independently:
        a binomial count and a uniform subset (``sample_rows``) of the live rows, the employed,
        workers commuting over an hour, or one age band (``among`` = "alive", "employed",
        "long_commute", "child", "working" or "elderly")."""
        if among == "alive":
            n, eligible = self.living, lambda rows: self.alive[rows]
        elif among == "employed":
            n, eligible = self.employed_count(), lambda rows: self.work_area[rows] >= 0  # (int8: cheaper to read)
        elif among == "long_commute":
            n, eligible = int(self.long_commutes[2]), lambda rows: self.commute[rows] > 60.0
        else:
            band = {"child": CHILD, "working": WORKING, "elderly": ELDERLY}[among]
            n, eligible = int(self.census[:, :, band].sum()), lambda rows: self.age[rows] == band
        if len(self.seen) != self.capacity:
            self.seen = np.zeros(self.capacity, dtype=bool)
        return sample_rows(rng, self.seen, eligible, n, rng.binomial(n, min(p, 1.0)))

    def take_jobs(self, rows: np.ndarray, employer, wage, area) -> None:
        """Rows start a job: a firm row (or ``EXTERNAL_JOB``), its wage and its area."""
        self._firm_totals(rows, -1)
        self.employer[rows] = employer
        self.wage[rows] = wage
        self.work_area[rows] = area
        self._route(rows)
        self._firm_totals(rows, +1)

    def quit_jobs(self, rows: np.ndarray, month: int) -> None:
        """Rows lose or leave their job in ``month`` and start searching."""
        self._firm_totals(rows, -1)
        self.employer[rows] = NO_JOB
        self.wage[rows] = 0.0
        self.work_area[rows] = -1
        self.searching_since[rows] = month
        self._route(rows)

    def move(self, rows: np.ndarray, home: np.ndarray, tenure: np.ndarray) -> None:
        """Rows move to another home (street and tenure)."""
        self._count(rows, -1)
        self._firm_totals(rows, -1)
        self.home[rows] = home
        self.tenure[rows] = tenure
        self._housing_cell(rows)
        self._count(rows, +1)
        self._route(rows)
        self._firm_totals(rows, +1)

    def at_firms(self, flagged: np.ndarray) -> np.ndarray:
        """Rows employed at the firm rows flagged True in ``flagged`` (one flag per firm row)."""
        lookup = np.append(flagged, [False, False])  # employer −1 and −2 index these from the end
        return np.flatnonzero(lookup[self.employer])  # (indexing: `take` on booleans is 5× slower)

    def lose_jobs_at(self, firm_closed: np.ndarray, month: int) -> None:
        """Release every worker of the firms flagged in ``firm_closed`` (one flag per firm row)."""
        self.quit_jobs(self.at_firms(firm_closed), month)

    def draw_working(self, rng: np.random.Generator, k: int) -> np.ndarray:
        """``k`` working-age rows drawn uniformly with replacement (parents of this month's births)."""
        out = np.zeros(0, dtype=np.intp)
        while len(out) < k:
            draw = rng.integers(0, self.capacity, size=2 * (k - len(out)) + 16)
            out = np.concatenate([out, draw[self.age[draw] == WORKING]])
        return out[:k]

    def grow_older(self, rng: np.random.Generator, to_working: float, to_elderly: float,
                   participation: float, month: int) -> None:
        """Children come of working age (joining the labour force with ``participation``);
        workers reach 60 and retire, leaving their job."""
        adults = self.sample(rng, to_working, "child")
        retire = self.sample(rng, to_elderly, "working")
        self._count(adults, -1)
        self._count(retire, -1)
        self.age[adults] = WORKING
        self.active[adults] = rng.random(len(adults)) < participation
        self.searching_since[adults] = month
        self.quit_jobs(retire, month)
        self.age[retire] = ELDERLY
        self.active[retire] = False
        self._count(adults, +1)
        self._count(retire, +1)

    def update_satisfaction(self, cost_by_cell: np.ndarray, place_by_cell: np.ndarray, unemployed_income: float,
                            memory: float) -> np.ndarray:
        """获得感: an exponentially weighted memory (``memory`` = weight of last month's) of this
        month's score (``satisfaction_score``), over every row; empty rows get a score nobody reads.
        ``cost_by_cell`` and ``place_by_cell`` are the housing cost and place score of each housing
        cell (``cell``; cell 0 for empty rows). Returns the new satisfaction summed by cell."""
        sums = np.zeros(len(cost_by_cell))
        update_satisfaction(self.work_area, self.active, self.commute, self.wage, self.cell,
                            cost_by_cell.astype(np.float32), place_by_cell.astype(np.float32),
                            np.float32(unemployed_income), memory, self.satisfaction, sums)
        return sums

    def recount(self, n_firms: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The kept aggregates computed afresh over every live row: census, workers per firm,
        commute minutes and OD cells (for tests: they must equal what is kept)."""
        alive = np.flatnonzero(self.alive)
        census = np.bincount(self._census_cells(alive), minlength=self.census.size).reshape(self.census.shape)
        at_firm = alive[self.employer[alive] >= 0]
        workers = np.bincount(self.employer[at_firm], minlength=n_firms)
        work = self.work_area[alive]
        has = work >= 0
        commute = np.where(has, self.minutes[self.home[alive], np.where(has, work, 0)] * self.factor[alive], 0.0)
        od = np.where(has, 1 + self.home[alive].astype(np.int64) * self.n_areas + np.where(has, work, 0), 0)
        return census, workers, commute.astype(np.float32), od


@inline
def satisfaction_score(employed, active, commute, wage, cost, place, unemployed_income):
    """One resident's score this month (0–100): 20 × (work + commute + housing cost + services and
    green space), each part in [0, 1]. A worker scores 1 for work and 1 − commute/90 min; without
    a job the commute part is 0.7 and work 0.2 (looking) or 0.7 (outside the labour force): as a
    worker has commute 0 there, work and commute less 1.3 come to 0.4 + 1.1·employed − 0.5·active
    (every worker is active) less the capped commute share. Housing costs ``cost`` (yuan a month)
    against the wage, or ``unemployed_income`` without a job; ``place`` is the street's service
    quality + green space per person g as g/(g + 10). Float32, in this order: the bytes out are
    part of the model."""
    f32 = numba.float32
    score = f32(0.4) + f32(1.1) * f32(employed)
    score -= f32(0.5) * f32(active)
    score -= min(commute, f32(90.0)) * f32(1.0 / 90.0)
    income = wage + unemployed_income * f32(not employed)
    score -= min(cost / max(income, f32(1.0)), f32(1.0))
    score += place
    score += f32(2.0)  # the 1 of commute and the 1 of housing
    return score * f32(20.0)


@kernel("void(int8[::1], boolean[::1], float32[::1], float32[::1], intp[::1], float32[::1], float32[::1], float32, "
        "float64, float64[::1], float64[::1])")  # (contiguous columns: `::1` lets the loop be vectorised)
def update_satisfaction(work_area, active, commute, wage, cell, cost_by_cell, place_by_cell, unemployed_income,
                        memory, satisfaction, sums):
    """Every row's satisfaction ← memory × satisfaction + (1 − memory) × score, summed by cell."""
    weight = numba.float32(1.0 - memory)
    for i in range(len(cell)):
        c = cell[i]
        score = satisfaction_score(work_area[i] >= 0, active[i], commute[i], wage[i], cost_by_cell[c],
                                   place_by_cell[c], unemployed_income)
        s = satisfaction[i] * memory + numba.float64(weight * score)
        satisfaction[i] = s
        sums[c] += s



@kernel("void(intp[:], intp[:], boolean[:], float32[:], int8[:], int8[:], int64[:], int64, int64[:], int64[:], "
        "int64[:], float64[:])")
def count_at_firms(rows, employer, talent, commute, home, work_area, area_zone, sign, workers, talent_workers,
                   talent_near, commute_sum):
    """Add (``sign`` +1) or take away (−1) ``rows``' jobs at firms in the kept per-firm totals:
    workers, talent workers, talent workers living in the footprint zone of the firm's street,
    commute minutes."""
    for r in rows:
        firm = employer[r]
        if firm >= 0:
            workers[firm] += sign
            talent_workers[firm] += sign * talent[r]
            zone = area_zone[home[r]]
            talent_near[firm] += sign * (talent[r] & (zone >= 0) & (zone == area_zone[work_area[r]]))
            commute_sum[firm] += sign * numba.float64(commute[r])


@inline
def count_commute(r, sign, od, factor, commute, commute_km, od_count, od_factor, long_commutes):
    od_count[od[r]] += sign
    od_factor[od[r]] += sign * numba.float64(factor[r])
    long_commutes[0] += sign * (commute_km[r] > 5.0)
    long_commutes[1] += sign * (commute[r] > 45.0)
    long_commutes[2] += sign * (commute[r] > 60.0)


@kernel("void(intp[:], intp[:], float32[:], float32[:], float32[:], int64, int64[:], float64[:], int64[:])")
def count_commutes(rows, od, factor, commute, commute_km, sign, od_count, od_factor, long_commutes):
    """Add (+1) or take away (−1) ``rows`` in the kept OD-cell totals and long-commute counts."""
    for r in rows:
        count_commute(r, sign, od, factor, commute, commute_km, od_count, od_factor, long_commutes)


@kernel("void(intp[:], int8[:], int8[:], float32[:], float32[:, :], float32[:, :], float32[:], float32[:], intp[:], "
        "int64[:], float64[:], int64[:])")
def route(rows, home, work_area, factor, minutes, km, commute, commute_km, od, od_count, od_factor, long_commutes):
    """Each row's commute (minutes and km: the area-to-area figure × its own factor) and OD cell
    (1 + home × areas + work area; 0 without a job), moved in the kept totals."""
    areas = minutes.shape[1]
    for r in rows:
        count_commute(r, -1, od, factor, commute, commute_km, od_count, od_factor, long_commutes)
        work = work_area[r]
        if work >= 0:
            commute[r] = minutes[home[r], work] * factor[r]
            commute_km[r] = km[home[r], work] * factor[r]
            od[r] = 1 + home[r] * areas + work
        else:
            commute[r], commute_km[r], od[r] = 0.0, 0.0, 0
        count_commute(r, +1, od, factor, commute, commute_km, od_count, od_factor, long_commutes)
