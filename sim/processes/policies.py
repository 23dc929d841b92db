"""Phase 1: the levers act (``sim.policies``), then the orders and returns they cause take effect."""

from __future__ import annotations

import numpy as np

from sim.flows import Flows
from sim.processes.homes import displace


def enact(model, month: int) -> Flows:
    """Every lever acts for ``month``; households ordered out are chosen; renewed homes whose
    works end come back; the staffing ledger must balance; public employers' posts follow it."""
    flows = Flows()
    for lever in model.config.levers:
        flows += lever.apply(model, month)
    for order in model.policy.clearances:  # (after every lever: levers draw no random numbers)
        flows.add("displaced", displace(model, order))
    model.policy.clearances.clear()
    model.streets.return_renewed(month)
    problems = model.staffing.check()
    if problems:
        raise RuntimeError(f"month {month}: the staffing ledger does not balance: {'; '.join(problems)}")
    staff_public_employers(model)
    minutes = travel_minutes(model)
    if not np.array_equal(minutes, model.minutes, equal_nan=True):
        model.set_minutes(minutes)
    return flows


def travel_minutes(model) -> np.ndarray:
    """The commute matrix in force: the data's, with the in-vehicle part (minutes less the
    access minutes) shortened on trips from or to the streets new roads serve, between the
    streets and outside areas an open metro line links (not between two outside areas: they are
    outside the model), and within a street by its greenways (``greenway_saving_per_km`` a km,
    at most a fifth)."""
    d, plan = model.district, model.policy.transport
    base = d.minutes
    access = min(d.commute.access_min, float(np.nanmin(base)))
    factor = np.ones_like(base)
    if plan.road_saving > 0:
        served = np.zeros(d.n_areas, dtype=bool)
        served[[d.street_index(s) for s in plan.road_streets]] = True
        factor[served[:, None] | served[None, :]] *= 1.0 - plan.road_saving
    if plan.line_saving > 0:
        linked = np.zeros(d.n_areas, dtype=bool)
        linked[[d.street_index(s) for s in plan.line_streets]] = True
        linked[[d.ext + d.outside_index(key) for key in plan.line_areas]] = True
        both = linked[:, None] & linked[None, :]
        np.fill_diagonal(both, False)
        factor[both] *= 1.0 - plan.line_saving
    green = np.minimum(model.config.uncertainties.greenway_saving_per_km * model.streets.greenway_km, 0.2)
    idx = np.arange(d.n_streets)
    factor[idx, idx] *= 1.0 - green
    return access + (base - access) * factor


def step(model) -> Flows:
    return enact(model, model.steps)


def staff_public_employers(model) -> None:
    """Public employers' posts (schools, hospitals, government) follow the staffing ledger."""
    d = model.district
    edu, health, _ = (d.sectors[k] for k in d.public_sector_indices())
    posts = model.staffing.posts(edu.staff_per_teacher, health.staff_per_doctor) / model.scale
    model.firms.staff_public(posts, d.public_sector_indices())
