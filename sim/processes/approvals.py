"""Phase 2: zone committees' investment leads, the engineering-approval pipeline, and openings.

A committee's attraction time brings investment leads (firms of its zone's leading sectors, a
few of them large investors — one row per large firm whatever the scale), each choosing a
footprint street by the firms' location logit (``sim.markets.location``) weighted by the
street's share inside the zone. The leads and their
own draws come from the pipeline's own random stream (seeded from the model's at the start), so
scenarios on the same seed see the same leads while the committees' effort is the same (common
random numbers). Each lead applies for approval: its working days follow the
regime in force (``ApprovalRegime.base_days``) plus committee–street coordination while zones
cover streets only partly and streets still compete for investment; major projects with the
full-agency service (全程代办) save a share; each application draws its own noise and its own
patience, and withdraws once it has waited past it. Approved firms fit out (faster with more
construction time) and open where their zone has free floor space — with joint attraction, in
another zone's street if their own has none.
"""

from __future__ import annotations

import numpy as np

from sim.agents.population import Population
from sim.categories import APPROVAL_STAFF
from sim.flows import Flows
from sim.markets import location
from sim.policies.committee import BASE_TIME, CommitteeTime
from sim.processes.firms import free_space, location_utilities, open_firms

FITOUT_MONTHS = 3.0  # months from approval to opening at the base construction share (assumption)


class Applications(Population):
    """Firm-entry applications in the pipeline, one row per ``scale`` applicants (per large investor)."""

    COLUMNS = {
        "zone": (np.int8, -1),
        "sector": (np.int8, -1),
        "street": (np.int8, -1),
        "posts": (np.int32, 0),
        "large": (np.bool_, False),
        "days_needed": (np.float32, 0.0),  # working days until approval
        "waited": (np.float32, 0.0),  # working days waited so far
        "patience": (np.float32, 0.0),  # working days the applicant will wait in all
        "approved": (np.bool_, False),
        "months_to_open": (np.float32, 0.0),  # fit-out months left after approval
    }

    def __init__(self, rng: np.random.Generator):
        super().__init__()
        self.draws = np.random.default_rng(rng.integers(2**63))  # the leads' own stream


# ---------------------------------------------------------------------------------- the rules
def coordination_days(coverage: np.ndarray, street_duties_moved: bool, time: CommitteeTime, info,
                      staff: float) -> float:
    """Extra working days of committee–street coordination each of a zone's applications needs.

    Friction comes from the uncovered parts of its footprint streets (``coverage``) and from
    streets that still compete for investment; the committee's coordination effort — its staff
    (``staff``: relative to the data's) × their coordination time — relieves it."""
    friction = 1.0 - coverage.mean()
    if len(coverage) and not street_duties_moved:
        friction += 0.5
    effort = staff * time.coordination / BASE_TIME.coordination
    return info.coordination_days * friction / max(effort, 1e-6)


def fitout_months(time: CommitteeTime, staff: float) -> float:
    """Months from approval to opening: shorter with more construction effort (``staff``, relative
    to the data's, × construction time)."""
    return FITOUT_MONTHS * BASE_TIME.construction / max(staff * time.construction, 1e-6)


class ApprovalDesk:
    """The departments' approval staff as a queue (assumption: one server pool, M/M/1-like).

    Applications arriving a month (smoothed, ``memory``; building projects as they apply,
    committees' leads at their expected rate, so a coarse scale's lumpy lead rows do not jolt
    the queue) bring ``work`` each — the items to
    process, less the part online service takes off the staff (``ApprovalRegime.work``); the
    staff handle ``items_per_staff_month`` each. At the data's load ``load_start`` item
    processing takes the data's days per item; at utilisation ρ it takes
    (1 − load_start) / (1 − ρ) times as long (ρ capped at 0.95). So fewer staff, more
    applications or more work per application all lengthen approval; the start's arrivals are
    taken to run at ``load_start`` under the pre-reform regime."""

    def __init__(self, info, staff: float, work: float, memory: float = 0.8):
        self.items_per_staff_month, self.load_start, self.memory = info.items_per_staff_month, info.load_start, memory
        self.arrivals = info.load_start * staff * info.items_per_staff_month / work
        self.arriving = 0.0  # applications counted this month
        self.factor = 1.0  # processing time relative to the data's, for this month
        self.load = info.load_start  # the staff's utilisation ρ this month

    def open_month(self, staff: float, work: float) -> None:
        """Last month's arrivals join the smoothed rate; this month's processing factor follows."""
        self.arrivals = self.memory * self.arrivals + (1.0 - self.memory) * self.arriving
        self.arriving = 0.0
        self.load = self.arrivals * work / max(staff * self.items_per_staff_month, 1e-9)
        self.factor = (1.0 - self.load_start) / (1.0 - min(self.load, 0.95))


