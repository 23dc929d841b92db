"""The one run API: ``run(config, seed) -> Result``.

The CLI, the sweep runner, worker processes, the web page and the tests all call this (or build
an ``IndustryCityModel`` and read its tables with ``tables``); nothing else re-implements the month.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.config import Config
from sim.model import IndustryCityModel
from sim.outcomes import COLUMNS, TABLES

Seed = int | np.random.SeedSequence


def seed_fields(seed: Seed) -> dict[str, object]:
    """How a run's seed is recorded: a plain integer, or a root entropy with a spawn key."""
    if isinstance(seed, np.random.SeedSequence):
        return {"seed": int(seed.entropy), "seed_spawn_key": " ".join(map(str, seed.spawn_key))}
    return {"seed": int(seed), "seed_spawn_key": ""}


def run_key(config: Config, run_id: int, seed: Seed) -> dict[str, object]:
    """Columns that identify a run in every table: run id, scenario and seed."""
    return {"run_id": run_id, "scenario": config.name, **seed_fields(seed)}


@dataclass
class Result:
    """A finished (or failed) run: its row of ``runs.csv`` and its tables."""

    info: dict[str, object]
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.info["status"] == "ok"

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name in TABLES and name in self.frames:
            return self.frames[name]
        raise AttributeError(name)


def tables(rows_of: dict[str, list[dict] | dict[str, list]], key: dict[str, object]) -> dict[str, pd.DataFrame]:
    """A run's records (``recorder.tables()``, or some of its tables) as tidy frames, each prefixed
    with the run's key columns."""
    out = {}
    for name in (n for n in TABLES if n in rows_of):
        frame = pd.DataFrame(rows_of[name], columns=list(COLUMNS[name]))
        for i, (col, value) in enumerate(key.items()):
            frame.insert(i, col, value)
        out[name] = frame
    return out


def run_info(config: Config, key: dict[str, object], *, status: str, error: str, wall: float) -> dict[str, object]:
    """One row of ``runs.csv``: the run, its outcome, and every lever and uncertainty value."""
    r = config.run
    return {**key, "status": status, "error": error, "wall_seconds": round(wall, 3), "months": r.months,
            "scale": r.scale, "start": r.start, "config_hash": config.digest(), **config.flat()}


def run(config: Config, seed: Seed, *, run_id: int = 0, on_month: Callable[[], None] | None = None,
        catch: bool = False) -> Result:
    """Simulate ``config`` with ``seed`` for its horizon and return its tables.

    With ``catch``, an exception inside the model becomes a failed ``Result`` (status ``failed``
    and the error's last line) instead of propagating — a sweep records it and goes on.
    """
    key = run_key(config, run_id, seed)
    started = time.perf_counter()
    try:
        model = IndustryCityModel(config, seed)
        for _ in range(config.run.months):
            model.step()
            if on_month is not None:
                on_month()
    except Exception as exc:
        if not catch:
            raise
        last = traceback.format_exception_only(exc)[-1].strip()
        return Result(run_info(config, key, status="failed", error=last, wall=time.perf_counter() - started))
    info = run_info(config, key, status="ok", error="", wall=time.perf_counter() - started)
    return Result(info, tables(model.recorder.tables(), key))
