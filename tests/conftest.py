"""Shared fixtures: small, fast configurations of the real model."""

from __future__ import annotations

import pytest

from sim.config import Config, resolve, with_run

FAST_SCALE = 50  # persons per row in tests: ~28k residents, a month in a few ms


def small(config: Config | None = None, months: int = 12, scale: int = FAST_SCALE) -> Config:
    """A scenario shortened and coarsened for tests (the same rules, fewer rows)."""
    return with_run(config or Config(), months=months, scale=scale)


@pytest.fixture(scope="session")
def baseline() -> Config:
    return resolve("baseline_2018")
