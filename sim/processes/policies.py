"""Phase 1: the levers act (``sim.policies``), then the orders and returns they cause take effect."""

from __future__ import annotations

from sim.flows import Flows
from sim.processes.homes import displace


def enact(model, month: int) -> Flows:
    """Every lever acts for ``month``; households ordered out are chosen; renewed homes whose
    works end come back; public employers' posts follow the streets' staff."""
    flows = Flows()
    for lever in model.config.levers:
        flows += lever.apply(model, month)
    for order in model.policy.clearances:  # (after every lever: levers draw no random numbers)
        flows.add("displaced", displace(model, order))
    model.policy.clearances.clear()
    model.streets.return_renewed(month)
    staff_public_employers(model)
    return flows


def step(model) -> Flows:
    return enact(model, model.steps)


def staff_public_employers(model) -> None:
    """Public employers' posts (schools, hospitals, government) follow the streets' staff."""
    d = model.district
    edu, health, _ = (d.sectors[k] for k in d.public_sector_indices())
    posts = model.streets.public_posts(edu.staff_per_teacher, health.staff_per_doctor) / model.scale
    model.firms.staff_public(posts, d.public_sector_indices())
