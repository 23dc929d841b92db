"""The housing market: movers choose a street and tenure; rents follow occupancy.

An option is a (tenure, street) pair: market housing anywhere, talent apartments (人才公寓) for
eligible talent at a discounted rent, resettlement units (安置房) for households displaced by
renewal. A mover weighs housing cost against income, the commute from each street to its work,
and the street's amenity (green space, parks, school access, service quality); staying where it
is saves the moving cost, except for the displaced, who must go. A mover may also live outside
the district now (its home is the index of its outside area): staying there means its commute
in, the outside's amenity and cost. Options have free places; where more movers pick one than
it has, a random subset gets it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.categories import RESETTLEMENT, TALENT, VILLAGE
from sim.compiled import inline, kernel
from sim.markets import admit, gumbel

STAY = -1


@dataclass(frozen=True)
class HomeChoice:
    rent_weight: float  # utility per unit of housing cost as a share of income
    commute_weight: float  # utility per hour of one-way commute
    moving_cost: float  # utility of staying put


@dataclass(frozen=True)
class Movers:
    home: np.ndarray  # street, or the outside area's index for people living outside the district
    tenure: np.ndarray
    income: np.ndarray  # yuan a month
    work_area: np.ndarray  # street or outside area of the workplace; -1 without a job
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
    """Each mover's chosen option (tenure × n_streets + street), or ``STAY``; before capacity.

    A mover's utility of an option is the street's amenity less the commute to its work (none
    without a job) less the housing cost as a share of its income, plus its own Gumbel shock;
    talent apartments only where it is eligible, resettlement units only for the displaced, and
    only options with a free place. Staying scores its own home the same way (outside the district:
    the outside's amenity and cost) plus the moving cost saved and a shock; the displaced cannot stay.
    """
    n = len(movers.home)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    free = options.vacant > 0
    shocks = gumbel(rng, open_options(free, movers.talent_eligible, movers.displaced))  # one per option open to a mover
    stay_shock = gumbel(rng, n)
    return best_homes(movers.home.astype(np.int64), movers.tenure.astype(np.int64), movers.income.astype(np.float64),
                      movers.work_area.astype(np.int64), movers.factor.astype(np.float64), movers.talent_eligible,
                      movers.displaced, options.cost.astype(np.float64), free, options.amenity,
                      minutes, options.outside_amenity, options.outside_cost, p.rent_weight, p.commute_weight,
                      p.moving_cost, shocks, stay_shock)


@inline
def may_take(i, t, s, free, talent_eligible, displaced):
    """Whether mover ``i`` may take tenure ``t`` in street ``s``: a free place, talent apartments
    only where it is eligible, resettlement units only if it is displaced. (The tenures from
    ``VILLAGE`` on are never options: collective land is not sold or let.)"""
    # (`&` and `|`: numba compiles a chain of `and`/`or` that returns a value into a slow path)
    return free[t, s] & ((t != TALENT) | talent_eligible[i, s]) & ((t != RESETTLEMENT) | displaced[i])


@kernel("int64(boolean[:, :], boolean[:, :], boolean[:])")
def open_options(free, talent_eligible, displaced):
    """How many (mover, option) pairs ``may_take`` allows: the number of taste shocks to draw."""
    total = 0
    for i in range(len(displaced)):
        for t in range(min(free.shape[0], VILLAGE)):
            for s in range(free.shape[1]):
                total += may_take(i, t, s, free, talent_eligible, displaced)
    return total


@kernel("int64[:](int64[:], int64[:], float64[:], int64[:], float64[:], boolean[:, :], boolean[:], float64[:, :], "
        "boolean[:, :], float64[:], float64[:, :], float64, float64, float64, float64, float64, float64[:], "
        "float64[:])")
def best_homes(home, tenure, income, work_area, factor, talent_eligible, displaced, cost, free, amenity, minutes,
               outside_amenity, outside_cost, rent_weight, commute_weight, moving_cost, shocks, stay_shock):
    """``choose_homes`` for each mover: the first option of highest utility if it beats staying.
    ``shocks`` holds one per allowed option, mover by mover, option by option. Float64, each sum
    in the order the rule is written (the bytes out are part of the model)."""
    n_tenure, n_streets = cost.shape
    k = 0  # the next shock
    choice = np.empty(len(home), np.int64)
    base = np.empty(n_streets)
    for i in range(len(home)):
        employed = work_area[i] >= 0
        for s in range(n_streets):
            commute = commute_weight * (minutes[s, work_area[i]] * factor[i] / 60.0) if employed else 0.0
            base[s] = amenity[s] - commute
        pay = max(income[i], 1.0)
        best, best_u = 0, -np.inf
        for t in range(min(n_tenure, VILLAGE)):
            for s in range(n_streets):
                if may_take(i, t, s, free, talent_eligible, displaced):
                    u = base[s] - rent_weight * (cost[t, s] / pay) + shocks[k]
                    k += 1
                    if u > best_u:
                        best, best_u = t * n_streets + s, u
        if displaced[i]:
            stay = -np.inf
        else:
            if home[i] < n_streets:
                here = base[home[i]] - rent_weight * (cost[tenure[i], home[i]] / pay)
            else:
                away = commute_weight * (minutes[home[i], work_area[i]] * factor[i] / 60.0) if employed else 0.0
                here = outside_amenity - away - rent_weight * outside_cost / pay
            stay = here + moving_cost + stay_shock[i]
        choice[i] = best if best_u > stay else STAY
    return choice


def relocate(rng: np.random.Generator, movers: Movers, options: HomeOptions, minutes: np.ndarray,
             p: HomeChoice) -> np.ndarray:
    """Options movers actually get after capacity, or ``STAY``."""
    choice = choose_homes(rng, movers, options, minutes, p)
    got = admit(rng, choice, options.vacant.reshape(-1))
    return np.where(got, choice, STAY)

