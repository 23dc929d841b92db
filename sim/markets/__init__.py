"""Labour and housing matching: the hot, vectorised part of the month.

Both markets work the same way: each chooser draws its own taste shocks and picks the best of
its options by a logit (Gumbel noise on a utility); options have capacity, and where more
choosers pick an option than it has room for, a random subset of them gets it (``admit``).
"""

from __future__ import annotations

import numpy as np


def gumbel(rng: np.random.Generator, shape) -> np.ndarray:
    """Standard Gumbel taste shocks: the arg-max of utility + shock is a logit choice."""
    return -np.log(-np.log(rng.random(shape)))


def admit(rng: np.random.Generator, choice: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Which choosers get their chosen option: at most ``capacity[o]`` per option, in random order.

    ``choice`` holds an option index per chooser, or a negative number for none.
    """
    accepted = np.zeros(len(choice), dtype=bool)
    picked = np.flatnonzero(choice >= 0)
    if len(picked) == 0:
        return accepted
    shuffled = picked[rng.permutation(len(picked))]
    order = shuffled[np.argsort(choice[shuffled], kind="stable")]
    option = choice[order]
    rank = np.arange(len(order)) - np.searchsorted(option, option, side="left")
    accepted[order[rank < capacity[option]]] = True
    return accepted
