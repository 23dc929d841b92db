"""The external region: the rest of Chengdu, beyond the district boundary.

It is not a population of rows: it offers jobs to residents (out-commuting), sends workers to
fill the district's unfilled posts (in-commuting) from a finite pool of workers within reach,
and sends and receives migrants.
"""

from __future__ import annotations

import numpy as np

from sim.categories import CHILD, ELDERLY, WORKING
from sim.geography import District


class ExternalRegion:
    def __init__(self, district: District):
        self.info = district.external
        self.talent_share = district.population.share_talent
        self.participation = district.population.participation
        self.ext = district.ext
        self.set_minutes(district.minutes)

    def set_minutes(self, minutes: np.ndarray) -> None:
        """The commute matrix in force (the transport lever changes it)."""
        self.minutes_to = minutes[self.ext, : self.ext]

    def wage_offers(self, rng: np.random.Generator, talent: np.ndarray) -> np.ndarray:
        """Monthly wages of job offers from elsewhere in Chengdu (log-normal around the city mean)."""
        info = self.info
        base = self.base_wage()
        noise = rng.lognormal(-info.wage_sigma**2 / 2, info.wage_sigma, np.shape(talent))
        return (base * np.where(talent, info.talent_wage_premium, 1.0) * noise).astype(np.float32)

    def base_wage(self) -> float:
        """The non-talent wage that makes the mean offer elsewhere the city mean."""
        info = self.info
        return info.wage_mean / (1.0 + self.talent_share * (info.talent_wage_premium - 1.0))

    def in_commuters(self, rng: np.random.Generator, vacancies: np.ndarray, street: np.ndarray, wage: np.ndarray,
                     fill_rate: float, commute_weight: float, in_commuters: float) -> np.ndarray:
        """Posts each firm fills with non-residents this month: easier the nearer the street is and
        the better the firm pays against the city's wages (elasticity ``incommuter_wage_elasticity``),
        and harder as the pool within reach (``incommuter_pool`` persons) is used up."""
        info = self.info
        reach = np.exp(-commute_weight * (self.minutes_to[street] - self.minutes_to.min()) / 60.0)
        pay = np.clip((np.maximum(wage, 1.0) / self.base_wage()) ** info.incommuter_wage_elasticity, 0.0, 3.0)
        room = max(0.0, 1.0 - in_commuters / info.incommuter_pool)
        return rng.binomial(np.maximum(vacancies, 0), np.minimum(fill_rate * reach * pay * room, 1.0))

    def migrants(self, rng: np.random.Generator, n: int):
        """Age band, talent and labour-force flags of ``n`` people arriving from outside."""
        info = self.info
        shares = [info.migrant_share_child, 1.0 - info.migrant_share_child - info.migrant_share_elderly,
                  info.migrant_share_elderly]
        age = rng.choice(np.array([CHILD, WORKING, ELDERLY], dtype=np.int8), size=n, p=shares)
        working = age == WORKING
        talent = working & (rng.random(n) < info.migrant_share_talent)
        active = working & (rng.random(n) < self.participation)
        return age, talent, active
