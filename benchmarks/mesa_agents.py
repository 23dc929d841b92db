"""The project's month against a plain per-agent Mesa implementation of the same month rules.

    python benchmarks/mesa_agents.py [--scales 100 10] [--months 12]

For the benchmark only: every resident and firm is a ``mesa.Agent`` with its own ``step``,
reading the same rule parameters (the scenario's uncertainties and the district data) and
drawing its own random numbers one at a time. The month it runs holds the same rules as the
project's: firms exit, grow and open posts; residents lose jobs, search (a matching-function
contact, ``job_offers`` offers drawn by distance and open posts, a logit on log wage and commute
with the talent rule), consider moving (a logit over streets on housing cost, commute and
amenity), age, die or leave, and update their satisfaction; children are born and migrants
arrive; and the month is recorded (the OD table, commute figures, satisfaction by street, the
jobs–housing balance and excess commuting by the same linear programme). Both models are built
from the same initial state and run in this process; the figure is time per month and the ratio.
"""

from __future__ import annotations

import argparse
import math
import time

import mesa
import numpy as np

from sim import metrics
from sim.categories import CHILD, ELDERLY, WORKING
from sim.config import Config, with_run
from sim.model import IndustryCityModel
from sim.processes.homes import amenity, housing_costs


class FirmAgent(mesa.Agent):
    def __init__(self, model, row: int):
        super().__init__(model)
        f = model.source.firms
        self.street, self.sector = int(f.street[row]), int(f.sector[row])
        self.target, self.wage = int(f.target[row]), float(f.wage[row])
        self.talent_share, self.public = float(f.talent_share[row]), bool(f.public[row])
        self.workers = 0

    def step(self):
        m = self.model
        if self.public:
            return
        sector = m.district.sectors[self.sector]
        if m.random.random() < sector.exit_per_year / 12.0:
            for person in list(m.workers_of.pop(self, ())):
                person.employer = None
            self.workers = 0
            self.target = 1
            return
        change = self.target * (math.exp(sector.growth_per_year / 12.0 + 0.03 * m.random.gauss(0.0, 1.0)) - 1.0)
        self.target = max(1, int(math.floor(self.target + change + m.random.random())))

    def open_posts(self) -> int:
        return max(self.target - self.workers, 0)


