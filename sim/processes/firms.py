"""Phase 4: firms exit, grow, move and enter; overstaffed firms lay off; floor-space rents.

Private firms close at their sector's hazard (young firms more often); the survivors' targets
drift with their sector's trend and their own shocks, an expansion only where floor space is
free; a few consider moving street (``relocate``); organic entrants (business registration, no
engineering approval) replace the expected exits of their sector district-wide, more when more
of its kind of floor space stands free than at the start. Movers and entrants choose their
street by a logit on rent, access to workers, clustering, zone coverage and free space
(``sim.markets.location``). In-commuters quit at their own rate; firms above their target lay
off, in-commuters first. Floor-space rents then follow occupancy (``partial_adjustment``); new
floor space comes from the development pipeline (``sim.processes.development``).
"""

from __future__ import annotations

import numpy as np

from sim.agents.population import draw_without_replacement
from sim.compiled import kernel
from sim.flows import Flows
from sim.markets import admit, gumbel, location, partial_adjustment


def space_used(model) -> np.ndarray:
    """Floor space (m²) private firms use, street × space type."""
    f, d = model.firms, model.district
    per_job = d.space.m2_per_job() * model.scale
    return used_space(f.alive & ~f.public, f.street, f.sector, f.target, d.space_of_sector.astype(np.int64),
                      per_job.astype(np.float64), d.n_streets)


@kernel("float64[:, :](boolean[:], int8[:], int8[:], int32[:], int64[:], float64[:], int64)")
def used_space(private, street, sector, target, kind_of_sector, m2_per_post, n_streets):
    """Σ over private rows of posts × m² per post, by street × space type, row by row (the
    order ``np.bincount`` adds in)."""
    out = np.zeros((n_streets, len(m2_per_post)))
    for i in range(len(private)):
        if private[i]:
            k = kind_of_sector[sector[i]]
            out[street[i], k] += target[i] * m2_per_post[k]
    return out


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
        wage=d.wage_base[sector] * model.wage_index[sector] * rng.lognormal(-0.02, 0.2, n),
        talent_share=np.array([d.sectors[k].talent_share for k in sector]),
        large=is_large, entered=np.full(n, model.steps),
    )
    return flows


def firm_choice(model) -> location.FirmChoice:
    u = model.config.uncertainties
    return location.FirmChoice(rent_weight=u.firm_rent_weight, access_weight=u.firm_access_weight,
                               agglomeration_weight=u.firm_agglomeration_weight, zone_weight=u.firm_zone_weight)


def location_utilities(model) -> np.ndarray:
    """Firms' utility of each street, street × sector, before the constants and the size term."""
    d, res, f, streets = model.district, model.residents, model.firms, model.streets
    n, kind = d.n_streets, d.space_of_sector
    other, talent = (res.labour_by_home().T * model.scale).astype(float)
    minutes = model.minutes[:n, :n]
    decay = model.config.uncertainties.search_decay
    rows = np.flatnonzero(f.alive & ~f.public)
    sector_jobs = np.bincount(f.street[rows].astype(np.int64) * len(d.sectors) + f.sector[rows],
                              weights=f.target[rows], minlength=n * len(d.sectors)).reshape(n, len(d.sectors))
    coverage = model.zones.coverage(model.policy.zone_alignment)  # zone × street
    zone_lead = np.zeros((n, len(d.sectors)))
    for z in range(model.zones.n):
        zone_lead[:, list(model.zones.leading[z])] += coverage[z][:, None]
    return location.utilities(
        firm_choice(model), rent_ratio=(streets.space_rent / streets.space_rent_start)[:, kind],
        access_talent=location.access(talent, minutes, decay), access_other=location.access(other, minutes, decay),
        talent_share=np.array([s.talent_share for s in d.sectors]), sector_jobs=sector_jobs * model.scale,
        zone_lead=zone_lead)


def fit_location_constants(model) -> np.ndarray:
    """Constants (street × sector) that send the start's entrants where its exits are."""
    d, f = model.district, model.firms
    rows = np.flatnonzero(f.alive & ~f.public)
    monthly_exit = np.array([s.exit_per_year / 12.0 for s in d.sectors])
    hazard = f.exit_hazard(monthly_exit, model.config.uncertainties.young_exit_factor)[rows]
    exits = np.bincount(f.street[rows].astype(np.int64) * len(d.sectors) + f.sector[rows], weights=hazard,
                        minlength=d.n_streets * len(d.sectors)).reshape(d.n_streets, len(d.sectors))
    target = exits / np.maximum(exits.sum(axis=0, keepdims=True), 1e-12)
    v = location_utilities(model) + location.size_term(free_space(model)[:, d.space_of_sector])
    return location.constants(target, v)


REVIEW_MONTHS = 3  # firms review their location once a quarter (assumption)


