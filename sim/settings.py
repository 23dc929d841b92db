"""The settings of the evidence commands (``chancheng calibrate``, ``chancheng robustness``) with
their defaults — light to import, so the command line shows them without loading the numerical
libraries."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CalibrationSettings:
    seeds: int = 1  # common seeds 0..seeds-1 in every evaluation
    months: int = 48
    scale: int = 20
    trajectories: int = 4  # Morris trajectories (each: parameters + 1 evaluations)
    threshold: float = 1.0  # μ*/tolerance to reach on some goal to be calibrated (the noise floor: ≈ 0.2–0.5)
    population: int = 500  # accepted sets a generation
    generations: int = 3  # ABC-SMC generations (the first from the prior)
    seed: int = 20190101  # root seed of the design and the proposals


@dataclass(frozen=True)
class RobustnessSettings:
    sets: int = 30
    seeds: int = 2
    months: int = 120
    scale: int = 20
    seed: int = 20190102