class ResidentAgent(mesa.Agent):
    def __init__(self, model, row: int | None, firms: dict, home: int = 0, age: int = CHILD):
        super().__init__(model)
        if row is None:  # a newborn or an arriving migrant
            self.home, self.age, self.talent, self.active = home, age, False, age == WORKING
            self.factor, self.wage, self.satisfaction, self.employer = 1.0, 0.0, 60.0, None
            return
        r = model.source.residents
        self.home, self.age, self.talent = int(r.home[row]), int(r.age[row]), bool(r.talent[row])
        self.active, self.factor = bool(r.active[row]), float(r.factor[row])
        self.wage, self.satisfaction = float(r.wage[row]), float(r.satisfaction[row])
        employer = int(r.employer[row])
        # a firm agent, the index of the outside area of a job elsewhere in Chengdu, or None
        self.employer = firms.get(employer) if employer >= 0 else (int(r.work_area[row]) if employer == -2 else None)
        if isinstance(self.employer, FirmAgent):
            self.employer.workers += 1
            model.workers_of.setdefault(self.employer, set()).add(self)

    def work_area(self):
        if self.employer is None:
            return None
        return self.employer if isinstance(self.employer, int) else self.employer.street

    def commute(self) -> float:
        area = self.work_area()
        return 0.0 if area is None else self.model.minutes[self.home][area] * self.factor

    def step(self):
        m, u = self.model, self.model.u
        rnd = m.random.random
        # demography
        if self.age == ELDERLY and rnd() < m.death_rate:
            m.leavers.append(self)
            return
        if rnd() < u.migration_out_rate + u.dissatisfied_out_rate * (1 - self.satisfaction / 100.0):
            m.leavers.append(self)
            return
        if self.age == CHILD and rnd() < 1 / 216:
            self.age, self.active = WORKING, rnd() < 0.76
        elif self.age == WORKING and rnd() < 1 / 504:
            self.age, self.active = ELDERLY, False
            self.leave_job()
        # labour market
        if self.employer is not None and rnd() < u.separation_rate:
            self.leave_job()
        if self.active and (self.employer is None or rnd() < u.on_the_job_search) and rnd() < m.contact:
            self.search()
        # housing market
        if rnd() < u.relocation_rate:
            self.relocate()
        # satisfaction
        employed = self.employer is not None
        score = (1.0 if employed else (0.2 if self.active else 0.7)) + \
            (1.0 - min(self.commute() / 90.0, 1.0) if employed else 0.7)
        income = self.wage if employed else 2500.0
        score += 1.0 - min(m.cost[self.home] / max(income, 1.0), 1.0) + m.place[self.home]
        self.satisfaction = 0.9 * self.satisfaction + 0.1 * 20.0 * score

    def leave_job(self):
        if isinstance(self.employer, FirmAgent):
            self.employer.workers -= 1
            self.model.workers_of.get(self.employer, set()).discard(self)
        self.employer, self.wage = None, 0.0

    def search(self):
        m, u = self.model, self.model.u
        best = u.job_wage_weight * math.log(max(self.wage if self.employer else u.reservation_wage, 1.0)) \
            - u.job_commute_weight * self.commute() / 60.0 + (u.switch_cost if self.employer else 0.0) + m.gumbel()
        choice = None
        for _ in range(u.job_offers):
            firm = m.offer(self.home)
            if firm is None:
                continue
            if isinstance(firm, int):  # an offer from elsewhere in Chengdu: its area
                wage = m.external_wage * math.exp(0.3 * m.random.gauss(0.0, 1.0))
                minutes = m.minutes[self.home][firm] * self.factor
            else:
                talent_post = m.random.random() < firm.talent_share
                if talent_post and not self.talent:
                    continue
                wage = firm.wage * (1.55 if talent_post else 1.0)
                minutes = m.minutes[self.home][firm.street] * self.factor
            utility = u.job_wage_weight * math.log(wage) - u.job_commute_weight * minutes / 60.0 + m.gumbel()
            if utility > best and (isinstance(firm, int) or firm.open_posts() > 0):
                best, choice = utility, (firm, wage)
        if choice is not None:
            self.leave_job()
            firm, wage = choice
            self.employer, self.wage = firm, wage
            if isinstance(firm, FirmAgent):
                firm.workers += 1
                m.workers_of.setdefault(firm, set()).add(self)

    def relocate(self):
        m, u = self.model, self.model.u
        area = self.work_area()
        income = self.wage if self.employer is not None else 2500.0
        best, home = None, self.home
        for street in range(m.n_streets):
            commute = 0.0 if area is None else m.minutes[street][area] * self.factor / 60.0
            utility = (m.amenity[street] - u.home_commute_weight * commute - u.rent_weight * m.cost[street] / income
                       + (u.moving_cost if street == self.home else 0.0) + m.gumbel())
            if best is None or utility > best:
                best, home = utility, street
        self.home = home


