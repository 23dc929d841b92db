"""Per-month records: district, street and zone aggregates, the OD table, the staffing ledger by
unit, and the building projects.

Aggregates — one row per month (× street, × zone), computed with numpy from the column-wise
populations; per-agent records of every row would cost more than the month itself
(docs/TOOLCHAIN.md), so the agent panels (``sim.panel``) follow a random sample. Counts are in
persons (rows × scale), so outputs compare across scales. The columns, their order and
their meaning are declared in ``sim.outcomes``; each row is built in that order.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from sim import metrics
from sim.categories import (
    CHILD,
    COMMITTEE,
    EDUCATION_HEALTH,
    FACTORY,
    LEVELS,
    MARKET,
    OFFICE,
    RESETTLEMENT,
    SHOP,
    STREET,
    TALENT,
    TENURES,
    UNIT_KINDS,
    USES,
    VILLAGE,
    WORKING,
)
from sim.outcomes import COLUMNS, FLOWS, PANELS, ordered
from sim.panel import Panel, joined
from sim.processes import services
from sim.processes.approvals import zone_coordination_days
from sim.processes.homes import firm_zone, talent_eligible_count

OD_EVERY = 12  # OD tables are kept every 12th month and at the last month


def record(model) -> None:
    """Phase 8: the month's rows."""
    model.recorder.record(model)


@dataclass
class Month:
    """What several tables of one month read: the OD table and its balance by area, commute sums
    by street, and the month's approvals."""

    od: np.ndarray  # persons, (streets + outside) × (streets + outside); in-commuters in the outside's row
    counts: np.ndarray  # resident workers (rows) by OD cell
    district: dict  # metrics.balance of the district, of each street and of each zone
    streets: dict
    zones: dict
    workers_by_street: np.ndarray  # resident workers (rows) living in each street
    minutes_by_street: np.ndarray  # their commute minutes, summed
    km_by_street: np.ndarray
    residents: np.ndarray  # persons per street
    occupancy: np.ndarray  # persons, street × tenure
    satisfaction_by_home: np.ndarray  # satisfaction summed over each street's residents (rows)
    living: np.ndarray  # rows living in each street
    days: np.ndarray  # approval days of the applications approved this month
    firm_zones: np.ndarray  # each firm row's zone
    private: np.ndarray  # live private firm rows
    filled: np.ndarray  # posts held per firm row
    in_minutes: np.ndarray  # commute minutes of each firm row's in-commuters, summed


