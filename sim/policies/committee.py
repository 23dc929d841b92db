"""How zone committees spend their time (三个三分之一), and joint investment attraction (联合招商)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.params import param
from sim.policies.base import Lever


@dataclass(frozen=True)
class CommitteeTime:
    """Shares of committee staff time on investment attraction, project construction and coordination."""

    attraction: float
    construction: float
    coordination: float


# Before the reform (assumption: the source gives only the new split), against which attraction
# and coordination effort are measured.
BASE_TIME = CommitteeTime(attraction=0.5, construction=0.3, coordination=0.2)


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

    attraction_share: float = param(BASE_TIME.attraction, unit="share", lo=0.0, hi=1.0, reform=1 / 3,
                                    source="source: 1/3 investment attraction (before: assumption)",
                                    doc="committee time on investment attraction")
    construction_share: float = param(BASE_TIME.construction, unit="share", lo=0.0, hi=1.0, reform=1 / 3,
                                      source="source: 1/3 project construction (before: assumption)",
                                      doc="committee time on project construction")
    coordination_share: float = param(BASE_TIME.coordination, unit="share", lo=0.0, hi=1.0, reform=1 / 3,
                                      source="source: 1/3 coordination (before: assumption)",
                                      doc="committee time on coordination and services")
    joint_attraction: bool = param(False, reform=True, source="source: joint investment-attraction model",
                                   doc="zones attract investment jointly (联合招商)")

    def problems(self):
        total = self.attraction_share + self.construction_share + self.coordination_share
        if abs(total - 1.0) > 0.01:
            return [("coordination_share", f"the three time shares must sum to 1, they sum to {total:.3f}",
                     f"三项时间占比之和应为 1，现为 {total:.3f}")]
        if min(self.attraction_share, self.construction_share, self.coordination_share) <= 0:
            return [("attraction_share", "each time share must be above 0", "每项时间占比都应大于 0")]
        return []

    def apply(self, model, month: int) -> None:
        """Time shifts from the old split to the new one over the ramp; joint attraction starts at the start."""
        model.policy.committee = CommitteeTime(*(self.toward(month, f"{key}_share")
                                                 for key in ("attraction", "construction", "coordination")))
        model.policy.joint_attraction = self.joint_attraction and month >= self.start_month
