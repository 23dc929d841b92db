"""Engineering-project approval reform (工程建设项目审批制度改革): the approval regime in force.

The regime's rule is ``ApprovalRegime.base_days``: item processing (done one after another;
online service saves part of it) plus department hand-overs (a single window saves part of
each); at the zone's government-service sub-centre (政务分中心) the hand-overs are shorter still.
The approval stage of every building project (``sim.processes.development``) and of every
committee lead (``sim.processes.approvals``) adds its coordination days, the full-agency saving
and its own noise.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.params import param
from sim.policies.base import Lever


@dataclass(frozen=True)
class ApprovalRegime:
    """The approval regime in force (set each month by the approval lever)."""

    items: float
    departments: float
    one_window_share: float
    online_share: float
    full_agency: bool
    service_centre: bool = False

    def work(self, info) -> float:
        """Items of staff work an application brings: its items, less what online service saves."""
        return self.items * (1.0 - info.online_saving * self.online_share)

    def base_days(self, info, in_centre_zone=False, congestion=1.0):
        """Working days of an ordinary application under this regime, before coordination
        (``info``: the data file's ``[approvals]``); ``in_centre_zone`` (a flag, or an array of
        them): the application is in the zone of the service sub-centre; ``congestion``: item
        processing time relative to the data's at the approval staff's load
        (``sim.processes.approvals.ApprovalDesk``)."""
        processing = self.work(info) * info.days_per_item * congestion
        handover = self.departments * info.days_per_department * (1.0 - info.one_window_saving * self.one_window_share)
        if self.service_centre:
            handover = handover * (1.0 - info.centre_saving * in_centre_zone)
        return processing + handover


@dataclass(frozen=True)
class Approval(Lever):
    name = "approval"
    label = "审批制度改革"
    label_en = "Approval reform"
    group = "经济"
    mechanism = ("Approval days = items × days per item (online service saves part), slower as the approval "
                 "staff's load rises, + departments × hand-over days (one window saves part); full agency cuts "
                 "major projects' days; long waits make applicants withdraw.")
    mechanism_zh = ("审批天数 = 事项数 × 每项天数（网办节省部分，审批人员负荷越高越慢）"
                    "+ 部门数 × 交接天数（一窗办节省部分）；功能区政务分中心进一步缩短交接；全程代办缩短重大项目。"
                    "所有建设项目和招商项目均经审批：审批越慢，交付越晚、开发商资金成本越高，久等则撤回。")

    items: int = param(71, unit="items", lo=1, hi=300, reform=52, source="source: 71 → 52 items",
                       doc="approval items an engineering project goes through")
    departments: int = param(24, unit="departments", lo=1, hi=80, reform=19, source="source: 24 → 19 departments",
                             doc="departments involved in approval")
    one_window_share: float = param(0.3, unit="share", lo=0.0, hi=1.0, reform=0.9,
                                    source="source: ≥ 90% at one window (2018 share: assumption)",
                                    doc="share of services handled at a single window (一窗办)")
    online_share: float = param(0.4, unit="share", lo=0.0, hi=1.0, reform=1.0,
                                source="source: 100% online (2018 share: assumption)",
                                doc="share of services available online (网上办)")
    full_agency: bool = param(False, reform=True, source="source: full agency (全程代办) for major projects",
                              doc="a full-agency service guides major projects through approval")
    service_centre: bool = param(False, reform=True,
                                 source="source: a government-service sub-centre (政务分中心) in the Longtan zone",
                                 doc="the zone named in the data file's [approvals] service_centre_zone handles "
                                     "its applications in the zone (shorter hand-overs)")

    def apply(self, model, month: int) -> None:
        model.policy.regime = ApprovalRegime(
            items=self.toward(month, "items"),
            departments=self.toward(month, "departments"),
            one_window_share=self.toward(month, "one_window_share"),
            online_share=self.toward(month, "online_share"),
            full_agency=self.full_agency and self.share_by(month) > 0,
            service_centre=self.service_centre and self.share_by(month) > 0,
        )
