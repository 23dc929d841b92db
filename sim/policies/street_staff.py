"""Staff moved from district organs to the streets (人员下沉街道)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.categories import DISTRICT_ORGANS, STREET
from sim.params import param
from sim.policies.base import Lever


@dataclass(frozen=True)
class StreetStaff(Lever):
    name = "street_staff"
    label = "人员下沉街道"
    label_en = "Staff moved to streets"
    group = "社会"
    mechanism = ("Moves quotas from the district organs (approval staff and the smart-governance centre included, "
                 "in proportion) to the streets, shared equally among the street governments there are: more "
                 "grid and convenience-service capacity in the streets, less in the organs (approval slows a "
                 "little).")
    mechanism_zh = ("区级机关（含审批人员与智慧治理中心，按比例）编制下沉街道（平均分配）："
                    "街道网格与便民服务能力提高，机关能力相应减少（审批略慢）。")

    staff: int = param(0, unit="persons", lo=0, hi=2000, reform=90, source="source: 90+ staff moved to streets",
                       doc="quotas moved from district organs to the streets")

    def apply(self, model, month: int) -> None:
        moved = self.staff * self.share_in(month)
        if moved <= 0:
            return
        ledger = model.staffing
        organs = ledger.rows_of(DISTRICT_ORGANS)
        taken = ledger.take_pro_rata(organs, moved)
        streets = ledger.rows(STREET)[ledger.street_open]  # the street governments there are now
        ledger.move(organs, taken, streets, [taken.sum() / len(streets)] * len(streets))
