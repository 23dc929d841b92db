"""The housing market: movers choose a street and tenure; rents follow occupancy.

An option is a (tenure, street) pair: market housing anywhere, talent apartments (人才公寓) for
eligible talent at a discounted rent, resettlement units (安置房) for households displaced by
renewal. A mover weighs housing cost against income, the commute from each street to its work,
and the street's amenity (green space, parks, school access, service quality); staying where it
is saves the moving cost, except for the displaced, who must go. A mover may also live outside
the district now (its home is the external index): staying there means its commute in, the
outside's amenity and cost. Options have free places; where more movers pick one than it has,
a random subset gets it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.geography import RESETTLEMENT, TALENT
from sim.markets import admit, gumbel

STAY = -1


@dataclass(frozen=True)
class HomeChoice:
    rent_weight: float  # utility per unit of housing cost as a share of income
    commute_weight: float  # utility per hour of one-way commute
    moving_cost: float  # utility of staying put


@dataclass(frozen=True)
class Movers:
    home: np.ndarray  # street, or the external index for people living outside the district
    tenure: np.ndarray
    income: np.ndarray  # yuan a month
    work_area: np.ndarray  # street or external index of the workplace; -1 without a job
    factor: np.ndarray  # personal commute factor
    talent_eligible: np.ndarray  # movers × streets: may rent a talent apartment there
    displaced: np.ndarray  # must leave, may take a resettlement unit


@dataclass(frozen=True)
class HomeOptions:
    cost: np.ndarray  # tenure × street: housing cost per person, yuan a month
    vacant: np.ndarray  # tenure × street: free places, in rows
    amenity: np.ndarray  # street: utility of living there, commute aside
    outside_amenity: float = 0.0  # utility of living outside the district, commute aside
    outside_cost: float = 0.0  # housing cost per person outside, yuan a month


def option_index(tenure: np.ndarray, street: np.ndarray, n_streets: int) -> np.ndarray:
    return tenure.astype(np.int64) * n_streets + street


def choose_homes(rng: np.random.Generator, movers: Movers, options: HomeOptions, minutes: np.ndarray,
                 p: HomeChoice) -> np.ndarray:
    """Each mover's chosen option (tenure × n_streets + street), or ``STAY``; before capacity."""
    n_tenure, n_streets = options.cost.shape
    n = len(movers.home)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    employed = movers.work_area >= 0
    hours = minutes[:n_streets][:, np.maximum(movers.work_area, 0)].T * movers.factor[:, None] / 60.0  # n × streets
    commute = np.where(employed[:, None], p.commute_weight * hours, 0.0)
    base = options.amenity[None, :] - commute  # n × streets
    burden = options.cost.reshape(-1)[None, :] / np.maximum(movers.income, 1.0)[:, None]  # n × options
    u = np.tile(base, (1, n_tenure)) - p.rent_weight * burden + gumbel(rng, (n, n_tenure * n_streets))

    allowed = np.ones((n, n_tenure, n_streets), dtype=bool)
    allowed[:, TALENT, :] = movers.talent_eligible
    allowed[:, RESETTLEMENT, :] = movers.displaced[:, None]
    allowed &= (options.vacant > 0)[None, :, :]
    u = np.where(allowed.reshape(n, -1), u, -np.inf)

    inside = movers.home < n_streets
    home = np.where(inside, movers.home, 0)
    current = option_index(movers.tenure, home, n_streets)
    rows = np.arange(n)
    # Staying needs no free place: score it apart from the capacity mask.
    out_hours = minutes[n_streets, np.where(employed, movers.work_area, 0)] * movers.factor / 60.0
    stay_outside = (options.outside_amenity - np.where(employed, p.commute_weight * out_hours, 0.0)
                    - p.rent_weight * options.outside_cost / np.maximum(movers.income, 1.0))
    stay_inside = base[rows, home] - p.rent_weight * burden[rows, current]
    stay = np.where(movers.displaced, -np.inf,
                    np.where(inside, stay_inside, stay_outside) + p.moving_cost + gumbel(rng, n))
    best = u.argmax(axis=1)
    return np.where(u[rows, best] > stay, best, STAY)


def relocate(rng: np.random.Generator, movers: Movers, options: HomeOptions, minutes: np.ndarray,
             p: HomeChoice) -> np.ndarray:
    """Options movers actually get after capacity, or ``STAY``."""
    choice = choose_homes(rng, movers, options, minutes, p)
    got = admit(rng, choice, options.vacant.reshape(-1))
    return np.where(got, choice, STAY)


def adjust_rents(rent: np.ndarray, occupancy: np.ndarray, response: float, target: float,
                 max_change: float = 0.005) -> np.ndarray:
    """Market rents rise where housing is fuller than the target occupancy and fall where emptier."""
    change = np.clip(response * (occupancy - target), -max_change, max_change)
    return rent * (1.0 + change)