class Recorder:
    def __init__(self, model):
        self.model_rows: list[dict] = []
        self.street_rows: list[dict] = []
        self.zone_rows: list[dict] = []
        self.od_rows: list[dict] = []
        self.sector_rows: list[dict] = []
        self.staffing_rows: list[dict] = []
        self.project_rows: list[dict] = []  # projects as they finish; at the last month, those still open
        self.person_rows: list[dict[str, list]] = []  # the agent panels: a block of columns per month
        self.firm_rows: list[dict[str, list]] = []
        self.panel = Panel(model)
        d = model.district
        self.street_to_zone = np.append(d.zone_of_street(), np.full(len(d.outside), -1))  # outside: in no zone
        self.rent_start = model.streets.rent_start
        self._last_year: deque[np.ndarray] = deque(maxlen=12)  # approval days of the last 12 months
        n = d.n_streets
        forbidden = np.zeros((d.n_areas, d.n_areas), dtype=bool)
        forbidden[n:, n:] = True  # nobody lives and works outside the district, as far as the table goes
        self.forbidden = forbidden
        self.costs = model.minutes  # the matrix the commuting bounds are solved over
        self.commuting_bounds = metrics.CommutingBounds(model.minutes, forbidden)

    def record(self, model) -> None:
        if self.costs is not model.minutes:  # (the transport lever changed the matrix)
            self.costs = model.minutes
            self.commuting_bounds.set_costs(model.minutes)
        month = self.month(model)
        self.model_rows.append(ordered("model", self.district_row(model, month)))
        self.street_rows += [ordered("streets", row) for row in self.street_table(model, month)]
        self.zone_rows += [ordered("zones", row) for row in self.zone_table(model, month)]
        if model.steps % OD_EVERY == 0 or model.steps == model.months:
            self.od_rows += self.od_table(model, month)
        self.sector_rows += [ordered("sectors", row) for row in self.sector_table(model, month)]
        self.staffing_rows += [ordered("staffing", row) for row in self.staffing_table(model)]
        self.project_rows += [ordered("projects", self.project_row(model, p)) for p in model.projects.finished]
        model.projects.finished.clear()
        persons, firms = self.panel.rows(model, month.filled, month.firm_zones)
        self.person_rows.append(persons)
        self.firm_rows.append(firms)
        if model.steps == model.months:
            pipe = model.projects
            self.project_rows += [ordered("projects", self.project_row(model, pipe.record(row, pipe.stage[row], None)))
                                  for row in pipe.rows()]

    def lists(self) -> dict[str, list]:
        """Every table's rows so far as they are kept, by table name: rows, and for the panels
        their monthly blocks of columns (each list only grows)."""
        return {"model": self.model_rows, "streets": self.street_rows, "zones": self.zone_rows, "od": self.od_rows,
                "sectors": self.sector_rows, "staffing": self.staffing_rows, "projects": self.project_rows,
                "persons": self.person_rows, "firms": self.firm_rows}

    def tables(self) -> dict[str, list[dict] | dict[str, list]]:
        """Every table's rows so far, by table name (``sim.outcomes.TABLES``): rows, or for the
        panels columns (either makes a ``pandas.DataFrame``)."""
        lists = self.lists()
        return {name: (joined(rows) if rows else {c: [] for c in COLUMNS[name]}) if name in PANELS else rows
                for name, rows in lists.items()}

    def month(self, model) -> Month:
        d, res, f, scale = model.district, model.residents, model.firms, model.scale
        n, n_areas = d.n_streets, d.n_areas
        # Workers by OD cell (kept current by the residents) and the sum of their commute factors,
        # from which every commute total follows exactly: Σ minutes = Σ_cells minutes × Σ factors.
        counts = res.od_count[1:].reshape(n_areas, n_areas)
        factors = res.od_factor[1:].reshape(n_areas, n_areas)
        od = counts * float(scale)
        firm_rows = np.flatnonzero(f.alive)
        incoming, in_minutes = f.incommuter_flows(np.nan_to_num(model.minutes))
        od[n:, :n] += incoming * scale
        n_zones = model.zones.n
        zone_groups = np.where(self.street_to_zone >= 0, self.street_to_zone, n_zones)
        approvals = [days for days, _ in model.flows.approvals]
        # Satisfaction summed by housing cell (tenure × street; cell 0 holds the empty rows).
        by_cell = model.satisfaction_by_cell[1:]
        return Month(
            od=od, counts=counts,
            district=metrics.balance(metrics.aggregate(od, (d.outside_as_one == n).astype(int), 2)),
            streets=metrics.balance(metrics.aggregate(od, d.outside_as_one, n + 1)),
            zones=metrics.balance(metrics.aggregate(od, zone_groups, n_zones + 1)),
            workers_by_street=counts[:n].sum(axis=1),
            minutes_by_street=(factors * np.nan_to_num(model.minutes))[:n].sum(axis=1),
            km_by_street=(factors * np.nan_to_num(d.km))[:n].sum(axis=1),
            residents=model.streets.residents(), occupancy=model.streets.occupancy(),
            satisfaction_by_home=by_cell.reshape(len(TENURES), n).sum(axis=0), living=res.census.sum(axis=(1, 2)),
            days=np.concatenate(approvals) if approvals else np.zeros(0),
            firm_zones=firm_zone(model), private=firm_rows[~f.public[firm_rows]],
            filled=f.filled(res.firm_counts(f.capacity)[0]), in_minutes=in_minutes,
        )

    # ------------------------------------------------------------------ model.csv
    def district_row(self, model, m: Month) -> dict:
        res, f, st, scale = model.residents, model.firms, model.streets, model.scale
        n = model.district.n_streets
        self._last_year.append(m.days)
        year_days = np.concatenate(self._last_year)
        census = res.census  # street × tenure × age band, rows
        n_workers = int(m.counts.sum())
        labour_force = int(res.labour.sum()) * scale  # (labour-force rows by street and skill, kept current)
        n_employed = n_workers * scale
        firm_rows = np.flatnonzero(f.alive)
        students = st.students.sum(axis=0)
        teachers = st.teachers.sum(axis=0)
        places = st.housing
        ledger, weights = model.staffing, np.maximum(m.residents, 1.0)
        market_w = m.occupancy[:, MARKET]
        return {
            "month": model.steps,
            "date": model.date.strftime("%Y-%m"),
            "residents": int(m.living.sum()) * scale,
            "children": int(census[:, :, CHILD].sum()) * scale,
            "working_age": int(census[:, :, WORKING].sum()) * scale,
            "labour_force": labour_force,
            "employed": n_employed,
            "unemployed": labour_force - n_employed,
            "unemployment_rate": metrics.ratio(labour_force - n_employed, labour_force).item(),
            "jobs": float(m.district["jobs"][0]),
            "posts": float(f.target[firm_rows].sum()) * scale,
            "open_posts": float(np.maximum(f.target[firm_rows] - m.filled[firm_rows], 0).sum()) * scale,
            "firms": int(f.firms_per_row(scale)[m.private].sum()),
            "large_investors": int(np.count_nonzero(f.large[m.private])),
            "jobs_housing_ratio": float(m.district["jobs_housing_ratio"][0]),
            "self_containment": float(m.district["self_containment"][0]),
            # (residents live in the streets: the outside's row of the table holds no resident)
            **metrics.commute_summary(n_workers, m.minutes_by_street.sum(), m.km_by_street.sum(), res.long_commutes),
            **self.commuting_bounds(m.od),
            "approval_days_mean": float(m.days.mean()) if len(m.days) else float("nan"),
            "approval_days_p90": float(np.percentile(m.days, 90)) if len(m.days) else float("nan"),
            "approval_days_12m": float(year_days.mean()) if len(year_days) else float("nan"),
            "approvals": int(len(m.days)) * scale,
            "pipeline": int(np.where(model.pipeline.large, 1, scale)[model.pipeline.alive].sum()),
            "projects": int(model.projects.count),
            "in_commuters": float(m.od[n:, :n].sum()),
            "out_commuters": float(m.od[:n, n:].sum()),
            **{k: float(model.flows.district.get(k, 0.0)) for k in FLOWS},
            "awaiting_rehousing": int(np.count_nonzero(res.displaced)) * scale,
            "resettlement_residents": float(m.occupancy[:, RESETTLEMENT].sum()),
            "village_residents": float(m.occupancy[:, VILLAGE].sum()),
            "rent_index": float((st.rent * market_w).sum() / max((self.rent_start * market_w).sum(), 1e-9)),
            "occupancy_market": float(m.occupancy[:, MARKET].sum() / max(places[:, MARKET].sum(), 1e-9)),
            "occupancy_resettlement": float(m.occupancy[:, RESETTLEMENT].sum()
                                            / max(places[:, RESETTLEMENT].sum(), 1e-9)),
            "talent_apartment_places": float(places[:, TALENT].sum()),
            "talent_apartment_residents": float(m.occupancy[:, TALENT].sum()),
            "talent_apartment_eligible": talent_eligible_count(model, m.firm_zones) * scale,
            "resettlement_places": float(places[:, RESETTLEMENT].sum()),
            "students_per_teacher_primary": float(students[0] / teachers[0]),
            "students_per_teacher_junior": float(students[1] / teachers[1]),
            "students_per_teacher_senior": float(students[2] / teachers[2]),
            "teachers": float(teachers.sum()),
            "school_places": float(st.school_places.sum()),
            "kindergarten_places": float(st.kindergarten_places.sum()),
            "kindergarten_waiting": float((st.preschool - st.kindergarten_enrolled).sum()),
            # (sums in the order the streets come: the bytes out are part of the model)
            "doctors_per_1000": float(sum(ledger.doctors.tolist()) * model.policy.doctor_productivity
                                      / max(m.residents.sum(), 1.0) * 1000.0),
            "hospitals_open": int(ledger.hospital_open.sum()),
            "hospital_minutes": float(np.average(st.hospital_minutes, weights=weights)),
            "street_staff": float(sum(st.staff.tolist())),
            "grid_events": float(sum(st.events.tolist())),
            "grid_backlog": float(sum(st.backlog.tolist())),
            "resolution_days": float(np.average(st.resolution_days, weights=weights)),
            "service_case_days": float(np.average(st.case_days, weights=weights)),
            "approval_utilisation": float(model.approval_desk.load),
            "headcount": float(sum(ledger.headcount.tolist())),
            "quotas_on_loan": ledger.on_loan,
            "institutions_abolished": float(ledger.abolished_institutions),
            "satisfaction": (float(m.satisfaction_by_home.sum() / m.living.sum()) if m.living.sum()
                             else float("nan")),
        }

    # ------------------------------------------------------------------ streets.csv
    def street_table(self, model, m: Month) -> list[dict]:
        d, f, st, scale = model.district, model.firms, model.streets, model.scale
        commute_min = metrics.ratio(m.minutes_by_street, m.workers_by_street)
        commute_km = metrics.ratio(m.km_by_street, m.workers_by_street)
        satisfaction = metrics.ratio(m.satisfaction_by_home, m.living)
        green_pp = st.green_per_person()
        entries, moves_in = (model.flows.street.get(k, np.zeros(d.n_streets)) for k in ("firm_entries", "moves_in"))
        places, occupancy, balance = st.housing, m.occupancy, m.streets
        vacancy = 1.0 - st.space_occupancy
        firms_per_row = f.firms_per_row(scale)
        firms_by_street = np.bincount(f.street[m.private], weights=firms_per_row[m.private], minlength=d.n_streets)
        kindergarten_teachers = model.staffing.kindergarten_teachers
        rows = []
        for i in range(d.n_streets):
            rows.append({
                "month": model.steps,
                "street": d.successor_names[i],
                "street_en": d.street_pinyin[d.successor[i]],
                "sub_area": d.street_names[i],
                "zone": d.zones[self.street_to_zone[i]].key if self.street_to_zone[i] >= 0 else "",
                "residents": float(m.residents[i]),
                "employed_residents": float(balance["employed_residents"][i]),
                "jobs": float(balance["jobs"][i]),
                "jobs_housing_ratio": float(balance["jobs_housing_ratio"][i]),
                "self_containment": float(balance["self_containment"][i]),
                "internal_capture": float(balance["internal_capture"][i]),
                "mean_commute_min": float(commute_min[i]),
                "mean_commute_km": float(commute_km[i]),
                "rent": float(st.rent[i]),
                "rent_index": float(st.rent[i] / self.rent_start[i]),
                "occupancy_market": float(occupancy[i, MARKET] / max(places[i, MARKET], 1e-9)),
                "resettlement_places": float(places[i, RESETTLEMENT]),
                "village_residents": float(occupancy[i, VILLAGE]),
                "talent_apartment_places": float(places[i, TALENT]),
                "talent_apartment_residents": float(occupancy[i, TALENT]),
                "firms": int(firms_by_street[i]),
                "firm_entries": float(entries[i]),
                "moves_in": float(moves_in[i]),
                "housing_places": float(places[i, MARKET]),
                "office_m2": float(st.space[i, OFFICE]),
                "factory_m2": float(st.space[i, FACTORY]),
                "shop_m2": float(st.space[i, SHOP]),
                "rent_office": float(st.space_rent[i, OFFICE]),
                "rent_factory": float(st.space_rent[i, FACTORY]),
                "rent_shop": float(st.space_rent[i, SHOP]),
                "vacancy_office": float(vacancy[i, OFFICE]),
                "vacancy_factory": float(vacancy[i, FACTORY]),
                "vacancy_shop": float(vacancy[i, SHOP]),
                "land_left_m2": float(sum(st.land[i].tolist())),
                "students_per_teacher_primary": float(st.students_per_teacher[i, 0]),
                "students_per_teacher_junior": float(st.students_per_teacher[i, 1]),
                "students_per_teacher_senior": float(st.students_per_teacher[i, 2]),
                "school_places": float(sum(st.school_places[i].tolist())),
                **{f"places_{level}": float(st.school_places[i, k]) for k, level in enumerate(LEVELS)},
                **{f"enrolled_{level}": float(st.students[i, k]) for k, level in enumerate(LEVELS)},
                "kindergarten_places": float(st.kindergarten_places[i]),
                "kindergarten_enrolled": float(st.kindergarten_enrolled[i]),
                "kindergarten_waiting": float(st.preschool[i] - st.kindergarten_enrolled[i]),
                "children_per_kindergarten_teacher": float(st.kindergarten_enrolled[i]
                                                           / max(kindergarten_teachers[i], 1e-9)),
                "education_access": float(st.education_access[i]),
                "doctors_per_1000": float(st.doctors_per_1000[i]),
                "hospital_minutes": float(st.hospital_minutes[i]),
                "clinics": int(st.clinics[i]),
                "grid_backlog": float(st.backlog[i]),
                "resolution_days": float(st.resolution_days[i]),
                "service_case_days": float(st.case_days[i]),
                "staff_per_10k": float(st.staff_per_10k[i]),
                "green_m2_per_person": float(green_pp[i]),
                "parks": int(st.parks[i]),
                "service_quality": float(st.service_quality[i]),
                "satisfaction": float(satisfaction[i]),
            })
        return rows

    # ------------------------------------------------------------------ zones.csv
    def zone_table(self, model, m: Month) -> list[dict]:
        d, res, f, st, scale = model.district, model.residents, model.firms, model.streets, model.scale
        n, n_zones = d.n_streets, model.zones.n
        # Everyone working in each zone's firms — resident workers and in-commuters — and their
        # commute minutes, summed per firm (the +1 shift sends non-workers to a dropped slot).
        workers, _ = res.firm_counts(f.capacity)
        zone_of_firm = np.where(f.alive, m.firm_zones, -1) + 1
        zone_minutes = np.bincount(zone_of_firm, weights=res.commute_sum[: f.capacity] + m.in_minutes,
                                   minlength=n_zones + 1)[1:]
        zone_people = np.bincount(zone_of_firm, weights=m.filled, minlength=n_zones + 1)[1:]
        zone_of_street = self.street_to_zone[:n]
        market_w = m.occupancy[:, MARKET]
        entries = model.flows.zone.get("entries", np.zeros(n_zones))
        pipe = model.pipeline
        living_in = res.talent_living_in_zone(np.where(f.alive, m.firm_zones, -1), n_zones) * scale
        rows = []
        for z, zone in enumerate(d.zones):
            members = zone_of_street == z
            zone_days = [days[zones == z] for days, zones in model.flows.approvals]
            zd = np.concatenate(zone_days) if zone_days else np.zeros(0)
            inside = m.private[m.firm_zones[m.private] == z]
            footprint = model.zones.streets[z]
            rows.append({
                "month": model.steps,
                "zone": zone.key,
                "zone_name": zone.name,
                "jobs": float(m.zones["jobs"][z]),
                "employed_residents": float(m.zones["employed_residents"][z]),
                "jobs_housing_ratio": float(m.zones["jobs_housing_ratio"][z]),
                "self_containment": float(m.zones["self_containment"][z]),
                "internal_capture": float(m.zones["internal_capture"][z]),
                "mean_commute_min": metrics.ratio(m.minutes_by_street[members].sum(),
                                                  m.workers_by_street[members].sum()).item(),
                "rent_index": float((st.rent[footprint] * market_w[footprint]).sum()
                                    / max((self.rent_start[footprint] * market_w[footprint]).sum(), 1e-9)),
                "zone_worker_commute_min": metrics.ratio(zone_minutes[z], zone_people[z]).item(),
                "zone_firms": int(f.firms_per_row(scale)[inside].sum()),
                "zone_entries": float(entries[z]),
                "zone_firm_jobs": float(m.filled[inside].sum()) * scale,
                "coverage": float(model.zones.footprint_coverage(z, model.policy.zone_alignment).mean()),
                "coordination_days": float(zone_coordination_days(model, z)),
                "approval_days_mean": float(zd.mean()) if len(zd) else float("nan"),
                "pipeline": int(np.where(pipe.large, 1, scale)[pipe.alive & (pipe.zone == z)].sum()),
                "talent_apartment_places": float(st.housing[footprint, TALENT].sum()),
                "talent_apartment_residents": float(m.occupancy[footprint, TALENT].sum()),
                "zone_talent_living_in_zone": float(living_in[z]),
            })
        return rows

    # ------------------------------------------------------------------ sectors.csv
    def sector_table(self, model, m: Month) -> list[dict]:
        d, f, scale = model.district, model.firms, model.scale
        n = len(d.sectors)
        rows = np.flatnonzero(f.alive)
        sector = f.sector[rows]
        filled = np.bincount(sector, weights=m.filled[rows], minlength=n) * scale
        posts = np.bincount(sector, weights=f.target[rows], minlength=n) * scale
        open_posts = np.bincount(sector, weights=np.maximum(f.target[rows] - m.filled[rows], 0), minlength=n) * scale
        firms = np.maximum(np.bincount(sector, minlength=n), 1)
        offers = np.bincount(sector, weights=f.wage[rows], minlength=n) / firms
        return [{"month": model.steps, "sector": s.key, "sector_name": s.label, "jobs": float(filled[k]),
                 "posts": float(posts[k]), "open_posts": float(open_posts[k]),
                 "vacancy_rate": float(open_posts[k] / max(posts[k], 1.0)),
                 "wage_index": float(model.wage_index[k]), "wage_offer": float(offers[k]),
                 "talent_premium": float(model.talent_premium)}
                for k, s in enumerate(d.sectors)]

    # ------------------------------------------------------------------ staffing.csv
    def staffing_table(self, model) -> list[dict]:
        d, ledger, nan = model.district, model.staffing, float("nan")
        street_time = services.street_time(d.staffing, model.policy.street_duties_moved)
        committee = model.policy.committee
        committee_time = (committee.attraction, committee.construction, committee.coordination)
        staff, modes = ledger.staff, ledger.modes()
        cares = np.isin(ledger.kind, EDUCATION_HEALTH)
        rows = []
        for u, name in enumerate(ledger.names):
            kind = int(ledger.kind[u])
            st, z = int(ledger.street[u]), int(ledger.zone[u])
            streets = street_time if kind == STREET else (nan,) * 3
            zones = committee_time if kind == COMMITTEE else (nan,) * 3
            rows.append({
                "month": model.steps, "unit": name, "unit_kind": UNIT_KINDS[kind],
                "street": d.successor_names[st] if st >= 0 else "", "sub_area": d.street_names[st] if st >= 0 else "",
                "zone": d.zones[z].key if z >= 0 else "",
                "quotas": float(ledger.quotas[u]), "lent": float(ledger.lent[u]),
                "headcount": float(ledger.headcount[u]), "staff": float(staff[u]),
                "need": float(ledger.need[u]) if cares[u] else nan, "headcount_mode": str(modes[u]),
                "time_grid": streets[0], "time_services": streets[1], "time_investment": streets[2],
                "time_attraction": zones[0], "time_construction": zones[1], "time_coordination": zones[2],
            })
        return rows

    # ------------------------------------------------------------------ projects.csv
    def project_row(self, model, p: dict) -> dict:
        d = model.district
        street, zone = p["street"], self.street_to_zone[p["street"]]
        nan = float("nan")
        return {
            "project": p["project"], "street": d.successor_names[street],
            "street_en": d.street_pinyin[d.successor[street]],
            "sub_area": d.street_names[street],
            "zone": d.zones[zone].key if zone >= 0 else "", "use": USES[p["use"]],
            "developer": "public" if p["public"] else "private", "m2": p["m2"], "month_started": p["started"],
            "month_applied": nan if p["applied"] is None else p["applied"], "approval_days": p["days"],
            "month_approved": nan if p["approved"] is None else p["approved"], "status": p["stage"],
            "month_ended": p["ended"] if p["ended"] is not None else nan,
        }

    # ------------------------------------------------------------------ od.csv
    def od_table(self, model, m: Month) -> list[dict]:
        d = model.district
        n = d.n_streets
        names = d.area_names
        return [{"month": model.steps, "origin": names[o], "destination": names[w], "commuters": float(m.od[o, w]),
                 "minutes": float(model.minutes[o, w]), "km": float(d.km[o, w])}
                for o in range(d.n_areas) for w in range(d.n_areas) if o < n or w < n]
