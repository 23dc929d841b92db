"""Smart governance (智慧治理): the grid-event centre resolves events faster."""

from __future__ import annotations

from dataclasses import dataclass

from sim.params import param
from sim.policies.base import Lever


@dataclass(frozen=True)
class SmartGovernance(Lever):
    name = "smart_governance"
    label = "智慧治理"
    label_en = "Smart governance"
    group = "社会"
    mechanism = "The smart-governance centre raises the grid events each street staff member resolves a month."
    mechanism_zh = "智慧治理中心提高街道每名工作人员每月处置的网格事件数。"

    resolution_gain: float = param(0.0, unit="share", lo=0.0, hi=3.0, reform=0.3,
                                   source="assumption: the source names the centre, not its effect",
                                   doc="extra events resolved per staff member, as a share")

    def apply(self, model, month: int) -> None:
        model.policy.governance_productivity = 1.0 + self.resolution_gain * self.share_by(month)
