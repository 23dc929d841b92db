"""Smart governance (智慧治理): a centre whose staff route grid events and whose systems detect them."""

from __future__ import annotations

from dataclasses import dataclass

from sim.categories import CENTRE, ORGANS
from sim.params import param
from sim.policies.base import Lever


@dataclass(frozen=True)
class SmartGovernance(Lever):
    name = "smart_governance"
    label = "智慧治理"
    label_en = "Smart governance"
    group = "社会"
    mechanism = ("A smart-governance centre takes quotas from the district organs (the duty office, the "
                 "comprehensive-governance and grid centres it integrates); its staff triage and dispatch grid "
                 "events, so fewer reach the wrong office first, and its systems watch a share of the grid, so "
                 "events are found early and handled faster.")
    mechanism_zh = ("设立智慧治理中心，编制来自区级机关（整合总值班室、综治中心、网格化服务管理中心）："
                    "中心人员统一分拨网格事件，减少错派；其系统覆盖部分网格，事件早发现、快处置。")

    centre_staff: int = param(0, unit="quotas", lo=0, hi=500, reform=30,
                              source="assumption: the source names the centre, not its staff "
                                     "(≈ the district's events at the data's triage rate)",
                              doc="quotas the centre takes from the district organs")
    sensor_coverage: float = param(0.0, unit="share", lo=0.0, hi=1.0, reform=0.5,
                                   source="assumption: the source names the systems, not their reach",
                                   doc="share of the grid the centre's systems (cameras, sensors, data) watch")

    def apply(self, model, month: int) -> None:
        moved = self.centre_staff * self.share_in(month)
        if moved > 0:
            ledger = model.staffing
            organs = ledger.rows(ORGANS)
            taken = ledger.take_pro_rata(organs, moved)
            ledger.move(organs, taken, ledger.rows(CENTRE), [taken.sum()])
        model.policy.sensor_coverage = self.toward(month, "sensor_coverage")
