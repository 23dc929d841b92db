"""Staff moved from district organs to the streets (人员下沉街道)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.params import param
from sim.policies.base import Lever


@dataclass(frozen=True)
class StreetStaff(Lever):
    name = "street_staff"
    label = "人员下沉街道"
    label_en = "Staff moved to streets"
    group = "社会"
    mechanism = "Moves staff from district organs to the streets (shared equally): more grid events resolved."
    mechanism_zh = "区级机关人员下沉街道（平均分配）：网格事件处置能力提高。"

    staff: int = param(0, unit="persons", lo=0, hi=2000, reform=90, source="source: 90+ staff moved to streets",
                       doc="staff moved from district organs to the streets")

    def apply(self, model, month: int) -> None:
        moved = self.staff * self.share_in(month)
        if moved <= 0:
            return
        organs = model.streets.government_posts  # the organs give up posts where they have them
        model.streets.transfer_staff(moved * organs / organs.sum(), moved / model.streets.n)
