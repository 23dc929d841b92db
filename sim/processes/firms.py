"""Phase 3: firms exit, grow and enter; overstaffed firms lay off.

Private firms close at their sector's hazard (young firms more often); the survivors' targets
drift with their sector's trend and their own shocks, an expansion only where floor space is
free; organic entrants (business registration, no engineering approval) replace the expected
exits of their street and sector, more where more floor space stands free than at the start.
Private building adds floor space at a steady rate. In-commuters quit at their own rate; firms
above their target lay off, in-commuters first.
"""

from __future__ import annotations

import numpy as np

from sim.categories import SPACE_TYPES
from sim.flows import Flows
from sim.markets import admit
from sim.markets import property as market


def space_used(model) -> np.ndarray:
    """Floor space (m²) private firms use, street × space type."""
    f, d = model.firms, model.district
    rows = np.flatnonzero(f.alive & ~f.public)
    kind = d.space_of_sector[f.sector[rows]]
    m2 = f.target[rows] * model.scale * d.space.m2_per_job()[kind]
    n = d.n_streets
    return np.bincount(f.street[rows] * len(SPACE_TYPES) + kind, weights=m2,
                       minlength=n * len(SPACE_TYPES)).reshape(n, len(SPACE_TYPES))


def free_space(model) -> np.ndarray:
    """Floor space (m²) no firm uses, street × space type."""
    return np.maximum(model.streets.space - space_used(model), 0.0)


def open_firms(model, sector: np.ndarray, street: np.ndarray, posts: np.ndarray, *, large=None,
               zone: int | None = None) -> Flows:
    """New firm rows; a zone firm sits inside its zone's covered part of the street."""
    rng, d = model.rng, model.district
    n = len(sector)
    flows = Flows()
    is_large = np.zeros(n, dtype=bool) if large is None else large
    flows.add_street("firm_entries", np.bincount(street, weights=np.where(is_large, 1, model.scale),
                                                 minlength=d.n_streets))
    zone_u = rng.random(n)
    if zone is not None:
        zone_u = zone_u * model.zones.coverage(model.policy.zone_alignment)[zone, street[0]]
    model.firms.add(
        n, sector=sector, street=street, zone_u=zone_u, target=posts,
        wage=d.wage_base[sector] * rng.lognormal(-0.02, 0.2, n),
        talent_share=np.array([d.sectors[k].talent_share for k in sector]),
        large=is_large,
    )
    return flows


def step(model) -> Flows:
    rng, d, u, f, res, scale = (model.rng, model.district, model.config.uncertainties, model.firms, model.residents,
                                model.scale)
    sectors = d.sectors
    flows = Flows()
    monthly_exit = np.array([s.exit_per_year / 12.0 for s in sectors])
    hazard = f.exit_hazard(monthly_exit, u.young_exit_factor)
    cell = f.street.astype(np.int64).clip(0) * len(sectors) + f.sector.clip(0)
    expected_exits = np.bincount(cell, weights=hazard, minlength=d.n_streets * len(sectors))
    closing = np.flatnonzero(rng.random(f.capacity) < hazard)
    flows.add("exits", float(f.firms_per_row(scale)[closing].sum()))
    closed = np.zeros(f.capacity, dtype=bool)
    closed[closing] = True
    res.lose_jobs_at(closed, model.steps)
    f.remove(closing)

    # Firms grow where there is room.
    free = free_space(model)
    stock = model.streets.space
    room_by_type = np.clip(free / np.maximum(0.02 * stock, 1.0), 0.0, 1.0)  # full room above 2% vacancy
    room = room_by_type[:, d.space_of_sector]
    growth = np.array([s.growth_per_year / 12.0 for s in sectors]) * u.firm_growth_scale
    f.grow(rng, growth, u.firm_shock_sigma, room)

    # Organic entry (business registration, no engineering approval): new firms replace the
    # expected exits of their street and sector, more where more floor space stands free than
    # at the start (new buildings draw firms) and fewer where less does.
    private = np.flatnonzero(~d.public_sector)
    vacancy = free / np.maximum(stock, 1.0)
    supply = np.clip(vacancy / d.space.vacancy, 0.0, u.max_space_pull)[:, d.space_of_sector]
    rate = expected_exits.reshape(d.n_streets, len(sectors)) * u.entry_scale * supply
    entries = rng.poisson(rate)
    street_idx, sector_idx = np.nonzero(entries)
    counts = entries[street_idx, sector_idx]
    sector = np.repeat(sector_idx, counts).astype(np.int8)
    street = np.repeat(street_idx, counts).astype(np.int8)
    if len(sector):
        sizes = np.array([sectors[k].size for k in private])
        mean = np.zeros(len(sectors))
        mean[private] = sizes
        posts = np.maximum(1, np.round(mean[sector] * rng.lognormal(-0.32, 0.8, len(sector)))).astype(np.int32)
        flows += open_firms(model, sector, street, posts)
    flows.add("entries", len(sector) * scale)

    # In-commuters leave at their own rate; overstaffed firms lay off (in-commuters first).
    f.incommuters -= rng.binomial(f.incommuters, u.incommuter_quit_rate)
    filled = f.filled(res.firm_counts(f.capacity)[0])
    excess = np.maximum(filled - f.target, 0) * f.alive
    cut_in = np.minimum(excess, f.incommuters)
    f.incommuters -= cut_in
    excess -= cut_in
    if excess.any():
        workers = res.at_firms(excess > 0)
        res.quit_jobs(workers[admit(rng, res.employer[workers], excess)], model.steps)

    streets = model.streets
    occupancy = space_used(model) / np.maximum(streets.space, 1.0)
    streets.set_space_rents(market.adjust_rents(streets.space_rent, occupancy, u.space_rent_response,
                                                1.0 - d.space.vacancy))
    return flows
