"""The district's staffing ledger (编制): quotas by unit, the turnover pool's loans, headcount posts.

Staffing is a conserved resource. Every unit — the district organs and departments, the
engineering-approval staff among them, the smart-governance centre, the public institutions
outside education and health, the zone committees, the streets, the schools by level, the
kindergartens and the community health centres of each street, the public hospitals — holds
quotas; so does the district's
*reserve* (quotas freed and not yet re-allocated). Their sum is the district's total, held
(严控总量): levers move quotas between units (``move``), abolish institutions (their quotas go to
the reserve, ``abolish``) and re-allocate the reserve (``allocate``), never create any.

The turnover pool (周转池) lends quotas from the institutions to education and health units and
gets them back when a loan falls due (``lend``, ``return_loans``): the lender's ``lent`` is
negative by what the borrowers' is positive, so loans sum to zero. Headcount posts (员额) are a
separate staff type in education and health, limited by a yearly budget (``set_headcount``).
A unit's staff in post are its quotas, plus what it borrowed (less what it lent), plus its
headcount; the quotas count core posts only (civil servants, teachers, doctors), so a school's
or hospital's other posts are jobs the public employers add (``posts``), not quotas. Streets
and hospitals merge (``merge_streets``, ``merge_hospital``): a unit's quotas, loans and
headcount join its successor's.

``check`` says whether the ledger balances: the total held, loans summing to zero, no unit
below zero staff, headcount within its budget. The model checks it every month.
"""

from __future__ import annotations

import numpy as np

from sim.categories import (
    APPROVAL_STAFF,
    CENTRE,
    CLINIC_UNIT,
    COMMITTEE,
    DISTRICT_ORGANS,
    EDUCATION_HEALTH,
    HOSPITAL,
    INSTITUTIONS,
    KINDERGARTEN_UNIT,
    LEVELS,
    ORGANS,
    RESERVE,
    SCHOOL_UNIT,
    STREET,
)
from sim.errors import InputError