def approval_days(regime, info, large: np.ndarray, coordination: np.ndarray, in_centre_zone: np.ndarray,
                  z: np.ndarray, congestion: float = 1.0) -> np.ndarray:
    """Working days each application needs (``large``: a major project; ``in_centre_zone``: in the
    zone of the service sub-centre; ``congestion``: the approval desk's processing factor), with
    its own log-normal noise (``z``: a standard normal draw per application)."""
    days = regime.base_days(info, in_centre_zone, congestion) + coordination
    if regime.full_agency:
        days = np.where(large, days * (1.0 - info.full_agency_saving), days)
    return days * np.exp(info.noise_sigma * z - info.noise_sigma**2 / 2)


def lead_rate(model, zone: int) -> float:
    """A committee's expected investment leads a month (firms): its staff × their attraction time."""
    u, policy = model.config.uncertainties, model.policy
    effort = policy.committee.attraction / BASE_TIME.attraction
    if policy.joint_attraction:
        effort *= 1.0 + u.joint_attraction_gain
    return float(model.zones.staff[zone]) * model.district.zones_common.leads_per_staff_year / 12.0 * effort \
        * u.lead_rate_scale


def attract(rng: np.random.Generator, model, zone: int, v: np.ndarray, rate: float) -> dict[str, np.ndarray]:
    """This month's investment leads of a committee: rows of ``scale`` ordinary firms, and one row
    per large investor (its posts a scale-th of its jobs). Each picks a footprint street by the
    firms' location logit (``v``, street × sector, sizes and constants included) weighted by the
    street's share inside the zone."""
    d, policy, zones, scale = model.district, model.policy, model.zones, model.scale
    common = d.zones_common
    n_large = rng.poisson(rate * common.large_investor_share)
    n = rng.poisson(rate * (1.0 - common.large_investor_share) / scale) + n_large
    sector = rng.choice(zones.leading[zone], size=n)
    large = np.arange(n) >= n - n_large
    sizes = np.array([d.sectors[s].size for s in sector]) * common.lead_size_factor
    sizes = np.where(large, common.large_investor_size / scale, sizes)
    posts = np.maximum(1, np.round(sizes * rng.lognormal(-0.125, 0.5, n))).astype(np.int32)
    # Firms settle in the covered part of a footprint street, chosen as any firm chooses.
    coverage = zones.footprint_coverage(zone, policy.zone_alignment)
    streets = np.asarray(zones.streets[zone])
    street = np.empty(n, dtype=streets.dtype)
    for k in np.unique(sector):
        mine = np.flatnonzero(sector == k)
        choice = location.probabilities(v[streets, k][:, None] + np.log(np.maximum(coverage, 1e-300))[:, None])[:, 0]
        if choice.sum() <= 0:  # no free space of the kind in any footprint street: by coverage alone
            choice = coverage / coverage.sum()
        street[mine] = streets[rng.choice(len(streets), size=len(mine), p=choice)]
    return {"sector": sector.astype(np.int8), "street": street, "posts": posts, "large": large}


def committee_staff(model, zone: int) -> float:
    """A committee's staff relative to the data's (the staffing ledger's)."""
    return float(model.zones.staff[zone]) / max(model.district.staffing.committee_staff, 1e-9)


def zone_coordination_days(model, zone: int) -> float:
    """``coordination_days`` of a zone under the policy in force."""
    policy = model.policy
    return coordination_days(model.zones.footprint_coverage(zone, policy.zone_alignment), policy.street_duties_moved,
                             policy.committee, model.district.approvals, committee_staff(model, zone))


