"""Agent populations held column-wise: one numpy array per attribute, one row per individual.

Residents and firms are many and simple, so their rules are written once and evaluated over all
rows at a time (DESIGN §3: a ``mesa.Agent`` per resident would cost ~2 µs per step each). Rows are
individuals with their own state and their own random draws; ``alive`` marks rows in use, and
rows freed by leavers are reused by newcomers.
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np


class Population:
    """A set of individuals stored as parallel arrays; subclasses declare ``COLUMNS``."""

    COLUMNS: dict[str, tuple[np.dtype, object]] = {}  # name -> (dtype, fill value of a fresh row)

    def __init__(self, capacity: int = 0):
        capacity = max(int(capacity), 16)
        self.alive = np.zeros(capacity, dtype=bool)
        for name, (dtype, fill) in self.COLUMNS.items():
            setattr(self, name, np.full(capacity, fill, dtype=dtype))

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
        free = np.flatnonzero(~self.alive)
        if len(free) < n:
            grow = max(n - len(free), self.capacity // 2)
            self._grow(grow)
            free = np.flatnonzero(~self.alive)
        rows = free[:n]
        self.alive[rows] = True
        for name, (_, fill) in self.COLUMNS.items():
            getattr(self, name)[rows] = values.pop(name, fill)
        if values:
            raise TypeError(f"unknown columns: {', '.join(values)}")
        return rows

    def remove(self, rows: np.ndarray) -> None:
        """Retire rows: they leave the population and their slots become reusable."""
        self.alive[rows] = False
        for name, (_, fill) in self.COLUMNS.items():
            getattr(self, name)[rows] = fill

    def view(self, row: int) -> MappingProxyType:
        """A read-only snapshot of one individual, for tests, the UI and debugging."""
        if not 0 <= row < self.capacity or not self.alive[row]:
            raise IndexError(f"row {row} is not a live individual")
        return MappingProxyType({name: getattr(self, name)[row].item() for name in self.COLUMNS})

    def _grow(self, extra: int) -> None:
        self.alive = np.concatenate([self.alive, np.zeros(extra, dtype=bool)])
        for name, (dtype, fill) in self.COLUMNS.items():
            setattr(self, name, np.concatenate([getattr(self, name), np.full(extra, fill, dtype=dtype)]))
