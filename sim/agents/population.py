"""Agent populations held column-wise: one numpy array per attribute, one row per individual.

Residents and firms are many and simple, so their rules are written once and evaluated over all
rows at a time (a ``mesa.Agent`` per resident would cost ~2 µs per step each: docs/TOOLCHAIN.md).
Rows are individuals with their own state and their own random draws; ``alive`` marks rows in
use, and rows freed by leavers are reused by newcomers. Each individual has a persistent ``id``,
given once in order of arrival and never reused, so a row recycled for a newcomer is another
individual.

The agent panel (``sim.panel``) follows a random sample of individuals: ``in_panel`` flags them.
An individual is in the sample when a hash of its id (SplitMix64, the same function for every
run) falls below the sampling rate, decided once as it arrives — so newcomers join at the same
rate as the first population, and sampling draws nothing from the model's random streams (a run
with a panel gives the same other rows as one without). Sampled leavers' last state is kept in
``panel_exits`` (with why they left) until the panel reads it.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np

from sim.compiled import kernel


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (``np.unique`` is several times slower on this numpy build)."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def stochastic_round(rng: np.random.Generator, x: np.ndarray) -> np.ndarray:
    """Round to whole numbers up or down at random, keeping the expectation."""
    x = np.asarray(x, dtype=float)
    return np.floor(x + rng.random(x.shape)).astype(np.int64)


def bernoulli_rows(rng: np.random.Generator, rows: np.ndarray, p: float) -> np.ndarray:
    """The rows for which an event of probability ``p`` happens, each independently.

    Drawn as a binomial count and a uniform random subset of that size — the same distribution as
    one uniform draw per row, in time proportional to the events rather than the rows.
    """
    if p <= 0 or len(rows) == 0:
        return rows[:0]
    k = rng.binomial(len(rows), min(p, 1.0))
    return np.sort(rng.choice(rows, size=k, replace=False))


def sample_rows(rng: np.random.Generator, seen: np.ndarray, eligible, n_eligible: int, k: int) -> np.ndarray:
    """``k`` distinct rows (ascending), uniformly at random among the ``n_eligible`` of
    ``range(len(seen))`` for which ``eligible(rows)`` is True, without listing them.

    Draws row indices uniformly and keeps the eligible ones not drawn before, in the order drawn,
    until it has ``k`` (rejection sampling): time proportional to ``k``, not to the rows. The first
    ``k`` distinct eligible rows of an i.i.d. uniform sequence are a uniform ``k``-subset.
    ``seen`` is a scratch flag per row, all False before and after (kept by the caller: a fresh
    one would cost a page fault per page touched).
    """
    n_rows = len(seen)
    k = min(k, n_eligible)
    chosen = np.empty(k, dtype=np.intp)
    have = 0
    share = max(n_eligible / max(n_rows, 1), 1e-6)
    while have < k:
        draw = rng.integers(0, n_rows, size=min(int((k - have) / share * 1.1) + 32, n_rows))
        have = keep_first(draw[eligible(draw)], seen, chosen, have)
    seen[chosen] = False
    return np.sort(chosen)


@kernel("int64(int64[:], boolean[:], intp[:], int64)")
def keep_first(candidates, seen, chosen, have):
    """Append to ``chosen[have:]`` the candidates not ``seen`` before, in order, until it is full."""
    for row in candidates:
        if have == len(chosen):
            break
        if not seen[row]:
            seen[row] = True
            chosen[have] = row
            have += 1
    return have


def draw_without_replacement(rng: np.random.Generator, held: np.ndarray, k: np.ndarray) -> np.ndarray:
    """From each row of ``held`` (counts by kind, rows × kinds) take ``k`` of the row's items at
    random without replacement; return the counts taken by kind (a multivariate hypergeometric
    draw per row, made kind by kind from its conditionals)."""
    taken = np.zeros_like(held)
    left = np.minimum(k, held.sum(axis=1)).astype(np.int64)
    rest = held.sum(axis=1).astype(np.int64)
    for j in range(held.shape[1] - 1):
        good = held[:, j].astype(np.int64)
        rest -= good
        t = rng.hypergeometric(good, rest, left) if left.any() else np.zeros_like(left)
        taken[:, j] = t
        left -= t
    taken[:, -1] = left
    return taken


def thinned(rng: np.random.Generator, candidates: np.ndarray, p_max: float, p_of) -> np.ndarray:
    """Exact thinning: of ``candidates`` drawn at probability ``p_max``, keep each with
    ``p_of(row) / p_max`` — so each row's own probability is ``p_of(row)``."""
    keep = rng.random(len(candidates)) * p_max < p_of(candidates)
    return candidates[keep]


def panel_draw(ids: np.ndarray) -> np.ndarray:
    """A uniform number in [0, 1) for each id: SplitMix64's finaliser of the id, top 53 bits."""
    with np.errstate(over="ignore"):
        z = ids.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / 2.0**53