class StaffingLedger:
    """Quotas, loans and headcount by unit; changed only through its methods."""

    def __init__(self, district, *, teachers: np.ndarray, kindergarten_teachers: np.ndarray, clinic_staff: np.ndarray,
                 doctors: np.ndarray):
        s, n = district.staffing, district.n_streets
        names, kind, street, zone, level = [], [], [], [], []

        def unit(name, k, st=-1, z=-1, lv=-1):
            names.append(name)
            kind.append(k)
            street.append(st)
            zone.append(z)
            level.append(lv)

        unit("reserve", RESERVE)
        unit("organs", ORGANS)
        unit("approval", APPROVAL_STAFF)
        unit("centre", CENTRE)
        unit("institutions", INSTITUTIONS)
        for z, zone_info in enumerate(district.zones):
            unit(f"committee:{zone_info.key}", COMMITTEE, st=zone_info.streets[0], z=z)
        for i, name in enumerate(district.street_names):
            unit(f"street:{name}", STREET, st=i)
        for i, name in enumerate(district.street_names):
            for lv, level_name in enumerate(LEVELS):
                unit(f"school:{level_name}:{name}", SCHOOL_UNIT, st=i, lv=lv)
        for i, name in enumerate(district.street_names):
            unit(f"kindergarten:{name}", KINDERGARTEN_UNIT, st=i)
        for i, name in enumerate(district.street_names):
            unit(f"clinic:{name}", CLINIC_UNIT, st=i)
        for h in district.hospitals:
            unit(f"hospital:{h.name}", HOSPITAL, st=district.street_names.index(h.street))
        self.names = tuple(names)
        self.kind = np.array(kind, dtype=np.int8)
        self.street = np.array(street, dtype=np.int64)
        self.zone = np.array(zone, dtype=np.int64)
        self.level = np.array(level, dtype=np.int64)
        self.n_streets, self.n_zones, self.n_hospitals = n, len(district.zones), len(district.hospitals)
        self.quotas = np.zeros(len(names))
        self.lent = np.zeros(len(names))  # + borrowed from the pool, − lent to it
        self.headcount = np.zeros(len(names))
        self.need = np.zeros(len(names))  # education and health units' staff need (``sim.processes.services``)
        # The district organs, the centre and the institutions sit where the residents are.
        self.organ_weights = district.street_population / district.street_population.sum()
        organs = s.organs_per_1000 * district.street_population.sum() / 1000.0
        self.quotas[self.rows(ORGANS)] = organs - s.approval_staff
        self.quotas[self.rows(APPROVAL_STAFF)] = s.approval_staff
        self.quotas[self.rows(INSTITUTIONS)] = s.institutions
        self.quotas[self.rows(COMMITTEE)] = s.committee_staff
        self.quotas[self.rows(STREET)] = s.street_staff
        self.quotas[self.rows(SCHOOL_UNIT)] = np.asarray(teachers, dtype=float).ravel()
        self.quotas[self.rows(KINDERGARTEN_UNIT)] = kindergarten_teachers
        self.quotas[self.rows(CLINIC_UNIT)] = clinic_staff
        self.quotas[self.rows(HOSPITAL)] = doctors
        if self.quotas[self.rows(ORGANS)].min() < 0:
            raise InputError(f"the approval staff ({s.approval_staff:g}) exceed the organs' quotas ({organs:.0f}, "
                             "organs_per_1000 × residents / 1000)", source=district.source,
                             field="staffing.approval_staff", zh="审批人员编制多于区级机关编制总数")
        self.total = float(self.quotas.sum())  # 严控总量: what the units and the reserve hold together
        self.successor = np.asarray(district.successor)  # the street each street merges into (itself: stays)
        self.street_open = np.ones(n, dtype=bool)  # a street government of its own (not merged)
        self.hospital_open = np.ones(self.n_hospitals, dtype=bool)
        self.hospital_home = self.nearest_hospitals(district)  # the site each street's residents use at the start
        self.hospital_into = [district.hospitals.index(next(h for h in district.hospitals if h.name == x.merge_into))
                              if x.merge_into else -1 for x in district.hospitals]
        self.loans: list[tuple[int, int, float, int]] = []  # (lender, borrower, quotas, month due back)
        self.headcount_budget = 0.0  # yuan a year (the quota_pool lever)
        self.headcount_cost = district.staffing.headcount_cost_per_year
        self.headcount_basic_share = district.staffing.headcount_basic_share
        self.headcount_less_share = district.staffing.headcount_less_share
        self.abolished_institutions = 0.0

    # ------------------------------------------------------------------ reading
    def rows(self, kind: int) -> np.ndarray:
        return np.flatnonzero(self.kind == kind)

    def rows_of(self, kinds: tuple[int, ...]) -> np.ndarray:
        return np.flatnonzero(np.isin(self.kind, kinds))

    @property
    def staff(self) -> np.ndarray:
        """Staff in post per unit: quotas + borrowed − lent + headcount."""
        return self.quotas + self.lent + self.headcount

    def of(self, kind: int) -> np.ndarray:
        return self.staff[self.rows(kind)]

    @property
    def teachers(self) -> np.ndarray:
        """School teachers, street × level."""
        return self.of(SCHOOL_UNIT).reshape(self.n_streets, len(LEVELS))

    @property
    def kindergarten_teachers(self) -> np.ndarray:
        return self.of(KINDERGARTEN_UNIT)

    @property
    def doctors(self) -> np.ndarray:
        """Doctors per hospital site (0 at a site merged into another)."""
        return self.of(HOSPITAL)

    def posts(self, staff_per_teacher: float, staff_per_doctor: float) -> np.ndarray:
        """Public posts (persons) per street: schools and kindergartens, hospitals, government —
        the district organs, the centre and the institutions where the residents are, each
        committee in its zone's first street, the streets' own staff (street × 3)."""
        n, staff = self.n_streets, self.staff
        education = (self.teachers.sum(axis=1) + self.kindergarten_teachers) * staff_per_teacher
        health = np.bincount(self.street[self.rows(HOSPITAL)], weights=self.doctors, minlength=n) * staff_per_doctor \
            + self.of(CLINIC_UNIT)  # (a health centre's quotas are all its posts: assumption)
        central = staff[self.rows_of((*DISTRICT_ORGANS, INSTITUTIONS))].sum()
        committees = self.rows(COMMITTEE)
        government = central * self.organ_weights + self.of(STREET) \
            + np.bincount(self.street[committees], weights=staff[committees], minlength=n)
        return np.column_stack([education, health, government])

    def check(self) -> list[str]:
        """What does not balance (empty: the ledger balances)."""
        problems = []
        held = float(self.quotas.sum())
        if abs(held - self.total) > 1e-6 * max(self.total, 1.0):
            problems.append(f"quotas held {held:.3f} ≠ the district total {self.total:.3f}")
        if abs(self.lent.sum()) > 1e-6 * max(self.total, 1.0):
            problems.append(f"loans sum to {self.lent.sum():.6f}, not 0")
        if (self.staff < -1e-9).any() or (self.quotas < -1e-9).any():
            problems.append(f"unit {self.names[int(np.argmin(np.minimum(self.staff, self.quotas)))]} below zero")
        if (self.headcount < -1e-9).any() or self.headcount[~np.isin(self.kind, EDUCATION_HEALTH)].any():
            problems.append("headcount outside education and health, or below zero")
        if self.headcount.sum() * self.headcount_cost > self.headcount_budget * (1 + 1e-9) + 1e-6:
            problems.append(f"headcount costs {self.headcount.sum() * self.headcount_cost:.0f} a year, over its "
                            f"budget {self.headcount_budget:.0f}")
        return problems

    # ------------------------------------------------------------------ changes
    def move(self, source: np.ndarray, taken: np.ndarray, target: np.ndarray, given: np.ndarray) -> None:
        """Quotas leave the ``source`` units (``taken`` each) and join the ``target`` units
        (``given`` each); what is taken is what is given."""
        taken, given = np.asarray(taken, dtype=float), np.asarray(given, dtype=float)
        if abs(taken.sum() - given.sum()) > 1e-9 * max(abs(taken.sum()), 1.0):
            raise ValueError(f"a move must give what it takes ({taken.sum()} ≠ {given.sum()})")
        np.subtract.at(self.quotas, source, taken)
        np.add.at(self.quotas, target, given)

    def take_pro_rata(self, source: np.ndarray, amount: float) -> np.ndarray:
        """How ``amount`` quotas are taken from ``source`` units in proportion to their free
        quotas (quotas not lent out), never more than they have."""
        free = np.maximum(self.quotas[source] + np.minimum(self.lent[source], 0.0), 0.0)
        amount = min(amount, free.sum())
        return amount * free / free.sum() if free.sum() > 0 else np.zeros(len(source))

    def abolish(self, quotas: float, institutions: float = 0.0) -> float:
        """Abolished institutions (事业单位撤销): their quotas (at most what the institutions hold
        free) go to the reserve; their functions end. Returns the quotas freed."""
        source = self.rows(INSTITUTIONS)
        taken = self.take_pro_rata(source, quotas)
        self.move(source, taken, self.rows(RESERVE), [taken.sum()])
        self.abolished_institutions += institutions
        return float(taken.sum())

    def allocate(self, target: np.ndarray, weights: np.ndarray, quotas: float) -> None:
        """Re-allocate ``quotas`` from the reserve to ``target`` units in proportion to ``weights``."""
        quotas = min(quotas, float(self.quotas[self.rows(RESERVE)].sum()))
        if quotas <= 0 or len(target) == 0:
            return
        w = np.asarray(weights, dtype=float)
        w = w / w.sum() if w.sum() > 0 else np.full(len(target), 1.0 / len(target))
        self.move(self.rows(RESERVE), [quotas], target, quotas * w)

    def lend(self, lender: int, target: np.ndarray, weights: np.ndarray, quotas: float, due: int) -> float:
        """The turnover pool lends up to ``quotas`` of the lender's free quotas to ``target``
        units (by ``weights``), back in month ``due``. Returns what was lent."""
        free = max(self.quotas[lender] + min(self.lent[lender], 0.0), 0.0)
        quotas = min(quotas, free)
        w = np.asarray(weights, dtype=float)
        if quotas <= 0 or len(target) == 0 or w.sum() <= 0:
            return 0.0
        amounts = quotas * w / w.sum()
        self.lent[lender] -= quotas
        np.add.at(self.lent, target, amounts)
        self.loans += [(lender, int(t), float(a), due) for t, a in zip(target, amounts, strict=True) if a > 0]
        return quotas

    def return_loans(self, month: int) -> float:
        """Loans due by ``month`` come back to their lenders. Returns the quotas returned."""
        back = 0.0
        for lender, borrower, amount, due in self.loans:
            if due <= month:
                self.lent[lender] += amount
                self.lent[borrower] -= amount
                back += amount
        self.loans = [loan for loan in self.loans if loan[3] > month]
        return back

    @property
    def reserve(self) -> float:
        return float(self.quotas[self.rows(RESERVE)].sum())

    @property
    def lender(self) -> int:
        """The unit the turnover pool lends from: the institutions outside education and health."""
        return int(self.rows(INSTITUTIONS)[0])

    def education_units(self, stages: tuple[str, ...]) -> np.ndarray:
        """Kindergartens and schools of the named stages (``kindergarten`` or a school level)."""
        levels = [LEVELS.index(s) for s in stages if s in LEVELS]
        rows = self.rows(SCHOOL_UNIT)
        rows = rows[np.isin(self.level[rows], levels)]
        return np.concatenate([self.rows(KINDERGARTEN_UNIT), rows]) if "kindergarten" in stages else rows

    def health_units(self) -> np.ndarray:
        """The community health centres and the open hospitals."""
        return np.concatenate([self.rows(CLINIC_UNIT), self.rows(HOSPITAL)[self.hospital_open]])

    def shortfall(self, rows: np.ndarray) -> np.ndarray:
        """How far each unit's staff fall short of its need (its need, where none falls short)."""
        short = np.maximum(self.need[rows] - self.staff[rows], 0.0)
        return short if short.sum() > 0 else self.need[rows].copy()

    def _basic_plus_more(self) -> np.ndarray:
        """Units whose own staff (quotas and loans) meet less than ``headcount_basic_share`` of
        their need: "basic + headcount (more)"; the others "quota + headcount (less)"."""
        return self.quotas + self.lent < self.headcount_basic_share * self.need

    def headcount_plan(self) -> np.ndarray:
        """Headcount posts each education and health unit asks for under the source's two modes:
        "basic + headcount (more)" fills its gap to its need; "quota + headcount (less)" adds up to
        ``headcount_less_share`` of its quotas, and only where it falls short."""
        gap = np.maximum(self.need - (self.quotas + self.lent), 0.0)
        plan = np.where(self._basic_plus_more(), gap, np.minimum(gap, self.headcount_less_share * self.quotas))
        return np.where(np.isin(self.kind, EDUCATION_HEALTH), plan, 0.0)

    def modes(self) -> np.ndarray:
        """Each unit's headcount mode now: "more", "less", or "" (no headcount posts)."""
        return np.where(self.headcount > 0, np.where(self._basic_plus_more(), "more", "less"), "")

    @property
    def on_loan(self) -> float:
        return float(self.lent[self.lent > 0].sum())

    def set_headcount(self, headcount: np.ndarray, budget: float) -> None:
        """Headcount posts per unit (education and health only) within a yearly ``budget`` (yuan):
        scaled down together when they would cost more."""
        headcount = np.where(np.isin(self.kind, EDUCATION_HEALTH), np.maximum(headcount, 0.0), 0.0)
        cost = headcount.sum() * self.headcount_cost
        if cost > budget:
            headcount = headcount * (budget / cost)
        self.headcount = headcount
        self.headcount_budget = budget

    @staticmethod
    def nearest_hospitals(district) -> np.ndarray:
        """Each street's nearest hospital site on the data's commute matrix."""
        site_street = [district.street_names.index(h.street) for h in district.hospitals]
        return np.argmin(district.minutes[: district.n_streets][:, site_street], axis=1)

    def hospital_serving(self) -> np.ndarray:
        """The open site each street's residents use now: their start site, or the site it merged into."""
        site = self.hospital_home.copy()
        while not self.hospital_open[site].all():
            closed = ~self.hospital_open[site]
            site[closed] = np.asarray(self.hospital_into)[site[closed]]
        return site

    def street_admin(self) -> np.ndarray:
        """The street government each street (sub-area) is in now: itself, or its successor once merged."""
        return np.where(self.street_open, np.arange(self.n_streets), self.successor)

    def merge_streets(self) -> list[int]:
        """The administrative adjustment (行政区划调整): every street with a successor merges into it —
        its quotas and loans move to the successor's street unit, its government ends. Returns the
        streets merged."""
        rows = self.rows(STREET)
        merged = [i for i in range(self.n_streets) if self.successor[i] != i and self.street_open[i]]
        for i in merged:
            a, b = rows[i], rows[self.successor[i]]
            self._merge_unit(a, b)
            self.street_open[i] = False
        return merged

    def _merge_unit(self, a: int, b: int) -> None:
        """Unit ``a``'s quotas, loans and headcount move to unit ``b``."""
        self.move(np.array([a]), [self.quotas[a]], np.array([b]), [self.quotas[a]])
        self.lent[b] += self.lent[a]
        self.lent[a] = 0.0
        self.headcount[b] += self.headcount[a]
        self.headcount[a] = 0.0
        self.loans = [(lender, b if borrower == a else borrower, q, due) for lender, borrower, q, due in self.loans]

    def merge_hospital(self, site: int) -> int:
        """A hospital merges into its successor (the first open one along ``merge_into``): its
        quotas, loans and headcount move there, the site closes and its patients go there.
        Returns the successor."""
        into = self.hospital_into[site]
        while into >= 0 and not self.hospital_open[into]:
            into = self.hospital_into[into]
        rows = self.rows(HOSPITAL)
        self._merge_unit(rows[site], rows[into])
        self.hospital_open[site] = False
        return into
