"""Where entering firms locate: a multinomial logit over streets, by sector.

A firm of sector k — an entrant, or a firm that considers moving — weighs each street s by
(UrbanSim's location-choice models, monthly):

    V[s, k] = c[s, k] − rent_weight × ln(rent[s, kind k] / start rent)
              + access_weight × ln(access to workers of the sector's skill mix)
              + agglomeration_weight × ln(1 + the sector's jobs in s)
              + zone_weight × (share of s inside a zone that leads with k)
              + ln(free floor space of its kind in s)          (a size term: more room, more sites)

Access to workers is a gravity sum over where workers live, Σ_o workers_o exp(−decay ×
minutes(o, s) / 60), taken for talent and other workers and mixed by the sector's talent share.
The constants c make the entrants at the start go where the exits are (a frozen map at the
start's rents, access and space, as home choice's constants reproduce where people live); what
moves the map afterwards is a change in rents, access, clustering, zone coverage or free space.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FirmChoice:
    """The entering firms' preferences (the scenario's uncertainties)."""

    rent_weight: float
    access_weight: float
    agglomeration_weight: float
    zone_weight: float


def access(workers: np.ndarray, minutes: np.ndarray, decay_per_hour: float) -> np.ndarray:
    """Gravity access of each street to workers living in each street (streets × streets → streets)."""
    return (workers[:, None] * np.exp(-decay_per_hour * minutes / 60.0)).sum(axis=0)


def utilities(p: FirmChoice, *, rent_ratio: np.ndarray, access_talent: np.ndarray, access_other: np.ndarray,
              talent_share: np.ndarray, sector_jobs: np.ndarray, zone_lead: np.ndarray) -> np.ndarray:
    """V[s, k] without the constants and the size term: ``rent_ratio`` is street × sector (the
    sector's kind of space), ``access_*`` per street, ``talent_share`` per sector, ``sector_jobs``
    and ``zone_lead`` street × sector."""
    mix = (talent_share[None, :] * np.log(np.maximum(access_talent, 1e-9))[:, None]
           + (1.0 - talent_share[None, :]) * np.log(np.maximum(access_other, 1e-9))[:, None])
    return (-p.rent_weight * np.log(rent_ratio) + p.access_weight * mix
            + p.agglomeration_weight * np.log1p(sector_jobs) + p.zone_weight * zone_lead)


def size_term(free: np.ndarray) -> np.ndarray:
    """ln(free floor space): more room, more sites; no free space, no option (−inf)."""
    with np.errstate(divide="ignore"):
        return np.log(np.maximum(free, 0.0))


def probabilities(v: np.ndarray) -> np.ndarray:
    """Logit shares over streets (rows) for each sector (column); a column with no option is 0."""
    top = np.max(np.where(np.isfinite(v), v, -np.inf), axis=0)
    w = np.exp(v - np.where(np.isfinite(top), top, 0.0)[None, :])
    total = w.sum(axis=0)
    return np.divide(w, total[None, :], out=np.zeros_like(w), where=total[None, :] > 0)


def constants(target: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Constants that make ``probabilities(v + c)`` equal ``target`` (street × sector shares) where
    ``v`` is finite; a street with no share gets a constant that keeps it all but closed."""
    return np.log(np.maximum(target, 1e-6)) - np.where(np.isfinite(v), v, 0.0)
