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
    mechanism = ("The administrative adjustment merges the abolished streets into their successors (their staff "
                 "serve the merged street); zones cover their streets whole instead of in part, and streets hand "
                 "investment attraction and tax duties to departments: less committee–street coordination per "
                 "project, more committee space for firms, and the streets' time on those duties goes to grid "
                 "governance and convenience services.")
    mechanism_zh = ("行政区划调整：撤销的街道并入承接街道（人员随之服务合并后的街道）；功能区整建制覆盖街道，"
                    "街道招商与税收职能移交部门：项目协调减少，功能区可用空间增加，街道原用于招商协税的时间转向网格治理与便民服务。")

    whole_street: bool = param(False, reform=True, source="source: 3 zones re-drawn to cover whole streets",
                               doc="zones cover their streets whole (整建制覆盖)")
    street_duties_moved: bool = param(False, reform=True,
                                      source="source: investment and tax duties removed from streets",
                                      doc="streets no longer attract investment or collect tax")
    merge_month: int = param(0, unit="month", lo=0, hi=600, reform=13,
                             source="public: 14 streets in the statistical area codes of 2019-10-31, 11 on "
                                    "2020-06-30; the month between (2020-01): assumption",
                             doc="month the streets with a successor in the data file merge into it "
                                 "(行政区划调整; 0 = never)")

    def apply(self, model, month: int) -> None:
        """Boundaries move out to the whole streets over the ramp; duties leave the streets at the
        start; the abolished streets' governments merge into their successors in the merge month."""
        model.policy.zone_alignment = self.share_by(month) if self.whole_street else 0.0
        model.policy.street_duties_moved = self.street_duties_moved and month >= self.start_month
        if self.merge_month and month >= self.merge_month:
            model.staffing.merge_streets()
