"""Residents: persons living in the district, one row per ``scale`` persons.

Each row has a home street, an age band, a skill (talent = tertiary-educated), a labour-force
flag, an employer (a firm row, ``EXTERNAL_JOB`` for a job elsewhere in Chengdu, or ``NO_JOB``),
its work area (street or outside), a wage, a personal commute factor, a housing tenure, months
unemployed and a satisfaction (获得感) score. The rules here concern a resident alone; markets
match residents with firms and homes.
"""

from __future__ import annotations

import numpy as np

from sim.agents.population import Population
from sim.geography import CHILD, ELDERLY, MARKET, WORKING

NO_JOB = -1
EXTERNAL_JOB = -2


class Residents(Population):
    COLUMNS = {
        "home": (np.int8, -1),
        "age": (np.int8, WORKING),
        "talent": (np.bool_, False),
        "active": (np.bool_, False),
        "employer": (np.int32, NO_JOB),
        "work_area": (np.int8, -1),  # street of the workplace, the external index, or -1 (kept with employer)
        "wage": (np.float32, 0.0),
        "factor": (np.float32, 1.0),
        "tenure": (np.int8, MARKET),
        "months_unemployed": (np.int16, 0),
        "satisfaction": (np.float32, 60.0),
        "displaced": (np.bool_, False),
    }

    def employed(self) -> np.ndarray:
        """Boolean mask of residents holding a job (in the district or outside)."""
        return self.employer != NO_JOB

    def take_jobs(self, rows: np.ndarray, employer: np.ndarray, wage: np.ndarray, area: np.ndarray) -> None:
        """Rows start a job: a firm row (or ``EXTERNAL_JOB``), its wage and its area."""
        self.employer[rows] = employer
        self.wage[rows] = wage
        self.work_area[rows] = area
        self.months_unemployed[rows] = 0

    def quit_jobs(self, rows: np.ndarray) -> None:
        """Rows lose or leave their job and start searching."""
        self.employer[rows] = NO_JOB
        self.wage[rows] = 0.0
        self.work_area[rows] = -1
        self.months_unemployed[rows] = 0

    def lose_jobs_at(self, firm_closed: np.ndarray) -> np.ndarray:
        """Release every worker of the firms flagged in ``firm_closed`` (one flag per firm row)."""
        employer = self.employer
        at_firm = employer >= 0
        rows = np.flatnonzero(at_firm & firm_closed[np.where(at_firm, employer, 0)])
        self.quit_jobs(rows)
        return rows

    def separate(self, rng: np.random.Generator, rate: float) -> np.ndarray:
        """Exogenous job loss: each employed row loses its job with probability ``rate``."""
        rows = np.flatnonzero(self.employed())
        lost = rows[rng.random(len(rows)) < rate]
        self.quit_jobs(lost)
        return lost

    def grow_older(self, rng: np.random.Generator, to_working: float, to_elderly: float,
                   participation: float) -> None:
        """Children come of working age (joining the labour force with ``participation``);
        workers reach 60 and retire, leaving their job."""
        age = self.age
        alive = self.alive
        u = rng.random(len(age))
        adults = np.flatnonzero(alive & (age == CHILD) & (u < to_working))
        self.age[adults] = WORKING
        self.active[adults] = rng.random(len(adults)) < participation
        retire = np.flatnonzero(alive & (age == WORKING) & (u < to_elderly))
        self.age[retire] = ELDERLY
        self.active[retire] = False
        self.quit_jobs(retire)

    def count_unemployed_months(self) -> None:
        searching = self.alive & self.active & (self.employer == NO_JOB)
        self.months_unemployed[searching] += 1

    def update_satisfaction(self, score_now: np.ndarray, memory: float) -> None:
        """获得感: an exponentially weighted memory of this month's score (0–100)."""
        rows = self.alive
        self.satisfaction[rows] = memory * self.satisfaction[rows] + (1.0 - memory) * score_now[rows]
