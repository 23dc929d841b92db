"""Labour and housing matching: the hot, vectorised part of the month.

Both markets work the same way: each chooser draws its own taste shocks and picks the best of
its options by a logit (Gumbel noise on a utility); options have capacity, and where more
choosers pick an option than it has room for, a random subset of them gets it (``admit``).
"""

from __future__ import annotations

import numpy as np

from sim.compiled import kernel


def gumbel(rng: np.random.Generator, shape) -> np.ndarray:
    """Standard Gumbel taste shocks: the arg-max of utility + shock is a logit choice."""
    return -np.log(-np.log(rng.random(shape)))


MAX_PRICE_CHANGE = 0.005  # most a rent or wage level moves in a month (assumption)


def partial_adjustment(price: np.ndarray, indicator: np.ndarray, response: float, target,
                       max_change: float = MAX_PRICE_CHANGE) -> np.ndarray:
    """Prices move toward clearing their market a little each month: up by ``response`` ×
    (indicator − target) — occupancy above its target for rents, vacancies above the start's for
    wages — by at most ``max_change`` (a partial-adjustment rule, as UrbanSim's supply–demand
    price equilibration iterated once a period)."""
    change = np.clip(response * (indicator - target), -max_change, max_change)
    return price * (1.0 + change)


def admit(rng: np.random.Generator, choice: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Which choosers get their chosen option: at most ``capacity[o]`` per option, in random order.

    ``choice`` holds an option index per chooser, or a negative number for none.
    """
    picked = np.flatnonzero(choice >= 0)
    if len(picked) == 0:
        return np.zeros(len(choice), dtype=bool)
    shuffled = picked[rng.permutation(len(picked))]
    return first_come(shuffled, np.asarray(choice, dtype=np.int64), np.asarray(capacity, dtype=np.int64))


@kernel("boolean[:](int64[:], int64[:], int64[:])")
def first_come(order, choice, capacity):
    """Choosers served in ``order``: each gets its option while the option has room."""
    accepted = np.zeros(len(choice), np.bool_)
    taken = np.zeros(len(capacity), np.int64)
    for i in order:
        option = choice[i]
        if taken[option] < capacity[option]:
            taken[option] += 1
            accepted[i] = True
    return accepted
