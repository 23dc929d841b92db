"""Zones cover whole streets (功能区整建制覆盖街道), and streets hand their investment duties over."""

from __future__ import annotations

from dataclasses import dataclass

from sim.params import param
from sim.policies.base import Lever


@dataclass(frozen=True)
class ZoneAlignment(Lever):
    name = "zone_alignment"
    label = "功能区整建制覆盖街道"
    label_en = "Zones cover whole streets"
    group = "经济"
    mechanism = ("Zones cover their streets whole instead of in part, and streets hand investment attraction and "
                 "tax duties to departments: less committee–street coordination per project, more committee "
                 "space for firms, and the streets' time on those duties goes to grid governance and convenience "
                 "services.")
    mechanism_zh = ("功能区整建制覆盖街道，街道招商与税收职能移交部门："
                    "项目协调减少，功能区可用空间增加，街道原用于招商协税的时间转向网格治理与便民服务。")

    whole_street: bool = param(False, reform=True, source="source: 3 zones re-drawn to cover whole streets",
                               doc="zones cover their streets whole (整建制覆盖)")
    street_duties_moved: bool = param(False, reform=True,
                                      source="source: investment and tax duties removed from streets",
                                      doc="streets no longer attract investment or collect tax")

    def apply(self, model, month: int) -> None:
        """Boundaries move out to the whole streets over the ramp; duties leave the streets at the start."""
        model.policy.zone_alignment = self.share_by(month) if self.whole_street else 0.0
        model.policy.street_duties_moved = self.street_duties_moved and month >= self.start_month
