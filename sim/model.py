"""The industry-city integration (产城融合) model of Chenghua District: one step is one month.

Residents and firms are column-wise agent populations (``sim.agents``); streets and zone
committees are tables (``model.streets``, ``model.zones``) whose rows Mesa users find as
``mesa.Agent`` views in ``model.agents``; the rest of Chengdu is an external region. The levers
(``sim.policies``) set the policy in force (``model.policy``) and start public building projects
(``model.projects``), which private developers (``model.developers``) join. The model holds the
state; the month is ``SCHEDULE``, its phases in order (``sim.processes``).

Mesa's conventions hold: the constructor takes keyword parameters (a scenario, lever and
uncertainty values by their ``--set`` names, ``seed`` or ``rng``), ``model.datacollector`` is a
``mesa.DataCollector`` whose model reporters are the district series of ``model.csv``, and
``model.running`` turns False at the horizon — so ``mesa.batch_run`` works as a Mesa user writes it
(docs/API.md).
"""

from __future__ import annotations

from datetime import date
from functools import partial

import mesa
import numpy as np

from sim import config as cfg
from sim import initial
from sim.agents.external import ExternalRegion
from sim.agents.firms import Firms
from sim.agents.residents import Residents
from sim.agents.street import Street
from sim.agents.zone import ZoneCommittee, ZoneTable
from sim.categories import APPROVAL_STAFF, MARKET
from sim.config import Config
from sim.flows import Flows
from sim.geography import load_district
from sim.outcomes import measures
from sim.policies.state import PolicyState
from sim.processes import approvals, development, firms, homes, jobs, policies, population, services
from sim.recording import Recorder, record

# The month, in this order (the order is a modelling choice: policy first, records last).
SCHEDULE = (
    ("policies", policies.step),  # 1. levers act: policy in force, public projects started
    ("approvals", approvals.step),  # 2. committees' leads → approval pipeline → openings
    ("development", development.step),  # 3. building projects: land → approval → construction → delivery
    ("firms", firms.step),  # 4. firms exit, grow, enter; posts open; floor-space rents
    ("jobs", jobs.step),  # 5. labour market; in-commuters
    ("homes", homes.step),  # 6. housing market and rents
    ("population", population.step),  # 7. ageing, births, deaths, migration in and out
    ("services", services.step),  # 8. schools, health, grid governance; satisfaction
    ("record", record),  # 9. metrics
)


class IndustryCityModel(mesa.Model):
    """Chenghua's residents, firms, streets and zone committees under a scenario's levers."""

    schedule = SCHEDULE

    def __init__(self, config: Config | None = None, seed: int | np.random.SeedSequence | None = None, *,
                 scenario: str | None = None, rng: int | np.random.SeedSequence | None = None, **parameters):
        """``config``, or ``scenario`` (a built-in name or a .toml file; default baseline_2018),
        with ``parameters`` by their ``--set`` names (``**{"approval.items": 52}``, or
        ``approval__items=52``; ``run.months`` sets the horizon); ``seed`` (or Mesa's ``rng``) seeds
        the run. A bad value is an ``InputError`` naming the parameter."""
        if config is not None and scenario is not None:
            raise TypeError("give config or scenario, not both")
        if seed is not None and rng is not None:
            raise TypeError("give seed or rng, not both")
        seed = rng if seed is None else seed
        super().__init__(rng=np.random.default_rng(seed))
        config = config or (cfg.resolve(scenario, field="scenario") if scenario else Config())
        if parameters:
            config = cfg.assign(config, {k.replace("__", "."): v for k, v in parameters.items()},
                                source="IndustryCityModel")
        self.config = config
        self.seed = seed
        self.district = d = load_district(self.config.run.data)
        self.scale = self.config.run.scale
        self.months = self.config.run.months
        year, month = map(int, self.config.run.start.split("-"))
        self.start = date(year, month, 1)

        self.minutes = d.minutes  # the commute matrix in force (the transport lever shortens it)
        self.external = ExternalRegion(d)
        self.residents = Residents(d.minutes, d.km, d.n_streets, d.zone_of_street())
        self.firms = Firms(len(d.outside))
        self.staffing = initial.build_staffing(d)  # every quota (编制) and headcount post, by unit
        self.streets = initial.build_streets(self)
        self.zones = ZoneTable(d, self.staffing)
        for i in range(d.n_streets):
            Street(self, i)
        for z in range(self.zones.n):
            ZoneCommittee(self, z)
        self.pipeline = approvals.Applications(self.rng)
        self.projects = development.Projects(d.development.land_months, self.rng)
        self.policy = PolicyState()
        self.flows = Flows()  # this month's, as the phases report them

        initial.build_residents(self)
        initial.build_firms(self)
        initial.place_workers(self)
        self.residents.start_panel(self.config.run.panel_persons)  # the samples persons.csv and firms.csv follow
        self.firms.start_panel(self.config.run.panel_firms)
        policies.enact(self, month=0)  # the policy in force before any lever acts
        self.approval_desk = approvals.ApprovalDesk(d.approvals, float(self.staffing.of(APPROVAL_STAFF).sum()),
                                                    self.policy.regime.work(d.approvals))
        self.firm_location_constant = firms.fit_location_constants(self)
        self.developers = development.Developers.at_start(self)
        development.seed_pipeline(self)
        f, res = self.firms, self.residents
        self.initial_open_share = f.open_posts(res.firm_counts(f.capacity)[0]).sum() / max(
            np.count_nonzero(res.active), 1)
        self.wage_index = np.ones(len(d.sectors))  # wage offers by sector, relative to the start
        self.vacancy_reference = np.zeros(len(d.sectors))  # each sector's usual vacancy rate (``jobs.wages``)
        self.talent_premium = d.external.talent_wage_premium  # wage ratio of a talent post (``jobs.wages``)
        self.skill_gap_reference = 0.0  # the usual unemployment gap between other workers and talent
        self.initial_housing_vacancy = sum(self.streets.vacant()[:, MARKET]) / sum(self.streets.housing[:, MARKET])
        services.serve(self)
        self.location_constant = np.zeros(d.n_streets)
        self.location_constant = initial.fit_location_constants(self)
        services.update_satisfaction(self, memory=0.0)  # everyone starts from this month's score
        self.recorder = Recorder(self)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: partial(district_value, name=name) for name in measures("model")})

    def set_minutes(self, minutes: np.ndarray) -> None:
        """A new commute matrix in force: every worker's commute follows."""
        self.minutes = minutes
        self.residents.set_minutes(minutes)
        self.external.set_minutes(minutes)

    def step(self) -> None:
        """One month: the phases of ``schedule`` in order, each adding what happened to ``flows``."""
        self.flows = Flows()
        for _, phase in self.schedule:
            self.flows += phase(self)
        self.datacollector.collect(self)
        self.running = self.steps < self.months

    @property
    def month(self) -> int:
        """Months simulated so far (0 before the first step)."""
        return self.steps

    @property
    def date(self) -> date:
        """Calendar month of the month last simulated."""
        index = self.start.month - 1 + max(self.steps - 1, 0)
        return date(self.start.year + index // 12, index % 12 + 1, 1)


def district_value(model: IndustryCityModel, name: str):
    """A district series' value this month (``model.csv``'s column ``name``): a model reporter."""
    return model.recorder.model_rows[-1][name]