def site_for(model, zone: int, street: int, kind: int, need: float, free: np.ndarray,
             coverage: np.ndarray) -> tuple[int, int] | None:
    """(zone, street) with room for an approved zone firm: its own street, or — with joint
    attraction — the first zone street with room (the committees pass the lead on)."""
    if free[street, kind] * coverage[zone, street] >= need:
        return zone, street
    if model.policy.joint_attraction:
        for z, s in zip(*np.nonzero(coverage), strict=True):
            if free[s, kind] * coverage[z, s] >= need:
                return int(z), int(s)
    return None


# ---------------------------------------------------------------------------------- the phase
def step(model) -> Flows:
    d, u, pipe = model.district, model.config.uncertainties, model.pipeline
    rng = pipe.draws
    desk = model.approval_desk
    desk.open_month(float(model.staffing.of(APPROVAL_STAFF).sum()), model.policy.regime.work(d.approvals))
    free = free_space(model)  # (the leads' choice and the openings below see the same floor space)
    v = location_utilities(model) + model.firm_location_constant + location.size_term(free[:, d.space_of_sector])
    for zone in range(model.zones.n):
        rate = lead_rate(model, zone)
        desk.arriving += rate  # (the expected leads: a lead row stands for `scale` firms)
        leads = attract(rng, model, zone, v, rate)
        n = len(leads["sector"])
        if n == 0:
            continue
        days = approval_days(model.policy.regime, d.approvals, leads["large"],
                             np.full(n, zone_coordination_days(model, zone)), np.full(n, zone == d.centre_zone),
                             rng.standard_normal(n), desk.factor)
        patience = u.patience_days * rng.lognormal(0.0, u.patience_sigma, n)
        pipe.add(n, zone=np.full(n, zone), days_needed=days, patience=patience,
                 months_to_open=np.full(n, fitout_months(model.policy.committee, committee_staff(model, zone))),
                 **leads)
    return advance_pipeline(model, free)


def advance_pipeline(model, free: np.ndarray) -> Flows:
    """Applications wait, get approved or withdraw; approved ones open where there is room
    (``free``: the floor space no firm uses, street × type; openings take from it)."""
    pipe, rng, scale = model.pipeline, model.rng, model.scale
    flows = Flows()
    rows = pipe.rows()
    if len(rows) == 0:
        return flows
    pipe.waited[rows] += model.district.info.working_days_per_month
    newly = rows[~pipe.approved[rows] & (pipe.waited[rows] >= pipe.days_needed[rows])]
    pipe.approved[newly] = True
    if len(newly):
        flows.approvals.append((pipe.days_needed[newly].astype(float), pipe.zone[newly].astype(int)))
    gave_up = rows[~pipe.approved[rows] & (pipe.waited[rows] > pipe.patience[rows])]
    flows.add("withdrawals", float(np.where(pipe.large[gave_up], 1, scale).sum()))
    pipe.remove(gave_up)

    ready = pipe.rows()
    ready = ready[pipe.approved[ready]]
    pipe.months_to_open[ready] -= 1.0
    ready = ready[pipe.months_to_open[ready] <= 0]
    coverage = model.zones.coverage(model.policy.zone_alignment)
    m2_per_job = model.district.space.m2_per_job()
    entries = np.zeros(model.zones.n)
    for row in ready[rng.permutation(len(ready))]:
        sector = int(pipe.sector[row])
        kind = model.district.space_of_sector[sector]
        need = pipe.posts[row] * scale * m2_per_job[kind]
        site = site_for(model, int(pipe.zone[row]), int(pipe.street[row]), kind, need, free, coverage)
        firms = 1 if pipe.large[row] else scale
        if site is None:
            if pipe.waited[row] > 1.5 * pipe.patience[row]:  # no room for too long
                flows.add("withdrawals", firms)
                pipe.remove(np.array([row]))
            continue
        zone, street = site
        free[street, kind] -= need
        flows += open_firms(model, np.array([sector]), np.array([street]), pipe.posts[row:row + 1],
                            large=pipe.large[row:row + 1], zone=zone)
        flows.add("zone_entries", firms)
        entries[pipe.zone[row]] += firms
        pipe.remove(np.array([row]))
    flows.add_zone("entries", entries)
    return flows
