"""Firms and public employers, one row per ``scale`` firms of the same size.

A row's ``target`` is the posts it wants, each post standing for ``scale`` jobs, so a row of a
firm with 40 employees has 40 posts and stands for ``scale`` such firms. A large investor (the
source's Fortune-500 projects) is one row per firm whatever the scale: its row has a scale-th
of the firm's jobs as posts and stands for that one firm (``firms_per_row``). Public employers
(schools, hospitals, government) are one row per street and service whose posts follow the
street's staff; they neither grow nor exit on their own.
"""

from __future__ import annotations

import numpy as np

from sim.agents.population import Population
from sim.compiled import kernel


class Firms(Population):
    COLUMNS = {
        "sector": (np.int8, -1),
        "street": (np.int8, -1),
        "zone_u": (np.float32, 1.0),  # position in its street: inside zone z if zone_u < coverage[z, street]
        "target": (np.int32, 0),  # posts wanted
        "wage": (np.float32, 0.0),  # monthly wage of a non-talent post, yuan
        "talent_share": (np.float32, 0.0),  # share of posts that need a tertiary degree
        "incommuters": (np.int32, 0),  # posts held by people living outside, by outside area (a row each)
        "age_months": (np.int16, 0),
        "large": (np.bool_, False),  # a large investor (≥ 500 jobs at maturity)
        "public": (np.bool_, False),
        "entered": (np.int16, 0),  # month the firm opened (0: there at the start)
    }

    def __init__(self, n_outside: int = 1, capacity: int = 0):
        super().__init__(capacity, widths={"incommuters": n_outside})

    def incommuters_held(self) -> np.ndarray:
        """In-commuters per row, all areas together."""
        return row_sums(self.incommuters)

    def incommuters_by_area(self) -> np.ndarray:
        """In-commuters at all firms, by outside area (empty rows hold none)."""
        return np.array([self.incommuters[:, j].sum() for j in range(self.incommuters.shape[1])])

    def incommuter_flows(self, minutes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """In-commuters by outside area × street of their firm, and each row's in-commuters'
        commute minutes summed (``minutes``: the commute matrix, streets then outside areas)."""
        return incommuter_flows(self.street, self.incommuters, minutes, minutes.shape[0] - self.incommuters.shape[1])

    def firms_per_row(self, scale: int) -> np.ndarray:
        """Firms each row stands for: ``scale``, or 1 for a large investor's row."""
        return np.where(self.large, 1, scale)

    def zone(self, coverage: np.ndarray) -> np.ndarray:
        """Zone index of each row (-1 outside every zone) under a zone × street coverage matrix:
        the first zone whose share of the row's street lies above its ``zone_u``."""
        return first_zone(self.street.astype(np.int64), self.zone_u, self.alive, coverage)

    def filled(self, workers: np.ndarray) -> np.ndarray:
        """Posts held per row: resident workers (``Residents.firm_counts``) plus in-commuters."""
        return workers[: self.capacity] + self.incommuters_held()

    def open_posts(self, workers: np.ndarray) -> np.ndarray:
        """Unfilled posts per row, given its resident workers."""
        return np.maximum(self.target - self.filled(workers), 0) * self.alive

    def staff_public(self, posts: np.ndarray, sectors) -> None:
        """Public employers' targets: ``posts[street, j]`` rows of posts for public sector ``sectors[j]``."""
        for j, k in enumerate(sectors):
            rows = np.flatnonzero(self.alive & (self.sector == k))
            self.target[rows] = np.round(posts[self.street[rows], j]).astype(np.int32)

    def grow(self, rng: np.random.Generator, monthly_growth: np.ndarray, sigma: float,
             room: np.ndarray) -> None:
        """Private firms' targets drift with their sector's growth and their own shock.

        ``room[street, sector]`` in [0, 1] is the chance a wanted expansion finds floor space.
        Posts are whole numbers, so fractional changes are rounded at random (unbiased).
        """
        rows = np.flatnonzero(self.alive & ~self.public)
        sector = self.sector[rows]
        target = self.target[rows].astype(float)
        change = target * np.expm1(monthly_growth[sector] + sigma * rng.standard_normal(len(rows)))
        allowed = rng.random(len(rows)) < room[self.street[rows], sector]
        change = np.where((change > 0) & ~allowed, 0.0, change)
        new = np.floor(target + change + rng.random(len(rows)))
        self.target[rows] = np.maximum(new, 1).astype(np.int32)
        self.age_months[rows] = np.minimum(self.age_months[rows] + 1, 32000)

    def exit_hazard(self, monthly_exit: np.ndarray, young_factor: float) -> np.ndarray:
        """Each private firm's chance of closing this month (firms under 3 years close more often)."""
        hazard = monthly_exit[np.maximum(self.sector, 0)] * np.where(self.age_months < 36, young_factor, 1.0)
        return np.where(self.alive & ~self.public, hazard, 0.0)


@kernel("int8[:](int64[:], float32[:], boolean[:], float64[:, :])")
def first_zone(street, zone_u, alive, coverage):
    zone = np.full(len(street), -1, np.int8)
    for row in range(len(street)):
        if alive[row]:
            for z in range(coverage.shape[0]):
                if zone_u[row] < coverage[z, max(street[row], 0)]:
                    zone[row] = z
                    break
    return zone


@kernel("int32[:](int32[:, :])")
def row_sums(held):
    """``held.sum(axis=1)`` (numpy sums a short last axis several times slower)."""
    out = np.zeros(held.shape[0], np.int32)
    for i in range(held.shape[0]):
        for j in range(held.shape[1]):
            out[i] += held[i, j]
    return out


@kernel("Tuple((float64[:, :], float64[:]))(int8[:], int32[:, :], float64[:, :], int64)")
def incommuter_flows(street, held, minutes, n_streets):
    """In-commuters by outside area × street (summed firm by firm, as ``np.bincount`` would) and
    each row's in-commuter minutes (summed area by area)."""
    n_out = held.shape[1]
    od = np.zeros((n_out, n_streets))
    total = np.zeros(held.shape[0])
    for i in range(held.shape[0]):
        s = street[i]
        if s < 0:
            continue
        for a in range(n_out):
            if held[i, a]:
                od[a, s] += held[i, a]
                total[i] += minutes[n_streets + a, s] * held[i, a]
    return od, total
