"""The industry-city integration (产城融合) model of Chenghua District: one step is one month.

Residents and firms are column-wise agent populations (``sim.agents``); streets and zone
committees are ``mesa.Agent``s; the rest of Chengdu is an external region. Policy levers
(``sim.policies``) act at the start of each month; ``step`` reads as the month's schedule.
"""

from __future__ import annotations

from datetime import date

import mesa
import numpy as np

from sim import initial
from sim.agents.external import ExternalRegion
from sim.agents.firms import Firms
from sim.agents.population import bernoulli_rows, distinct, thinned
from sim.agents.residents import CLEARED, EXTERNAL_JOB, NO_JOB, RENEWAL, Residents
from sim.agents.street import Street
from sim.approvals import Applications, ApprovalRegime, approval_days
from sim.config import Config
from sim.geography import (
    CHILD,
    DATA_FILE,
    MARKET,
    RESETTLEMENT,
    SPACE_TYPES,
    TALENT,
    TENURES,
    WORKING,
    load_district,
)
from sim.markets import admit, labour
from sim.markets import housing as housing_market
from sim.recording import Recorder


class IndustryCityModel(mesa.Model):
    """Chenghua's residents, firms, streets and zone committees under a scenario's levers."""

    def __init__(self, config: Config | None = None, seed: int | np.random.SeedSequence | None = None):
        super().__init__(rng=np.random.default_rng(seed))
        self.config = config or Config()
        self.seed = seed
        self.district = load_district(self.config.run.data or DATA_FILE)
        self.scale = self.config.run.scale
        self.months = self.config.run.months
        year, month = map(int, self.config.run.start.split("-"))
        self.start = date(year, month, 1)
        d = self.district

        self.external = ExternalRegion(d)
        self.streets: list[Street] = initial.build_streets(self)
        self.zones = initial.build_zones(self)
        self.firms = Firms()
        self.residents = Residents(d.minutes, d.km)
        self.pipeline = Applications()
        self.regime: ApprovalRegime | None = None
        self.governance_productivity = 1.0
        self.doctor_productivity = 1.0
        self.scheduled: list[tuple[int, int, int, float]] = []  # (month, street, tenure, places) to add back
        self.initial_teachers = np.array([s.teachers.copy() for s in self.streets])
        self.initial_doctors = np.array([s.doctors for s in self.streets])
        self.wage_base = initial.sector_wage_base(d)
        self.space_of_sector = np.array([SPACE_TYPES.index(s.space) for s in d.sectors])
        self.public_sector = np.array([s.public for s in d.sectors])
        self.flows: dict[str, float] = {}  # this month's district flows (persons or firms)
        self.street_flows: dict[str, np.ndarray] = {}
        self.zone_flows: dict[str, np.ndarray] = {}

        initial.build_residents(self)
        initial.build_firms(self)
        initial.place_workers(self)
        self.apply_policies(month=0)  # the regime and policy state before any lever acts
        self.locate_firms()
        self.initial_open_share = self.open_posts().sum() / max(np.count_nonzero(self.residents.active), 1)
        self.census()
        self.initial_housing_vacancy = (sum(s.vacant_places()[MARKET] for s in self.streets)
                                        / sum(s.housing[MARKET] for s in self.streets))
        for street in self.streets:
            street.serve(self.rng)
        self.location_constant = np.zeros(d.n_streets)
        self.location_constant = self.fit_location_constants()
        self.update_satisfaction(memory=0.0)  # everyone starts from this month's score
        self.recorder = Recorder(self)

    # ------------------------------------------------------------------ the month
    def step(self) -> None:
        """One month, in this order (the order is a modelling choice: policy first, records last)."""
        self.flows = dict.fromkeys(Recorder.FLOWS, 0.0)
        self.street_flows = {k: np.zeros(self.district.n_streets) for k in Recorder.STREET_FLOWS}
        self.zone_flows = {k: np.zeros(len(self.zones)) for k in Recorder.ZONE_FLOWS}
        self.apply_policies(self.steps)  # 1. levers deliver what is due this month
        self.attract_and_approve()  # 2. committees' leads → approval pipeline → openings
        self.run_firms()  # 3. firms exit, grow, enter; posts open
        self.match_jobs()  # 4. labour market
        self.match_homes()  # 5. housing market and rents
        self.change_population()  # 6. ageing, births, deaths, migration in and out
        self.serve_streets()  # 7. schools, health, grid governance; satisfaction
        self.recorder.record(self)  # 8. metrics

    @property
    def month(self) -> int:
        """Months simulated so far (0 before the first step)."""
        return self.steps

    @property
    def date(self) -> date:
        """Calendar month of the month last simulated."""
        index = self.start.month - 1 + max(self.steps - 1, 0)
        return date(self.start.year + index // 12, index % 12 + 1, 1)

    # ------------------------------------------------------------------ phase 1
    def apply_policies(self, month: int) -> None:
        for lever in self.config.levers:
            lever.apply(self, month)
        due = [item for item in self.scheduled if item[0] <= month]
        self.scheduled = [item for item in self.scheduled if item[0] > month]
        for _, street, tenure, places in due:
            self.streets[street].housing[tenure] += places
        self.sync_public_posts()

    def street(self, name: str) -> Street:
        return self.streets[self.district.street_index(name)]

    def schedule(self, month: int, street: int, tenure: int, places: float) -> None:
        """Add housing places to a street in a later month (renewed housing returning)."""
        self.scheduled.append((month, street, tenure, places))

    def displace(self, street: int, persons: float, reason: int = RENEWAL) -> float:
        """Residents of market housing in ``street`` must move (renewal, or land cleared for
        development); return persons displaced. Their homes leave the stock as they move out
        (``match_homes``); renewed homes return after the works, cleared ones do not."""
        res = self.residents
        n = int(initial.stochastic_round(self.rng, persons / self.scale))
        candidates = np.flatnonzero(res.alive & (res.home == street) & (res.tenure == MARKET) & (res.displaced == 0))
        chosen = self.rng.choice(candidates, size=min(n, len(candidates)), replace=False)
        res.displaced[chosen] = reason
        self.flows["displaced"] += len(chosen) * self.scale
        return len(chosen) * self.scale

    def public_posts_by_street(self) -> np.ndarray:
        """Posts (persons) of schools, hospitals and government per street (street × 3)."""
        d = self.district
        edu, health, _ = (d.sectors[k] for k in d.public_sector_indices())
        return np.array([
            [s.teachers.sum() * edu.staff_per_teacher, s.doctors * health.staff_per_doctor,
             s.government_posts + s.staff]
            for s in self.streets
        ])

    def sync_public_posts(self) -> None:
        """Public employers' posts follow the streets' staff (quotas and headcount)."""
        firms = self.firms
        posts = self.public_posts_by_street() / self.scale
        for j, k in enumerate(self.district.public_sector_indices()):
            rows = np.flatnonzero(firms.alive & (firms.sector == k))
            firms.target[rows] = np.round(posts[firms.street[rows], j]).astype(np.int32)

    # ------------------------------------------------------------------ phase 2
    def attract_and_approve(self) -> None:
        rng, d, u = self.rng, self.district, self.config.uncertainties
        for zone in self.zones:
            leads = zone.attract(rng)
            n = len(leads["sector"])
            if n == 0:
                continue
            days = approval_days(rng, self.regime, d.approvals, leads["large"], np.full(n, zone.coordination_days()))
            patience = u.patience_days * rng.lognormal(0.0, u.patience_sigma, n)
            self.pipeline.add(n, zone=np.full(n, zone.index), days_needed=days, patience=patience,
                              months_to_open=np.full(n, zone.fitout_months()), **leads)
        self.advance_pipeline()

    def advance_pipeline(self) -> None:
        """Applications wait, get approved or withdraw; approved ones open where there is room."""
        pipe, rng = self.pipeline, self.rng
        rows = pipe.rows()
        if len(rows) == 0:
            return
        pipe.waited[rows] += self.district.info.working_days_per_month
        newly = rows[~pipe.approved[rows] & (pipe.waited[rows] >= pipe.days_needed[rows])]
        pipe.approved[newly] = True
        self.recorder.note_approvals(pipe.days_needed[newly], pipe.zone[newly], self.scale)
        gave_up = rows[~pipe.approved[rows] & (pipe.waited[rows] > pipe.patience[rows])]
        self.flows["withdrawals"] += len(gave_up) * self.scale
        pipe.remove(gave_up)

        ready = pipe.rows()
        ready = ready[pipe.approved[ready]]
        pipe.months_to_open[ready] -= 1.0
        ready = ready[pipe.months_to_open[ready] <= 0]
        free = self.free_space()
        m2_per_job = self.district.space.m2_per_job()
        for row in ready[rng.permutation(len(ready))]:
            sector = int(pipe.sector[row])
            kind = self.space_of_sector[sector]
            need = pipe.posts[row] * self.scale * m2_per_job[kind]
            site = self.site_for(int(pipe.zone[row]), int(pipe.street[row]), kind, need, free)
            if site is None:
                if pipe.waited[row] > 1.5 * pipe.patience[row]:  # no room for too long
                    self.flows["withdrawals"] += self.scale
                    pipe.remove(np.array([row]))
                continue
            zone, street = site
            free[street, kind] -= need
            self.open_firms(np.array([sector]), np.array([street]), pipe.posts[row:row + 1],
                            large=pipe.large[row:row + 1], zone=zone)
            self.flows["zone_entries"] += self.scale
            self.zone_flows["entries"][pipe.zone[row]] += self.scale
            pipe.remove(np.array([row]))

    def site_for(self, zone: int, street: int, kind: int, need: float, free: np.ndarray) -> tuple[int, int] | None:
        """(zone, street) with room for an approved zone firm: its own street, or — with joint
        attraction — the first zone street with room (the committees pass the lead on)."""
        committee = self.zones[zone]
        coverage = self.coverage()
        if free[street, kind] * coverage[zone, street] >= need:
            return zone, street
        if committee.joint_attraction:
            for z, s in zip(*np.nonzero(coverage), strict=True):
                if free[s, kind] * coverage[z, s] >= need:
                    return int(z), int(s)
        return None

    def open_firms(self, sector: np.ndarray, street: np.ndarray, posts: np.ndarray, *, large=None,
                   zone: int | None = None) -> None:
        """New firm rows; a zone firm sits inside its zone's covered part of the street."""
        rng = self.rng
        n = len(sector)
        self.street_flows["firm_entries"] += np.bincount(street, minlength=self.district.n_streets) * self.scale
        zone_u = rng.random(n)
        if zone is not None:
            zone_u = zone_u * self.coverage()[zone, street[0]]
        self.firms.add(
            n, sector=sector, street=street, zone_u=zone_u, target=posts,
            wage=self.wage_base[sector] * rng.lognormal(-0.02, 0.2, n),
            talent_share=np.array([self.district.sectors[k].talent_share for k in sector]),
            large=np.zeros(n, dtype=bool) if large is None else large,
        )

    def space_used(self) -> np.ndarray:
        """Floor space (m²) private firms use, street × space type."""
        f = self.firms
        rows = np.flatnonzero(f.alive & ~f.public)
        kind = self.space_of_sector[f.sector[rows]]
        m2 = f.target[rows] * self.scale * self.district.space.m2_per_job()[kind]
        n = self.district.n_streets
        return np.bincount(f.street[rows] * len(SPACE_TYPES) + kind, weights=m2,
                           minlength=n * len(SPACE_TYPES)).reshape(n, len(SPACE_TYPES))

    def free_space(self) -> np.ndarray:
        return np.maximum(np.array([s.space for s in self.streets]) - self.space_used(), 0.0)

    # ------------------------------------------------------------------ phase 3
    def run_firms(self) -> None:
        rng, d, u, f, res = self.rng, self.district, self.config.uncertainties, self.firms, self.residents
        sectors = d.sectors
        monthly_exit = np.array([s.exit_per_year / 12.0 for s in sectors])
        hazard = f.exit_hazard(monthly_exit, u.young_exit_factor)
        cell = f.street.astype(np.int64).clip(0) * len(sectors) + f.sector.clip(0)
        expected_exits = np.bincount(cell, weights=hazard, minlength=d.n_streets * len(sectors))
        closing = np.flatnonzero(rng.random(f.capacity) < hazard)
        self.flows["exits"] += len(closing) * self.scale
        closed = np.zeros(f.capacity, dtype=bool)
        closed[closing] = True
        res.lose_jobs_at(closed, self.steps)
        f.remove(closing)

        # Private building adds floor space; firms grow where there is room.
        for street in self.streets:
            street.space *= 1.0 + u.space_growth_per_year / 12.0
        free = self.free_space()
        stock = np.array([s.space for s in self.streets])
        room_by_type = np.clip(free / np.maximum(0.02 * stock, 1.0), 0.0, 1.0)  # full room above 2% vacancy
        room = room_by_type[:, self.space_of_sector]
        growth = np.array([s.growth_per_year / 12.0 for s in sectors]) * u.firm_growth_scale
        f.grow(rng, growth, u.firm_shock_sigma, room)

        # Organic entry (business registration, no engineering approval): new firms replace the
        # expected exits of their street and sector, more where more floor space stands free than
        # at the start (new buildings draw firms) and fewer where less does.
        private = np.flatnonzero(~self.public_sector)
        vacancy = free / np.maximum(stock, 1.0)
        supply = np.clip(vacancy / d.space.vacancy, 0.0, u.max_space_pull)[:, self.space_of_sector]
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
            self.open_firms(sector, street, posts)
        self.flows["entries"] += len(sector) * self.scale

        # In-commuters leave at their own rate; overstaffed firms lay off (in-commuters first).
        f.incommuters -= rng.binomial(f.incommuters, u.incommuter_quit_rate)
        filled = f.filled(self.workers())
        excess = np.maximum(filled - f.target, 0) * f.alive
        cut_in = np.minimum(excess, f.incommuters)
        f.incommuters -= cut_in
        excess -= cut_in
        if excess.any():
            workers = res.at_firms(excess > 0)
            res.quit_jobs(workers[admit(rng, res.employer[workers], excess)], self.steps)

    # ------------------------------------------------------------------ phase 4
    def locate_firms(self) -> None:
        """Each firm row's zone under this month's boundaries (firms have opened and closed)."""
        self.firm_zone = self.firms.zone(self.coverage())

    def match_jobs(self) -> None:
        rng, d, u, f, res = self.rng, self.district, self.config.uncertainties, self.firms, self.residents
        self.locate_firms()
        month = self.steps
        # Workers lose their job (exogenous separation) or look for a better one; the unemployed look.
        searching = res.sample(rng, u.on_the_job_search, "employed")
        lost = res.sample(rng, u.separation_rate, "employed")
        res.quit_jobs(lost, month)
        self.flows["separations"] += len(lost) * self.scale
        searching = np.setdiff1d(searching, lost, assume_unique=True)
        unemployed = np.flatnonzero(res.active & (res.work_area < 0))  # (int8: a quarter of the bytes of `employer`)
        rows = np.concatenate([unemployed, searching])  # two disjoint sets
        employed = res.employer[rows] != NO_JOB
        talent = res.talent[rows]
        seekers = labour.Seekers(
            home=res.home[rows], factor=res.factor[rows], talent=talent,
            current_wage=np.where(employed, res.wage[rows], u.reservation_wage), current_minutes=res.commute[rows],
            employed=employed,
        )
        open_posts = self.open_posts()
        firm_rows = np.flatnonzero(open_posts > 0)
        vacancies = labour.Vacancies(
            firm=firm_rows, open_posts=open_posts[firm_rows], street=f.street[firm_rows], wage=f.wage[firm_rows],
            talent_share=f.talent_share[firm_rows],
            external_openings=u.external_openings * np.count_nonzero(res.active),
        )
        params = labour.JobChoice(wage_weight=u.job_wage_weight, commute_weight=u.job_commute_weight,
                                  offers=u.job_offers, search_decay=u.search_decay,
                                  matching_efficiency=u.matching_efficiency,
                                  switch_cost=u.switch_cost, talent_premium=d.external.talent_wage_premium)
        result, wage = labour.match(rng, seekers, vacancies, d.minutes, d.ext, params, self.external.wage_offers)
        moved = result != labour.STAY
        taken = result[moved]
        area = np.where(taken == EXTERNAL_JOB, d.ext, f.street[np.maximum(taken, 0)])
        res.take_jobs(rows[moved], taken, wage[moved], area)
        self.flows["hires"] += int(np.count_nonzero(moved & (result >= 0))) * self.scale

        f.incommuters += self.external.in_commuters(rng, self.open_posts(), np.maximum(f.street, 0),
                                                    u.incommuter_fill_rate, u.job_commute_weight) * f.alive

    def open_posts(self) -> np.ndarray:
        """Unfilled posts per firm row."""
        f = self.firms
        return np.maximum(f.target - f.filled(self.workers()), 0) * f.alive

    def workers(self) -> np.ndarray:
        """Resident workers per firm row (kept current by the residents)."""
        return self.residents.firm_counts(self.firms.capacity)[0]

    # ------------------------------------------------------------------ phase 5
    def housing_costs(self) -> np.ndarray:
        """Housing cost per person a month, tenure × street (yuan)."""
        d = self.district
        rent = np.array([s.rent for s in self.streets])
        lever = self.config.levers.talent_apartments
        return np.vstack([
            rent * d.population.floor_m2_per_person,
            rent * d.population.floor_m2_per_person * d.population.resettlement_rent_share,
            rent * (1.0 - lever.rent_discount) * d.space.talent_apartment_m2_per_resident,
        ])

    def amenity(self) -> np.ndarray:
        """Utility of living in each street, commute and housing cost aside."""
        u, pub = self.config.uncertainties, self.district.public
        green = np.array([s.green_per_person() for s in self.streets])
        school = np.array([np.mean(np.minimum(1.0, pub.standards() / np.maximum(s.students_per_teacher, 1e-9)))
                           for s in self.streets])
        service = np.array([s.service_quality for s in self.streets])
        parks = np.array([s.parks for s in self.streets])
        greenways = np.array([s.greenway_km for s in self.streets])
        return (self.location_constant + u.green_weight * np.log(np.maximum(green, 0.1)) + u.park_weight * parks
                + u.greenway_weight * greenways + u.school_weight * school + u.service_weight * service)

    def fit_location_constants(self, sample: int = 20000, rounds: int = 100) -> np.ndarray:
        """Street constants (unobserved amenity) that make the home-choice logit reproduce where
        people live at the start, at the data's rents — as discrete-choice models are fitted to
        market shares. Without them the first years would be a drift toward the cheapest streets."""
        rng, d, u, res = self.rng, self.district, self.config.uncertainties, self.residents
        rows = np.flatnonzero(res.alive & (res.tenure == MARKET))
        rows = rng.choice(rows, size=min(sample, len(rows)), replace=False)
        work = res.work_area[rows]
        income = np.where(res.employer[rows] != NO_JOB, res.wage[rows], d.population.unemployed_income)
        hours = d.minutes[: d.n_streets][:, np.maximum(work, 0)].T * res.factor[rows, None] / 60.0
        v = (self.amenity()[None, :] - u.home_commute_weight * np.where(work[:, None] >= 0, hours, 0.0)
             - u.rent_weight * self.housing_costs()[MARKET][None, :] / np.maximum(income, 1.0)[:, None])
        target = np.bincount(res.home[rows], minlength=d.n_streets) / len(rows)
        v = np.ascontiguousarray(v.T)  # streets × people: the sums over streets run down whole rows
        top = v.max(axis=0)  # each person's best street before the constants (the logit is shift-free)
        delta = np.zeros(d.n_streets)
        for _ in range(rounds):
            w = np.exp(v + (delta - delta.max())[:, None] - top)  # every exponent ≤ 0: no overflow
            predicted = (w / w.sum(axis=0)).mean(axis=1)
            delta += np.log(np.maximum(target, 1e-9) / np.maximum(predicted, 1e-9))
        return delta - delta.mean()

    def coverage(self) -> np.ndarray:
        """Zone × street share inside each zone now (partial before alignment, whole after)."""
        cov = np.zeros((len(self.zones), self.district.n_streets))
        for z, zone in enumerate(self.zones):
            cov[z, zone.streets] = zone.coverage()
        return cov

    def talent_places_for(self, firm_zone: np.ndarray) -> np.ndarray:
        """Streets whose talent apartments workers of firms in these zones may rent (rows × streets):
        under the zone rules, the apartments in their own zone's streets; no zone (−1), none."""
        return (firm_zone[:, None] >= 0) & (firm_zone[:, None] == self.district.zone_of_street()[None, :])

    def talent_eligible(self, rows: np.ndarray) -> np.ndarray:
        """Where each resident may rent a talent apartment (rows × streets), by the lever's rule:
        zone talent and zone workers in their zone's streets, any talent anywhere."""
        res = self.residents
        rule = self.config.levers.talent_apartments.eligibility
        if rule == "talent":
            return np.repeat(res.talent[rows][:, None], self.district.n_streets, axis=1)
        employer = res.employer[rows]
        at_firm = employer >= 0
        where = self.talent_places_for(np.where(at_firm, self.firm_zone[np.where(at_firm, employer, 0)], -1))
        return where & res.talent[rows][:, None] if rule == "zone_talent" else where

    def home_choice(self) -> housing_market.HomeChoice:
        """The movers' preferences (the scenario's uncertainties)."""
        u = self.config.uncertainties
        return housing_market.HomeChoice(rent_weight=u.rent_weight, commute_weight=u.home_commute_weight,
                                         moving_cost=u.moving_cost)

    def talent_eligible_count(self) -> int:
        """Residents (rows) the talent-apartment rule admits somewhere: any talent, or the (talent)
        workers of firms in a zone — from the per-firm worker counts, without a pass over the rows."""
        res, f = self.residents, self.firms
        rule = self.config.levers.talent_apartments.eligibility
        if rule == "talent":
            return int(np.count_nonzero(res.talent & res.alive))
        workers, talent_workers = res.firm_counts(f.capacity)
        in_zone = (self.firm_zone >= 0) & f.alive
        return int((talent_workers if rule == "zone_talent" else workers)[in_zone].sum())

    def match_homes(self) -> None:
        rng, d, u, res = self.rng, self.district, self.config.uncertainties, self.residents
        n_streets = d.n_streets
        work = res.work_area
        # Everyone may consider moving; a long commute (over an hour) adds to the chance; the
        # displaced must move.
        considering = [res.sample(rng, u.relocation_rate),
                       res.sample(rng, u.long_commute_relocation, "long_commute"),
                       np.flatnonzero(res.displaced > 0)]
        if self.vacant_rows()[TALENT].sum() > 0:
            # Talent apartments are let on application: eligible talent not yet in one apply.
            candidates = np.flatnonzero(res.talent & (res.tenure != TALENT))
            applying = bernoulli_rows(rng, candidates, u.talent_application_rate)
            considering.append(applying[self.talent_eligible(applying).any(axis=1)])
        rows = distinct(np.concatenate(considering))
        income = np.where(res.employer[rows] != NO_JOB, res.wage[rows], d.population.unemployed_income)
        movers = housing_market.Movers(
            home=res.home[rows].astype(np.int64), tenure=res.tenure[rows], income=income, work_area=work[rows],
            factor=res.factor[rows], talent_eligible=self.talent_eligible(rows), displaced=res.displaced[rows] > 0,
        )
        options = housing_market.HomeOptions(cost=self.housing_costs(), vacant=self.vacant_rows(),
                                             amenity=self.amenity())
        choice = housing_market.relocate(rng, movers, options, d.minutes, self.home_choice())
        moved = choice != housing_market.STAY
        movers_rows = rows[moved]
        self.demolish_vacated(movers_rows[res.displaced[movers_rows] > 0])
        self.sell_vacated(movers_rows[(res.tenure[movers_rows] == RESETTLEMENT) & (res.displaced[movers_rows] == 0)])
        # (both read the homes being left: the moves happen next)
        res.move(movers_rows, choice[moved] % n_streets, choice[moved] // n_streets)
        self.street_flows["moves_in"] += np.bincount(choice[moved] % n_streets, minlength=n_streets) * self.scale
        rehoused = movers_rows[res.displaced[movers_rows] > 0]
        self.flows["rehoused"] += len(rehoused) * self.scale
        self.flows["moves"] += len(movers_rows) * self.scale
        res.displaced[rehoused] = 0
        self.census()
        self.house_incommuting_talent()

        self.census()
        occupancy = np.array([s.occupancy[MARKET] / max(s.housing[MARKET], 1.0) for s in self.streets])
        rents = housing_market.adjust_rents(np.array([s.rent for s in self.streets]), occupancy,
                                            u.rent_response, u.target_occupancy)
        for street, rent in zip(self.streets, rents, strict=True):
            street.rent = float(rent)
            street.housing[MARKET] *= 1.0 + u.housing_growth_per_year / 12.0

    def sell_vacated(self, rows: np.ndarray) -> None:
        """Resettlement places their occupants leave (moving, leaving the district, dying) are sold
        or let on the market: they become market housing (resettled households own their units)."""
        sold = np.bincount(self.residents.home[rows], minlength=self.district.n_streets) * self.scale
        for street in np.flatnonzero(sold):
            self.streets[street].housing[RESETTLEMENT] -= sold[street]
            self.streets[street].housing[MARKET] += sold[street]

    def demolish_vacated(self, rows: np.ndarray) -> None:
        """Homes the displaced leave go out of the stock: renewed ones until the works end, cleared
        ones for good."""
        res, n = self.residents, self.district.n_streets
        back = self.steps + self.config.levers.resettlement.works_months
        for reason in (RENEWAL, CLEARED):
            moved = rows[res.displaced[rows] == reason]
            gone = np.bincount(res.home[moved], minlength=n) * self.scale
            for street in np.flatnonzero(gone):
                self.streets[street].housing[MARKET] -= gone[street]
                if reason == RENEWAL:
                    self.schedule(back, int(street), MARKET, float(gone[street]))

    def house_incommuting_talent(self) -> None:
        """In-commuters eligible for talent apartments apply too; those who take one move into the
        district and keep their job — a commute from outside becomes a short one inside."""
        rng, d, u, f, res = self.rng, self.district, self.config.uncertainties, self.firms, self.residents
        vacant = self.vacant_rows()
        if vacant[TALENT].sum() == 0:
            return
        rule = self.config.levers.talent_apartments.eligibility
        in_zone = self.firm_zone >= 0
        firms_ok = f.alive & (in_zone if rule in ("zone_talent", "zone_workers") else True)
        talent_only = rule in ("zone_talent", "talent")
        chance = u.talent_application_rate * np.where(talent_only, f.talent_share, 1.0)
        applicants = rng.binomial(np.where(firms_ok, f.incommuters, 0), chance)
        firm = np.repeat(np.arange(f.capacity), applicants)
        n = len(firm)
        if n == 0:
            return
        premium = np.where(talent_only, d.external.talent_wage_premium, 1.0)
        wage = (f.wage[firm] * premium).astype(np.float32)
        factor = rng.lognormal(-d.commute.individual_sigma**2 / 2, d.commute.individual_sigma, n).astype(np.float32)
        movers = housing_market.Movers(
            home=np.full(n, d.ext), tenure=np.full(n, MARKET), income=wage, work_area=f.street[firm].astype(np.int64),
            factor=factor, displaced=np.zeros(n, dtype=bool),
            talent_eligible=(np.ones((n, d.n_streets), dtype=bool) if rule == "talent"
                             else self.talent_places_for(self.firm_zone[firm])),
        )
        only_talent = np.zeros_like(vacant)
        only_talent[TALENT] = vacant[TALENT]
        amenity = self.amenity()
        options = housing_market.HomeOptions(
            cost=self.housing_costs(), vacant=only_talent, amenity=amenity, outside_amenity=float(amenity.mean()),
            outside_cost=float(self.housing_costs()[MARKET].mean()),
        )
        choice = housing_market.relocate(rng, movers, options, d.minutes, self.home_choice())
        came = np.flatnonzero(choice != housing_market.STAY)
        if len(came) == 0:
            return
        firm = firm[came]
        rows = res.add(len(came), home=choice[came] % d.n_streets, age=np.full(len(came), WORKING),
                       talent=np.full(len(came), talent_only), active=np.ones(len(came), dtype=bool),
                       factor=factor[came], tenure=np.full(len(came), TALENT))
        res.take_jobs(rows, firm, wage[came], f.street[firm])
        np.subtract.at(f.incommuters, firm, 1)
        self.flows["in_migrants"] += len(came) * self.scale
        self.flows["talent_incomers"] += len(came) * self.scale

    def vacant_rows(self) -> np.ndarray:
        """Free housing places in rows, tenure × street."""
        vacant = np.array([s.vacant_places() for s in self.streets]).T
        return np.floor(vacant / self.scale).astype(np.int64)

    def census(self) -> None:
        """Tell the streets their residents, children and occupied places (persons)."""
        counts = self.residents.census * self.scale  # street × tenure × age band
        occupancy = counts.sum(axis=2).astype(float)
        residents = occupancy.sum(axis=1)
        children = counts[:, :, CHILD].sum(axis=1)
        for street in self.streets:
            i = street.index
            street.observe(float(residents[i]), float(children[i]), occupancy[i])

    # ------------------------------------------------------------------ phase 6
    def change_population(self) -> None:
        rng, d, u, res = self.rng, self.district, self.config.uncertainties, self.residents
        p = d.population
        # Deaths (elderly) and leavers: everyone may leave, more so the long unemployed and the
        # dissatisfied (each person's own hazard, drawn by exact thinning); then ageing.
        dies = p.elderly_deaths_per_1000_year / 1000.0 / 12.0
        death = res.sample(rng, dies, "elderly")
        self.sell_vacated(death[res.tenure[death] == RESETTLEMENT])
        res.remove(death)
        self.flows["deaths"] += len(death) * self.scale

        def leave_p(rows):
            long_unemployed = (res.active[rows] & (res.employer[rows] == NO_JOB)
                               & (self.steps - res.searching_since[rows] >= 6))
            return (u.migration_out_rate + u.unemployed_out_rate * long_unemployed
                    + u.dissatisfied_out_rate / 100.0 * (100.0 - res.satisfaction[rows]))

        most = u.migration_out_rate + u.unemployed_out_rate + u.dissatisfied_out_rate
        leave = thinned(rng, res.sample(rng, most), most, leave_p)
        self.sell_vacated(leave[(res.tenure[leave] == RESETTLEMENT) & (res.displaced[leave] == 0)])
        res.remove(leave)
        self.flows["out_migrants"] += len(leave) * self.scale
        res.grow_older(rng, to_working=1.0 / (18 * 12), to_elderly=1.0 / (42 * 12), participation=p.participation,
                       month=self.steps)

        # Births: a child joins its parent's home — where the street and tenure have a free place.
        self.census()
        expected = int(rng.binomial(res.living, p.births_per_1000_year / 1000.0 / 12.0))
        parents = res.draw_working(rng, expected)
        home = housing_market.option_index(res.tenure[parents], res.home[parents], d.n_streets)
        parents = parents[admit(rng, home, self.vacant_rows().reshape(-1))]
        births = len(parents)
        if births:
            res.add(births, home=res.home[parents], age=np.full(births, CHILD), tenure=res.tenure[parents],
                    factor=rng.lognormal(-d.commute.individual_sigma**2 / 2, d.commute.individual_sigma, births))
        self.flows["births"] += births * self.scale

        # Arrivals from the rest of Chengdu: pulled by open posts and held back by a tight housing
        # market (both relative to the start); each needs a free home to come.
        self.census()
        n = int(rng.poisson(u.migration_in_rate * res.count * self.migration_pull()))
        if n:
            self.arrive(n)

    def migration_pull(self) -> float:
        """How attractive the district is to migrants now relative to the start (1 = as then)."""
        res = self.residents
        jobs = self.open_posts().sum() / max(np.count_nonzero(res.active), 1) / self.initial_open_share
        vacant = np.array([s.vacant_places()[MARKET] for s in self.streets]).sum()
        places = sum(s.housing[MARKET] for s in self.streets)
        homes = vacant / places / self.initial_housing_vacancy
        return float(np.clip(np.sqrt(jobs) * homes, 0.0, 3.0))

    def arrive(self, n: int) -> None:
        rng, d, res = self.rng, self.district, self.residents
        age, talent, active = self.external.migrants(rng, n)
        factor = rng.lognormal(-d.commute.individual_sigma**2 / 2, d.commute.individual_sigma, n).astype(np.float32)
        movers = housing_market.Movers(
            home=np.zeros(n, dtype=np.int64), tenure=np.full(n, MARKET), income=np.full(n, d.external.wage_mean),
            work_area=np.full(n, -1), factor=factor, talent_eligible=np.zeros((n, d.n_streets), dtype=bool),
            displaced=np.ones(n, dtype=bool),  # they have no home here yet: staying is not an option
        )
        vacant = self.vacant_rows()
        vacant[RESETTLEMENT] = 0
        vacant[TALENT] = 0
        options = housing_market.HomeOptions(cost=self.housing_costs(), vacant=vacant, amenity=self.amenity())
        choice = housing_market.relocate(rng, movers, options, d.minutes, self.home_choice())
        came = choice != housing_market.STAY
        k = int(np.count_nonzero(came))
        if k:
            res.add(k, home=choice[came] % d.n_streets, age=age[came], talent=talent[came], active=active[came],
                    factor=factor[came], tenure=np.full(k, MARKET), satisfaction=np.full(k, 60.0),
                    searching_since=np.full(k, self.steps))
        self.flows["in_migrants"] += k * self.scale
        self.census()

    # ------------------------------------------------------------------ phase 7
    def serve_streets(self) -> None:
        for street in self.streets:
            street.serve(self.rng)
        self.sync_public_posts()
        self.update_satisfaction(self.config.uncertainties.satisfaction_memory)

    def update_satisfaction(self, memory: float) -> None:
        """Each resident's 获得感 this month (``residents.satisfaction_score``), from the housing
        costs and the streets' services and green space now; keeps the sums by housing cell."""
        green_pp = np.array([s.green_per_person() for s in self.streets])
        place = np.array([s.service_quality for s in self.streets]) + green_pp / (green_pp + 10.0)
        self.satisfaction_by_cell = self.residents.update_satisfaction(
            np.append(0.0, self.housing_costs().ravel()), np.append(0.0, np.tile(place, len(TENURES))),
            self.district.population.unemployed_income, memory)
