"""Zone reform: whole-street coverage, street duties, and how committees spend their time."""

from __future__ import annotations

from dataclasses import dataclass

from sim.agents.zone import BASE_SPLIT
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
                 "space for firms, more street staff time for governance.")
    mechanism_zh = ("功能区整建制覆盖街道，街道招商与税收职能移交部门："
                    "项目协调减少，功能区可用空间增加，街道治理时间增加。")

    whole_street: bool = param(False, reform=True, source="source: 3 zones re-drawn to cover whole streets",
                               doc="zones cover their streets whole (整建制覆盖)")
    street_duties_moved: bool = param(False, reform=True,
                                      source="source: investment and tax duties removed from streets",
                                      doc="streets no longer attract investment or collect tax")

    def apply(self, model, month: int) -> None:
        """Boundaries move out to the whole streets over the ramp; duties leave the streets at the start."""
        for zone in model.zones:
            zone.alignment = self.share_by(month) if self.whole_street else 0.0
        for street in model.streets:
            street.investment_duties = not (self.street_duties_moved and month >= self.start_month)


@dataclass(frozen=True)
class Committee(Lever):
    name = "committee"
    label = "管委会职能与联合招商"
    label_en = "Committee time and joint attraction"
    group = "经济"
    mechanism = ("Attraction time brings investment leads, construction time shortens fit-out after approval, "
                 "coordination time cuts coordination days; joint attraction adds leads and lets a lead "
                 "with no room in its zone settle in another.")
    mechanism_zh = "招商时间带来项目线索，建设时间缩短落地周期，协调时间减少协调天数；联合招商增加线索并可跨区落地。"

    attraction_share: float = param(BASE_SPLIT["attraction"], unit="share", lo=0.0, hi=1.0, reform=1 / 3,
                                    source="source: 1/3 investment attraction (before: assumption)",
                                    doc="committee time on investment attraction")
    construction_share: float = param(BASE_SPLIT["construction"], unit="share", lo=0.0, hi=1.0, reform=1 / 3,
                                      source="source: 1/3 project construction (before: assumption)",
                                      doc="committee time on project construction")
    coordination_share: float = param(BASE_SPLIT["coordination"], unit="share", lo=0.0, hi=1.0, reform=1 / 3,
                                      source="source: 1/3 coordination (before: assumption)",
                                      doc="committee time on coordination and services")
    joint_attraction: bool = param(False, reform=True, source="source: joint investment-attraction model",
                                   doc="zones attract investment jointly (联合招商)")

    def problems(self):
        total = self.attraction_share + self.construction_share + self.coordination_share
        if abs(total - 1.0) > 0.01:
            return [("coordination_share", f"the three time shares must sum to 1, they sum to {total:.3f}")]
        if min(self.attraction_share, self.construction_share, self.coordination_share) <= 0:
            return [("attraction_share", "each time share must be above 0")]
        return []

    def apply(self, model, month: int) -> None:
        """Time shifts from the old split to the new one over the ramp; joint attraction starts at the start."""
        split = {key: self.toward(month, f"{key}_share") for key in ("attraction", "construction", "coordination")}
        for zone in model.zones:
            zone.split = split
            zone.joint_attraction = self.joint_attraction and month >= self.start_month
