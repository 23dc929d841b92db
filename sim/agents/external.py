"""The external region: the rest of Chengdu, beyond the district boundary, as several areas.

It is not a population of rows: it offers jobs to residents (out-commuting), sends workers to
fill the district's unfilled posts (in-commuting) from a finite pool of workers within reach,
and sends and receives migrants. Its areas (``District.outside``: the centre, the south-west
high-tech area and the neighbours north, east and west in the Chenghua file) lie in their own
directions, with their own minutes to every street: each holds a share of the openings the
district's seekers hear of and a share of the in-commuter pool. Wages and migrants are the
city's, the same for every area (assumption).
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
        self.pool = self.info.incommuter_pool * district.outside_worker_share  # persons, by area
        self.set_minutes(district.minutes)

    def set_minutes(self, minutes: np.ndarray) -> None:
        """The commute matrix in force (the transport lever changes it)."""
        self.minutes_to = minutes[self.ext:, : self.ext]  # outside area × street

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
                     fill_rate: float, commute_weight: float, in_commuters: np.ndarray) -> np.ndarray:
        """Posts each firm fills with non-residents this month, by the area they come from (firm ×
        area). A post draws a worker from area a with chance fill rate × a's share of the pool ×
        its reach of the street (exp(−commute weight × the minutes beyond a's nearest street / 60))
        × the firm's pay against the city's wages (elasticity ``incommuter_wage_elasticity``) × the
        room left in a's pool (``in_commuters`` persons by area hold part of it already)."""
        info = self.info
        pay = np.clip((np.maximum(wage, 1.0) / self.base_wage()) ** info.incommuter_wage_elasticity, 0.0, 3.0)
        room = np.maximum(0.0, 1.0 - in_commuters / np.maximum(self.pool, 1e-9)) * (self.pool > 0)
        pull = fill_rate * self.pull(commute_weight) * room[:, None]  # area × street
        per_street = pull.sum(axis=0)
        # A multinomial draw per firm over (each area, not filled), at most certain: the posts
        # filled at all, then each filled post's area by the shares of the firm's street (which
        # do not depend on its pay), one uniform draw per post by inversion.
        filled = rng.binomial(np.maximum(vacancies, 0).astype(np.int64), np.minimum(per_street[street] * pay, 1.0))
        post = np.repeat(np.arange(len(filled)), filled)  # the firm of each filled post
        cum = np.cumsum(pull, axis=0) / np.maximum(per_street, 1e-300)  # area × street, the last row 1
        area = np.minimum((rng.random(len(post))[None, :] > cum[:, street[post]]).sum(axis=0), len(pull) - 1)
        n_out = len(pull)
        return np.bincount(post * n_out + area, minlength=len(filled) * n_out).reshape(len(filled), n_out)

    def pull(self, commute_weight: float) -> np.ndarray:
        """Each area's pull on a post in each street (area × street): its share of the pool × its
        reach of the street, exp(−commute weight × the minutes beyond its nearest street's / 60)."""
        near = self.minutes_to.min(axis=1, keepdims=True)
        reach = np.exp(-commute_weight * (self.minutes_to - near) / 60.0)
        return self.pool[:, None] / max(self.pool.sum(), 1e-9) * reach

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