def relocate(model, v: np.ndarray, free: np.ndarray) -> Flows:
    """Private firms (not large investors, whose plants are theirs) review their location once a
    quarter, each considering a move with ``firm_relocation_rate`` × 3. Each compares every street
    with room for its floor space by the entrants' logit (``v``: utilities with the constants,
    before the size term) against its own street, where it keeps its space (size term ln(free +
    its own)) and saves ``firm_moving_cost``; a rent rise or crowding at home, cheaper room
    elsewhere make it go. Movers, in random order, take their space with them (``free`` is
    updated); their workers keep their jobs, and their commutes follow."""
    rng, d, u, f, res, scale = (model.rng, model.district, model.config.uncertainties, model.firms, model.residents,
                                model.scale)
    flows = Flows()
    if model.steps % REVIEW_MONTHS:
        return flows
    rows = np.flatnonzero(f.alive & ~f.public & ~f.large)
    rows = rows[rng.random(len(rows)) < u.firm_relocation_rate * REVIEW_MONTHS]
    if len(rows) == 0:
        return flows
    sector, here = f.sector[rows].astype(np.int64), f.street[rows].astype(np.int64)
    kind = d.space_of_sector[sector]
    need = f.target[rows] * scale * d.space.m2_per_job()[kind]
    base = v[:, sector].T  # movers × streets
    room = free[:, kind].T  # the same, free floor space of each mover's kind
    utility = np.where(room >= need[:, None], base + location.size_term(room), -np.inf)
    own = np.arange(len(rows))
    utility[own, here] = base[own, here] + np.log(room[own, here] + need) + u.firm_moving_cost
    choice = np.argmax(utility + gumbel(rng, utility.shape), axis=1)
    moving = np.flatnonzero(choice != here)
    moved = []
    for i in moving[rng.permutation(len(moving))]:
        to, k = int(choice[i]), int(kind[i])
        if free[to, k] < need[i]:  # (taken this month by an earlier mover)
            continue
        free[to, k] -= need[i]
        free[here[i], k] += need[i]
        moved.append(i)
    if moved:
        moved = np.array(moved)
        firm = rows[moved]
        f.street[firm] = choice[moved]
        f.zone_u[firm] = rng.random(len(firm))
        flagged = np.zeros(f.capacity, dtype=bool)
        flagged[firm] = True
        workers = res.at_firms(flagged)
        res.take_jobs(workers, res.employer[workers], res.wage[workers], f.street[res.employer[workers]])
    flows.add("firm_relocations", float(len(moved)) * scale)
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
    f.remove(closing, "exited")

    # Firms grow where there is room.
    free = free_space(model)
    stock = model.streets.space
    room_by_type = np.clip(free / np.maximum(0.02 * stock, 1.0), 0.0, 1.0)  # full room above 2% vacancy
    room = room_by_type[:, d.space_of_sector]
    growth = np.array([s.growth_per_year / 12.0 for s in sectors]) * u.firm_growth_scale
    f.grow(rng, growth, u.firm_shock_sigma, room)

    # Firms may move (``relocate``); then entrants choose, by the same utilities.
    v = location_utilities(model) + model.firm_location_constant
    free = free_space(model)
    flows += relocate(model, v, free)

    # Organic entry (business registration, no engineering approval): new firms replace the
    # expected exits of their sector, more when more of its kind of floor space stands free than
    # at the start (new buildings draw firms) and fewer when less does; each picks a street.
    private = np.flatnonzero(~d.public_sector)
    vacancy = free.sum(axis=0) / np.maximum(stock.sum(axis=0), 1.0)
    supply = np.clip(vacancy / d.space.vacancy, 0.0, u.max_space_pull)[d.space_of_sector]
    rate = expected_exits.reshape(d.n_streets, len(sectors)).sum(axis=0) * u.entry_scale * supply
    counts = np.zeros(len(sectors), dtype=np.int64)
    counts[private] = rng.poisson(rate[private])
    sector = np.repeat(np.arange(len(sectors)), counts).astype(np.int8)
    shares = location.probabilities(v + location.size_term(free[:, d.space_of_sector]))
    street = np.concatenate([rng.choice(d.n_streets, size=counts[k], p=shares[:, k]) if counts[k] else
                             np.zeros(0, dtype=np.int64) for k in range(len(sectors))]).astype(np.int8)
    if len(sector):
        sizes = np.array([sectors[k].size for k in private])
        mean = np.zeros(len(sectors))
        mean[private] = sizes
        posts = np.maximum(1, np.round(mean[sector] * rng.lognormal(-0.32, 0.8, len(sector)))).astype(np.int32)
        flows += open_firms(model, sector, street, posts)
    flows.add("entries", len(sector) * scale)

    # In-commuters leave at their own rate; overstaffed firms lay off (in-commuters first).
    held = f.incommuters_held()
    some = np.flatnonzero(held)
    quits = rng.binomial(held[some], u.incommuter_quit_rate)
    leaving = quits > 0
    rows = some[leaving]
    f.incommuters[rows] -= draw_without_replacement(rng, f.incommuters[rows], quits[leaving])
    filled = f.filled(res.firm_counts(f.capacity)[0])
    excess = np.maximum(filled - f.target, 0) * f.alive
    cut_in = np.minimum(excess, f.incommuters_held())
    rows = np.flatnonzero(cut_in)
    f.incommuters[rows] -= draw_without_replacement(rng, f.incommuters[rows], cut_in[rows])
    excess -= cut_in
    if excess.any():
        workers = res.at_firms(excess > 0)
        res.quit_jobs(workers[admit(rng, res.employer[workers], excess)], model.steps)

    streets = model.streets
    occupancy = space_used(model) / np.maximum(streets.space, 1.0)
    streets.set_space_market(partial_adjustment(streets.space_rent, occupancy, u.space_rent_response,
                                                1.0 - d.space.vacancy), occupancy)
    return flows
