"""Standard factories (标准厂房) and professional office buildings (专业楼宇)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.categories import FACTORY, OFFICE
from sim.flows import Flows
from sim.params import param
from sim.policies.base import Lever, need_streets

ZONE_STREETS = ("龙潭", "白莲池", "双桥子", "跳蹬河")  # assumption: built in the zones' streets


@dataclass(frozen=True)
class IndustrialSpace(Lever):
    name = "industrial_space"
    label = "标准厂房与专业楼宇"
    label_en = "Factories and office buildings"
    group = "经济"
    mechanism = ("Starts public factory and office-building projects in the chosen streets; once approved and "
                 "built, their floor space lets firms open and grow there.")
    mechanism_zh = "在所选街道启动厂房与楼宇建设项目；审批、建成后企业得以入驻和扩张。"

    factory_m2: float = param(0.0, unit="m²", lo=0.0, hi=5_000_000.0, reform=110_000.0,
                              source="source: 11万 m² standard factories",
                              doc="standard-factory floor space built (projects started over the ramp)")
    office_m2: float = param(0.0, unit="m²", lo=0.0, hi=10_000_000.0, reform=490_000.0,
                             source="source: 49万 m² professional office buildings",
                             doc="professional office floor space built (projects started over the ramp)")
    streets: tuple[str, ...] = param((), reform=ZONE_STREETS, source="assumption: the zones' streets",
                                     doc="streets where the space is built (shared equally)")

    def problems(self):
        return need_streets(self, ("factory_m2", "office_m2"))

    def apply(self, model, month: int) -> Flows | None:
        share = self.share_in(month)
        if share <= 0 or not self.streets:
            return None
        flows = Flows()
        for name in self.streets:
            street = model.district.street_index(name)
            for use, m2 in ((FACTORY, self.factory_m2), (OFFICE, self.office_m2)):
                if m2 > 0:
                    flows += model.projects.start(street, use, m2 * share / len(self.streets), public=True,
                                                  month=month)
        return flows
