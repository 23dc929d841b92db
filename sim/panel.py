"""The agent panels: a random sample of persons and firms followed month by month.

``persons.csv`` and ``firms.csv`` hold one row per sampled individual and month — its state after
the month and what happened to it (``events``) — so a study of who commutes, who moves and who
leaves can follow the same person across months by its persistent id. The sample is drawn by
``Population.start_panel`` (``run.panel_persons`` and ``run.panel_firms`` rows; a hash of the id,
so it draws nothing from the model's random streams); newcomers join it at the same rate. A person
who dies or leaves, and a firm that exits, gets a last row with its last state and the event; its
id never comes back. Each row stands for ``run.scale`` persons (or firms), as every row of the
model does.

Events are found by comparing each individual's state with its previous month's: came_of_age and
retired (age band changed), moved (home street or tenure changed), job_found / job_changed /
job_lost (employer id changed), relocated (a firm's street changed); born, arrived and entered
come from the month it entered.
"""

from __future__ import annotations

import numpy as np

from sim.agents.residents import ARRIVED, BORN, ENTRIES, NO_JOB
from sim.categories import AGE_BANDS, CHILD, ELDERLY, TENURES, WORKING


class Panel:
    """Builds the month's panel rows and keeps what the next month compares with."""

    def __init__(self, model):
        d = model.district
        self.street = np.array(d.successor_names, dtype=object)
        self.sub_area = np.array(d.street_names, dtype=object)
        self.area = np.array(d.area_names, dtype=object)
        self.sector = np.array([s.key for s in d.sectors], dtype=object)
        self.zone_key = np.array([z.key for z in d.zones] + [""], dtype=object)  # (index −1: no zone)
        self.person = _Previous(4)  # home, tenure, employer id, age band
        self.firm = _Previous(1)  # street

    def rows(self, model, filled: np.ndarray, zones: np.ndarray) -> tuple[dict[str, list], dict[str, list]]:
        """This month's persons.csv and firms.csv rows as columns (in id order, leavers last);
        ``filled`` and ``zones`` are each firm row's posts held and zone, as the recorder has them."""
        return self.persons(model), self.firms(model, filled, zones)

    # ------------------------------------------------------------------ persons.csv
    def persons(self, model) -> dict[str, list]:
        res, firms = model.residents, model.firms
        exits, res.panel_exits = res.panel_exits, []
        rows = np.flatnonzero(res.alive & res.in_panel)
        state = res.snapshot(rows[np.argsort(res.id[rows], kind="stable")])
        state["employer_id"] = self._employer_ids(state["employer"], firms)
        parts = [self._person_rows(model, state, self._person_events(model, state))]
        for why, last in exits:  # (what else happened to them this month first: a move, a lost job)
            last["employer_id"] = self._employer_ids(last["employer"], firms)
            events = self._person_events(model, last)
            parts.append(self._person_rows(model, last, np.array([f"{e} {why}".strip() for e in events],
                                                                 dtype=object)))
        self.person.keep(state["id"], state["home"], state["tenure"], state["employer_id"], state["age"])
        return joined(parts)

    @staticmethod
    def _employer_ids(employer: np.ndarray, firms) -> np.ndarray:
        """Firm ids of employer rows (−1 none, −2 a job elsewhere: kept as they are)."""
        return np.where(employer >= 0, firms.id[np.maximum(employer, 0)], employer)

    def _person_events(self, model, s: dict) -> np.ndarray:
        month = model.steps
        events = [[] for _ in s["id"]]
        new = (s["entered"] == month) & (month > 0)
        for i in np.flatnonzero(new & (s["entry"] == BORN)):
            events[i].append("born")
        for i in np.flatnonzero(new & (s["entry"] == ARRIVED)):
            events[i].append("arrived")
        known, (home, tenure, employer, age) = self.person.lookup(s["id"])
        moved = known & ((home != s["home"]) | (tenure != s["tenure"]))
        now = s["employer_id"]
        had, has = employer != NO_JOB, now != NO_JOB
        for flags, name in ((known & (age == CHILD) & (s["age"] == WORKING), "came_of_age"),
                            (known & (age == WORKING) & (s["age"] == ELDERLY), "retired"), (moved, "moved"),
                            (known & ~had & has, "job_found"), (known & had & has & (employer != now), "job_changed"),
                            (known & had & ~has, "job_lost")):
            for i in np.flatnonzero(flags):
                events[i].append(name)
        return np.array([" ".join(e) for e in events], dtype=object)

    def _person_rows(self, model, s: dict, events: np.ndarray) -> dict[str, list]:
        firms = model.firms
        month, date = model.steps, model.date.strftime("%Y-%m")
        employer, work = s["employer"], s["work_area"]
        sector = np.where(employer >= 0, firms.sector[np.maximum(employer, 0)], -1)
        columns = {
            "person": s["id"].tolist(),
            "entry": [ENTRIES[e] for e in s["entry"]],
            "entered": s["entered"].tolist(),
            "street": self.street[s["home"]].tolist(),
            "sub_area": self.sub_area[s["home"]].tolist(),
            "tenure": [TENURES[t] for t in s["tenure"]],
            "age_band": [AGE_BANDS[a] for a in s["age"]],
            "talent": s["talent"].astype(int).tolist(),
            "in_labour_force": s["active"].astype(int).tolist(),
            "employer": s["employer_id"].tolist(),
            "workplace": [self.area[w] if w >= 0 else "" for w in work.tolist()],
            "sector": [self.sector[k] if k >= 0 else "" for k in sector.tolist()],
            "wage": s["wage"].astype(float).round(2).tolist(),
            "commute_min": s["commute"].astype(float).round(3).tolist(),
            "commute_km": s["commute_km"].astype(float).round(3).tolist(),
            "satisfaction": s["satisfaction"].round(4).tolist(),
            "events": events.tolist(),
        }
        return _records(month, date, columns)

    # ------------------------------------------------------------------ firms.csv
    def firms(self, model, filled: np.ndarray, zones: np.ndarray) -> dict[str, list]:
        f = model.firms
        exits, f.panel_exits = f.panel_exits, []
        rows = np.flatnonzero(f.alive & f.in_panel)
        rows = rows[np.argsort(f.id[rows], kind="stable")]
        state = f.snapshot(rows)
        state["filled"] = filled[rows]
        state["zone"] = zones[rows]
        month = model.steps
        events = [[] for _ in rows]
        for i in np.flatnonzero((state["entered"] == month) & (month > 0)):
            events[i].append("entered")
        known, (street,) = self.firm.lookup(state["id"])
        for i in np.flatnonzero(known & (street != state["street"])):
            events[i].append("relocated")
        parts = [self._firm_rows(model, state, np.array([" ".join(e) for e in events], dtype=object))]
        for why, last in exits:
            last["filled"] = np.zeros(len(last["id"]), dtype=np.int64)  # (its workers were let go first)
            last["zone"] = np.full(len(last["id"]), -1)
            parts.append(self._firm_rows(model, last, np.full(len(last["id"]), why, dtype=object)))
        self.firm.keep(state["id"], state["street"])
        return joined(parts)

    def _firm_rows(self, model, s: dict, events: np.ndarray) -> dict[str, list]:
        scale = model.scale
        columns = {
            "firm": s["id"].tolist(),
            "entry": ["initial" if e == 0 else "entered" for e in s["entered"].tolist()],
            "entered": s["entered"].tolist(),
            "street": self.street[s["street"]].tolist(),
            "sub_area": self.sub_area[s["street"]].tolist(),
            "zone": self.zone_key[s["zone"]].tolist(),
            "sector": self.sector[s["sector"]].tolist(),
            "public": s["public"].astype(int).tolist(),
            "large": s["large"].astype(int).tolist(),
            "posts": (s["target"].astype(float) * scale).tolist(),
            "jobs": (s["filled"].astype(float) * scale).tolist(),
            "wage": s["wage"].astype(float).round(2).tolist(),
            "age_months": s["age_months"].tolist(),
            "events": events.tolist(),
        }
        return _records(model.steps, model.date.strftime("%Y-%m"), columns)


class _Previous:
    """Last month's state of the sampled individuals, by id (sorted), for finding what changed."""

    def __init__(self, n_values: int):
        self.ids = np.zeros(0, dtype=np.int64)
        self.values = tuple(np.zeros(0, dtype=np.int64) for _ in range(n_values))

    def keep(self, ids: np.ndarray, *values: np.ndarray) -> None:
        self.ids, self.values = ids, values

    def lookup(self, ids: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
        """Which ids were there last month, and their values (meaningless where not known)."""
        if not len(self.ids):
            return np.zeros(len(ids), dtype=bool), tuple(np.zeros(len(ids), dtype=v.dtype) for v in self.values)
        at = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        return self.ids[at] == ids, tuple(v[at] for v in self.values)


def _records(month: int, date: str, columns: dict[str, list]) -> dict[str, list]:
    """The panel's columns in order (month and date first), all of one length."""
    n = len(next(iter(columns.values())))
    return {"month": [month] * n, "date": [date] * n, **columns}


def joined(parts: list[dict[str, list]]) -> dict[str, list]:
    """Columns of several row blocks, one after the other."""
    out = {name: list(values) for name, values in parts[0].items()}
    for part in parts[1:]:
        for name, values in part.items():
            out[name] += values
    return out