class MesaMonth(mesa.Model):
    """Plain Mesa: the same initial state and rules, one agent object per resident and firm."""

    def __init__(self, source: IndustryCityModel, seed: int):
        super().__init__(rng=seed)
        self.source = source
        self.district, self.u = source.district, source.config.uncertainties
        self.n_streets, self.ext = source.district.n_streets, source.district.ext
        self.n_areas, self.job_share = source.district.n_areas, source.district.outside_job_share.tolist()
        self.minutes = source.district.minutes.tolist()
        self.death_rate = source.district.population.elderly_deaths_per_1000_year / 12000.0
        self.external_wage = source.district.external.wage_mean
        self.cost = list(housing_costs(source)[0])
        self.amenity = list(amenity(source))
        self.place = list(source.streets.service_quality)
        self.km = source.district.km.tolist()
        self.np_rng = np.random.default_rng(seed)
        self.workers_of: dict = {}
        self.leavers: list = []
        self.records: list = []
        f, r = source.firms, source.residents
        firms = {int(i): FirmAgent(self, int(i)) for i in np.flatnonzero(f.alive)}
        self.firms = list(firms.values())
        for i in np.flatnonzero(r.alive):
            ResidentAgent(self, int(i), firms)

    def gumbel(self) -> float:
        return -math.log(-math.log(self.random.random() or 1e-12))

    def offer(self, home: int):
        """A vacancy by distance and open posts, or the area of an opening elsewhere in Chengdu."""
        if self.random.random() < self.outside_share[home]:
            return self.ext + self.random.choices(range(len(self.job_share)), weights=self.outside_weights[home])[0]
        street = self.random.choices(range(self.n_streets), weights=self.street_weights[home])[0]
        firms = self.open_by_street[street]
        return self.random.choice(firms) if firms else None

    def step(self):
        self.agents_by_type[FirmAgent].do("step")
        residents = list(self.agents_by_type[ResidentAgent])
        decay = self.u.search_decay
        self.open_by_street = [[] for _ in range(self.n_streets)]
        for firm in self.firms:
            if firm.open_posts() > 0:
                self.open_by_street[firm.street].append(firm)
        posts = [sum(f.open_posts() for f in firms) for firms in self.open_by_street]
        outside = self.u.external_openings * sum(1 for a in self.agents_by_type[ResidentAgent] if a.active)
        self.street_weights = [[posts[s] * math.exp(-decay * self.minutes[h][s] / 60.0) for s in range(self.n_streets)]
                               for h in range(self.n_streets)]
        self.outside_weights = [[outside * share * math.exp(-decay * self.minutes[h][self.ext + a] / 60.0)
                                 for a, share in enumerate(self.job_share)] for h in range(self.n_streets)]
        self.outside_share = [sum(w) / (sum(w) + sum(self.street_weights[h]))
                              for h, w in enumerate(self.outside_weights)]
        seekers = max(1, sum(1 for a in self.agents_by_type[ResidentAgent] if a.active and a.employer is None))
        self.contact = min(1.0, self.u.matching_efficiency * math.sqrt((sum(posts) + outside) / seekers))
        self.agents_by_type[ResidentAgent].shuffle_do("step")
        for agent in self.leavers:
            agent.leave_job()
            agent.remove()
        self.leavers = []
        # births to working-age residents, and arrivals who pick a street like a mover
        births = self.np_rng.binomial(len(residents), self.source.district.population.births_per_1000_year / 12000)
        for parent in self.random.sample(residents, births):
            ResidentAgent(self, None, {}, home=parent.home, age=CHILD)
        for _ in range(self.np_rng.poisson(self.u.migration_in_rate * len(residents))):
            ResidentAgent(self, None, {}, age=WORKING).relocate()
        self.record()

    def record(self):
        """The month's records, agent by agent: the OD table and what follows from it."""
        n = self.n_streets
        od = np.zeros((self.n_areas, self.n_areas))
        minutes = km = 0.0
        over = [0, 0, 0]
        satisfaction = [0.0] * n
        people = [0] * n
        for person in self.agents_by_type[ResidentAgent]:
            satisfaction[person.home] += person.satisfaction
            people[person.home] += 1
            area = person.work_area()
            if area is None:
                continue
            od[person.home, area] += 1
            trip = self.minutes[person.home][area] * person.factor
            distance = self.km[person.home][area] * person.factor
            minutes += trip
            km += distance
            over[0] += distance > 5
            over[1] += trip > 45
            over[2] += trip > 60
        forbidden = np.zeros_like(od, dtype=bool)
        forbidden[n:, n:] = True
        by_street = metrics.balance(metrics.aggregate(od, self.district.outside_as_one, n + 1))
        self.records.append({**metrics.excess_commuting(od, self.district.minutes, forbidden),
                             **{k: v.tolist() for k, v in by_street.items()},
                             "minutes": minutes, "km": km, "over": over,
                             "satisfaction": [s / max(p, 1) for s, p in zip(satisfaction, people, strict=True)]})


def timed_months(model, months: int) -> float:
    start = time.perf_counter()
    for _ in range(months):
        model.step()
    return (time.perf_counter() - start) / months * 1000.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[100, 10])
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    print(f"{'scale':>6} {'residents':>10} {'project ms/month':>17} {'plain Mesa ms/month':>20} {'ratio':>7}")
    for scale in args.scales:
        config = with_run(Config(), scale=scale, months=args.months + 1)
        project = IndustryCityModel(config, 0)
        plain = MesaMonth(IndustryCityModel(config, 0), 0)
        ours = timed_months(project, args.months)
        theirs = timed_months(plain, args.months)
        print(f"{scale:>6} {project.residents.count:>10,} {ours:>17.1f} {theirs:>20.1f} {theirs / ours:>6.0f}×")


if __name__ == "__main__":
    main()
