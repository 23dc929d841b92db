"""Per-month records: district, street and zone aggregates, and the OD table.

Aggregates only — one row per month (× street, × zone), computed with numpy from the column-wise
populations; per-agent records would cost more than the month itself (DESIGN §3). Counts are in
persons (rows × scale), so outputs compare across scales.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from sim import metrics
from sim.categories import CHILD, MARKET, RESETTLEMENT, TALENT, TENURES, WORKING
from sim.processes.approvals import zone_coordination_days
from sim.processes.homes import firm_zone, talent_eligible_count

OD_EVERY = 12  # OD tables are kept every 12th month and at the last month


def record(model) -> None:
    """Phase 8: the month's rows."""
    model.recorder.record(model)


class Recorder:
    FLOWS = ("births", "deaths", "in_migrants", "out_migrants", "moves", "displaced", "rehoused", "entries",
             "exits", "zone_entries", "withdrawals", "hires", "separations", "talent_incomers",
             "resettlement_delivered")

    def __init__(self, model):
        self.model_rows: list[dict] = []
        self.street_rows: list[dict] = []
        self.zone_rows: list[dict] = []
        self.od_rows: list[dict] = []
        d = model.district
        self.street_to_zone = np.append(d.zone_of_street(), -1)  # the external area is in no zone
        self.rent_start = model.streets.rent_start
        self._last_year: deque[np.ndarray] = deque(maxlen=12)  # approval days of the last 12 months
        n = d.n_streets
        forbidden = np.zeros((n + 1, n + 1), dtype=bool)
        forbidden[n, n] = True  # nobody lives and works outside the district, as far as the table goes
        self.commuting_bounds = metrics.CommutingBounds(d.minutes, forbidden)

    def record(self, model) -> None:
        d, res, f, scale = model.district, model.residents, model.firms, model.scale
        month = model.steps
        n = d.n_streets
        n_areas = n + 1
        # Workers by OD cell (kept current by the residents) and the sum of their commute factors,
        # from which every commute total follows exactly: Σ minutes = Σ_cells minutes × Σ factors.
        counts = res.od_count[1:].reshape(n_areas, n_areas)
        factors = res.od_factor[1:].reshape(n_areas, n_areas)
        minutes_matrix, km_matrix = np.nan_to_num(d.minutes), np.nan_to_num(d.km)
        n_workers = int(counts.sum())
        od = counts * float(scale)
        firm_rows = np.flatnonzero(f.alive)
        od[n, :n] += np.bincount(f.street[firm_rows], weights=f.incommuters[firm_rows], minlength=n) * scale
        excess = self.commuting_bounds(od)
        district = metrics.balance(metrics.aggregate(od, np.append(np.zeros(n, dtype=int), 1), 2))
        streets = metrics.balance(od)
        n_zones = model.zones.n
        zone_groups = np.where(self.street_to_zone >= 0, self.street_to_zone, n_zones)
        zones = metrics.balance(metrics.aggregate(od, zone_groups, n_zones + 1))

        flows = model.flows
        approvals = [days for days, _ in flows.approvals]
        days = np.concatenate(approvals) if approvals else np.zeros(0)
        self._last_year.append(days)
        year_days = np.concatenate(self._last_year)
        census = res.census  # street × tenure × age band, rows
        labour_force = int(np.count_nonzero(res.active)) * scale
        n_employed = n_workers * scale
        private = firm_rows[~f.public[firm_rows]]
        posts = float(f.target[firm_rows].sum()) * scale
        workers, _ = res.firm_counts(f.capacity)
        filled = f.filled(workers)
        st = model.streets
        students = st.students.sum(axis=0)
        teachers = st.teachers.sum(axis=0)
        residents_by_street = st.residents()
        occupancy = st.occupancy()
        places = st.housing
        rents = st.rent
        market_w = occupancy[:, MARKET]
        workers_by_street = counts[:n].sum(axis=1)
        minutes_by_street = (factors * minutes_matrix)[:n].sum(axis=1)
        km_by_street = (factors * km_matrix)[:n].sum(axis=1)
        commute_min_street = metrics.ratio(minutes_by_street, workers_by_street)
        commute_km_street = metrics.ratio(km_by_street, workers_by_street)
        # Satisfaction summed by housing cell (tenure × street; cell 0 holds the empty rows).
        by_cell = model.satisfaction_by_cell[1:]
        by_home = by_cell.reshape(len(TENURES), n).sum(axis=0)
        living = census.sum(axis=(1, 2))
        sat_street = metrics.ratio(by_home, living)
        firm_zones = firm_zone(model)

        row = {
            "month": month,
            "date": model.date.strftime("%Y-%m"),
            "residents": int(living.sum()) * scale,
            "children": int(census[:, :, CHILD].sum()) * scale,
            "working_age": int(census[:, :, WORKING].sum()) * scale,
            "labour_force": labour_force,
            "employed": n_employed,
            "unemployed": labour_force - n_employed,
            "unemployment_rate": metrics.ratio(labour_force - n_employed, labour_force).item(),
            "jobs": float(district["jobs"][0]),
            "posts": posts,
            "open_posts": float(np.maximum(f.target[firm_rows] - filled[firm_rows], 0).sum()) * scale,
            "firms": int(len(private)) * scale,
            "large_investors": int(np.count_nonzero(f.large[private])) * scale,
            "jobs_housing_ratio": float(district["jobs_housing_ratio"][0]),
            "self_containment": float(district["self_containment"][0]),
            # (residents live in the streets: the outside's row of the table holds no resident)
            **metrics.commute_summary(n_workers, minutes_by_street.sum(), km_by_street.sum(), res.long_commutes),
            **excess,
            "approval_days_mean": float(days.mean()) if len(days) else float("nan"),
            "approval_days_p90": float(np.percentile(days, 90)) if len(days) else float("nan"),
            "approval_days_12m": float(year_days.mean()) if len(year_days) else float("nan"),
            "approvals": int(len(days)) * scale,
            "pipeline": int(model.pipeline.count) * scale,
            "in_commuters": float(od[n, :n].sum()),
            "out_commuters": float(od[:n, n].sum()),
            **{k: float(flows.district.get(k, 0.0)) for k in self.FLOWS},
            "awaiting_rehousing": int(np.count_nonzero(res.displaced)) * scale,
            "resettlement_residents": float(occupancy[:, RESETTLEMENT].sum()),
            "rent_index": float((rents * market_w).sum() / max((self.rent_start * market_w).sum(), 1e-9)),
            "occupancy_market": float(occupancy[:, MARKET].sum() / max(places[:, MARKET].sum(), 1e-9)),
            "occupancy_resettlement": float(occupancy[:, RESETTLEMENT].sum()
                                            / max(places[:, RESETTLEMENT].sum(), 1e-9)),
            "talent_apartment_places": float(places[:, TALENT].sum()),
            "talent_apartment_residents": float(occupancy[:, TALENT].sum()),
            "talent_apartment_eligible": talent_eligible_count(model) * scale,
            "resettlement_places": float(places[:, RESETTLEMENT].sum()),
            "students_per_teacher_primary": float(students[0] / teachers[0]),
            "students_per_teacher_junior": float(students[1] / teachers[1]),
            "students_per_teacher_senior": float(students[2] / teachers[2]),
            "teachers": float(teachers.sum()),
            "doctors_per_1000": float(sum(st.doctors) * model.policy.doctor_productivity
                                      / max(residents_by_street.sum(), 1.0) * 1000.0),
            "street_staff": float(sum(st.staff.tolist())),
            "grid_events": float(sum(st.events.tolist())),
            "grid_backlog": float(sum(st.backlog.tolist())),
            "resolution_days": float(np.average(st.resolution_days, weights=np.maximum(residents_by_street, 1.0))),
            "satisfaction": float(by_home.sum() / living.sum()) if living.sum() else float("nan"),
        }
        self.model_rows.append(row)

        green_pp = st.green_per_person()
        for i in range(n):
            self.street_rows.append({
                "month": month,
                "street": d.street_names[i],
                "street_en": d.street_pinyin[i],
                "zone": d.zones[self.street_to_zone[i]].key if self.street_to_zone[i] >= 0 else "",
                "residents": float(residents_by_street[i]),
                "employed_residents": float(streets["employed_residents"][i]),
                "jobs": float(streets["jobs"][i]),
                "jobs_housing_ratio": float(streets["jobs_housing_ratio"][i]),
                "self_containment": float(streets["self_containment"][i]),
                "internal_capture": float(streets["internal_capture"][i]),
                "mean_commute_min": float(commute_min_street[i]),
                "mean_commute_km": float(commute_km_street[i]),
                "rent": float(rents[i]),
                "rent_index": float(rents[i] / self.rent_start[i]),
                "occupancy_market": float(occupancy[i, MARKET] / max(places[i, MARKET], 1e-9)),
                "resettlement_places": float(places[i, RESETTLEMENT]),
                "talent_apartment_places": float(places[i, TALENT]),
                "talent_apartment_residents": float(occupancy[i, TALENT]),
                "firms": int(np.count_nonzero(f.street[private] == i)) * scale,
                "firm_entries": float(flows.street["firm_entries"][i]) if "firm_entries" in flows.street else 0.0,
                "moves_in": float(flows.street["moves_in"][i]) if "moves_in" in flows.street else 0.0,
                "office_m2": float(st.space[i, 0]),
                "factory_m2": float(st.space[i, 1]),
                "students_per_teacher_primary": float(st.students_per_teacher[i, 0]),
                "students_per_teacher_junior": float(st.students_per_teacher[i, 1]),
                "students_per_teacher_senior": float(st.students_per_teacher[i, 2]),
                "doctors_per_1000": float(st.doctors_per_1000[i]),
                "grid_backlog": float(st.backlog[i]),
                "resolution_days": float(st.resolution_days[i]),
                "staff_per_10k": float(st.staff[i] / max(residents_by_street[i], 1.0) * 10000.0),
                "green_m2_per_person": float(green_pp[i]),
                "parks": int(st.parks[i]),
                "service_quality": float(st.service_quality[i]),
                "satisfaction": float(sat_street[i]),
            })

        # Everyone working in each zone's firms — resident workers and in-commuters — and their
        # commute minutes, summed per firm (the +1 shift sends non-workers to a dropped slot).
        commute_by_firm = res.commute_sum[: f.capacity]
        in_minutes = d.minutes[n, f.street.clip(0)] * f.incommuters
        zone_of_firm = np.where(f.alive, firm_zones, -1) + 1
        zone_minutes = np.bincount(zone_of_firm, weights=commute_by_firm + in_minutes, minlength=n_zones + 1)[1:]
        zone_people = np.bincount(zone_of_firm, weights=workers + f.incommuters, minlength=n_zones + 1)[1:]
        zone_of_street = self.street_to_zone[:n]
        for z, zone in enumerate(d.zones):
            members = zone_of_street == z
            zone_days = [dd[zz == z] for dd, zz in flows.approvals]
            zd = np.concatenate(zone_days) if zone_days else np.zeros(0)
            inside = private[firm_zones[private] == z]
            footprint = model.zones.streets[z]
            self.zone_rows.append({
                "month": month,
                "zone": zone.key,
                "zone_name": zone.name,
                "jobs": float(zones["jobs"][z]),
                "employed_residents": float(zones["employed_residents"][z]),
                "jobs_housing_ratio": float(zones["jobs_housing_ratio"][z]),
                "self_containment": float(zones["self_containment"][z]),
                "internal_capture": float(zones["internal_capture"][z]),
                "mean_commute_min": metrics.ratio(minutes_by_street[members].sum(),
                                                  workers_by_street[members].sum()).item(),
                "rent_index": float((rents[footprint] * market_w[footprint]).sum()
                                    / max((self.rent_start[footprint] * market_w[footprint]).sum(), 1e-9)),
                "zone_worker_commute_min": metrics.ratio(zone_minutes[z], zone_people[z]).item(),
                "zone_firms": int(len(inside)) * scale,
                "zone_entries": float(flows.zone["entries"][z]) if "entries" in flows.zone else 0.0,
                "zone_firm_jobs": float(filled[inside].sum()) * scale,
                "coverage": float(model.zones.footprint_coverage(z, model.policy.zone_alignment).mean()),
                "coordination_days": float(zone_coordination_days(model, z)),
                "approval_days_mean": float(zd.mean()) if len(zd) else float("nan"),
                "pipeline": int(np.count_nonzero(model.pipeline.alive & (model.pipeline.zone == z))) * scale,
                "talent_apartment_places": float(places[footprint, TALENT].sum()),
                "talent_apartment_residents": float(occupancy[footprint, TALENT].sum()),
            })

        if month % OD_EVERY == 0 or month == model.months:
            names = d.area_names
            for o in range(n_areas):
                for w in range(n_areas):
                    if o == n and w == n:
                        continue
                    self.od_rows.append({"month": month, "origin": names[o], "destination": names[w],
                                         "commuters": float(od[o, w]), "minutes": float(d.minutes[o, w]),
                                         "km": float(d.km[o, w])})
