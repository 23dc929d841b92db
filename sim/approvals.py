"""Engineering-project approval: how long an application waits, and the pipeline that holds them.

Approval time adds up item processing (done one after another; online service saves part of it)
and department hand-overs (a single window saves part of each), plus committee–street
coordination while zones cover streets only partly. Major projects with the full-agency service
(全程代办) save a further share. Each application draws its own noise and its own patience;
one that waits past its patience withdraws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.agents.population import Population
from sim.geography import ApprovalInfo


@dataclass(frozen=True)
class ApprovalRegime:
    """The approval regime in force (set each month by the approval lever)."""

    items: float
    departments: float
    one_window_share: float
    online_share: float
    full_agency: bool

    def base_days(self, info: ApprovalInfo) -> float:
        """Working days of an ordinary application under this regime, before coordination."""
        processing = self.items * info.days_per_item * (1.0 - info.online_saving * self.online_share)
        handover = self.departments * info.days_per_department * (1.0 - info.one_window_saving * self.one_window_share)
        return processing + handover


def approval_days(rng: np.random.Generator, regime: ApprovalRegime, info: ApprovalInfo, large: np.ndarray,
                  coordination_days: np.ndarray) -> np.ndarray:
    """Working days each application needs, with its own log-normal noise."""
    days = regime.base_days(info) + coordination_days
    if regime.full_agency:
        days = np.where(large, days * (1.0 - info.full_agency_saving), days)
    noise = np.exp(info.noise_sigma * rng.standard_normal(len(large)) - info.noise_sigma**2 / 2)
    return days * noise


class Applications(Population):
    """Firm-entry applications in the pipeline, one row per ``scale`` applicants."""

    COLUMNS = {
        "zone": (np.int8, -1),
        "sector": (np.int8, -1),
        "street": (np.int8, -1),
        "posts": (np.int32, 0),
        "large": (np.bool_, False),
        "days_needed": (np.float32, 0.0),  # working days until approval
        "waited": (np.float32, 0.0),  # working days waited so far
        "patience": (np.float32, 0.0),  # working days the applicant will wait in all
        "approved": (np.bool_, False),
        "months_to_open": (np.float32, 0.0),  # fit-out months left after approval
    }