class Population:
    """A set of individuals stored as parallel arrays; subclasses declare ``COLUMNS``."""

    COLUMNS: dict[str, tuple[np.dtype, object]] = {}  # name -> (dtype, fill value of a fresh row)

    def __init__(self, capacity: int = 0, widths: dict[str, int] | None = None):
        """``widths`` makes the named columns rows of that many values each (a 2-D array)."""
        capacity = max(int(capacity), 16)
        self.widths = dict(widths or {})
        self.alive = np.zeros(capacity, dtype=bool)
        self.id = np.full(capacity, -1, dtype=np.int64)  # persistent id of the row's individual; -1 when empty
        for name, (dtype, fill) in self.COLUMNS.items():
            setattr(self, name, self._blank(name, capacity, dtype, fill))
        self.in_panel = np.zeros(capacity, dtype=bool)  # the row's individual is in the panel's sample
        self.free = np.zeros(0, dtype=np.intp)  # rows freed by leavers, ascending: reused lowest first
        self.top = 0  # rows from here on have never been used
        self.next_id = 0  # the id the next individual gets
        self.panel_rate = 0.0  # the chance an individual is in the panel's sample (``start_panel``)
        self.panel_exits: list[tuple[str, dict[str, np.ndarray]]] = []  # (why, last state) of sampled leavers

    @property
    def capacity(self) -> int:
        return len(self.alive)

    @property
    def count(self) -> int:
        return int(np.count_nonzero(self.alive))

    def rows(self) -> np.ndarray:
        """Indices of the live rows."""
        return np.flatnonzero(self.alive)

    def add(self, n: int, **values) -> np.ndarray:
        """Create ``n`` individuals with the given column values; return their row indices.

        Dead rows are reused first (lowest index first), then the arrays grow.
        """
        reused, self.free = self.free[:n], self.free[n:]
        fresh = n - len(reused)
        if self.top + fresh > self.capacity:
            self._grow(max(self.top + fresh - self.capacity, self.capacity // 20))
        rows = np.concatenate([reused, np.arange(self.top, self.top + fresh)])
        self.top += fresh
        self.alive[rows] = True
        self.id[rows] = np.arange(self.next_id, self.next_id + n)
        self.next_id += n
        if self.panel_rate:
            self.in_panel[rows] = panel_draw(self.id[rows]) < self.panel_rate
        for name, (_, fill) in self.COLUMNS.items():
            getattr(self, name)[rows] = values.pop(name, fill)
        if values:
            raise TypeError(f"unknown columns: {', '.join(values)}")
        return rows

    def remove(self, rows: np.ndarray, why: str = "") -> None:
        """Retire rows (``why`` they go: died, left, exited): they leave the population and their
        slots become reusable."""
        if self.panel_rate:
            sampled = rows[self.in_panel[rows]]
            if len(sampled):
                self.panel_exits.append((why, self.snapshot(sampled)))
            self.in_panel[rows] = False
        self.alive[rows] = False
        self.id[rows] = -1
        self.free = distinct(np.concatenate([self.free, rows]))
        for name, (_, fill) in self.COLUMNS.items():
            getattr(self, name)[rows] = fill

    def start_panel(self, size: int) -> None:
        """Follow about ``size`` individuals: each present and future one with the chance ``size``
        / (individuals now), all of them when there are no more than ``size``; 0 follows none."""
        self.panel_rate = min(1.0, size / max(self.count, 1)) if size > 0 else 0.0
        rows = self.rows()
        self.in_panel[rows] = panel_draw(self.id[rows]) < self.panel_rate if self.panel_rate else False

    def snapshot(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        """The rows' ids and every column, copied."""
        return {"id": self.id[rows].copy(), **{name: getattr(self, name)[rows].copy() for name in self.COLUMNS}}

    def view(self, row: int) -> MappingProxyType:
        """A read-only snapshot of one individual, for tests, the UI and debugging."""
        if not 0 <= row < self.capacity or not self.alive[row]:
            raise IndexError(f"row {row} is not a live individual")
        return MappingProxyType({"id": int(self.id[row]),
                                 **{name: getattr(self, name)[row].tolist() for name in self.COLUMNS}})

    def _blank(self, name: str, n: int, dtype, fill) -> np.ndarray:
        width = self.widths.get(name)
        return np.full((n, width) if width else n, fill, dtype=dtype)

    def _grow(self, extra: int) -> None:
        old = self.capacity
        kept = {"alive": (np.bool_, False), "id": (np.int64, -1), "in_panel": (np.bool_, False), **self.COLUMNS}
        for name, (dtype, fill) in kept.items():
            column = self._blank(name, old + extra, dtype, fill)
            column[:old] = getattr(self, name)
            setattr(self, name, column)
