"""Resettlement housing (安置房) and the renewal of dilapidated housing and old courtyards (城市更新).

Resettlement is land conversion: the lever starts resettlement-housing projects in the
farming-related streets; when the development pipeline delivers one, villagers living on that
street's collective land move into it (the units are allocated to them as compensation) and
their cleared land becomes developable land for the pipeline. Renewal orders the households
whose housing is renewed out of their homes, as ``Clearance`` orders the policies phase carries
out; the housing market rehouses them (resettlement units first) and renews the homes they leave.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.categories import RESETTLEMENT_HOMES
from sim.flows import Flows
from sim.params import param
from sim.policies.base import Lever, need_streets

FARMING_STREETS = ("保和", "青龙", "龙潭", "白莲池")  # the farming-related streets (data file), where villagers live
# assumption: old courtyards are in the inner streets
INNER_STREETS = ("猛追湾", "双桥子", "府青路", "二仙桥", "跳蹬河")


@dataclass(frozen=True)
class Clearance:
    """Persons of market housing in a street who must move out this month while their housing is
    renewed (their home comes back after the works)."""

    street: int
    persons: float


@dataclass(frozen=True)
class Resettlement(Lever):
    name = "resettlement"
    label = "安置房与城市更新"
    label_en = "Resettlement housing and renewal"
    group = "经济"
    mechanism = ("Starts resettlement-housing projects; as each is delivered, villagers on its street's collective "
                 "land move into it and their land becomes developable land for housing, offices and factories. "
                 "Renewal of dilapidated housing and old courtyards moves tenants out during the works; they are "
                 "rehoused in resettlement units first, and the renewed homes are lived in again after the works.")
    mechanism_zh = ("启动安置房建设项目；每批交付时，该街道集体土地上的村民迁入安置房，"
                    "腾出的土地转为可开发的住宅、办公和厂房用地。"
                    "危旧房、老旧院落改造期间住户搬离，优先安置，改造完成后恢复居住。")

    units: int = param(0, unit="units", lo=0, hi=100_000, reform=7631, source="source: 7631 resettlement units",
                       doc="resettlement units (安置房) built (projects started over the ramp)")
    streets: tuple[str, ...] = param((), reform=FARMING_STREETS, source="assumption: farming-related streets",
                                     doc="streets where the units are built (shared equally)")
    cleared_per_unit: float = param(1.0, unit="households per unit", lo=0.0, hi=1.0, reform=1.0,
                                    source="assumption: each unit rehouses one villager household",
                                    doc="villager households whose collective land is cleared, per unit delivered "
                                        "(the rest of the units go to households renewal displaces)")
    renewal_m2: float = param(0.0, unit="m²", lo=0.0, hi=2_000_000.0, reform=21_000.0,
                              source="source: 2.1万 m² dilapidated housing renewed", doc="dilapidated housing renewed")
    courtyards: int = param(0, unit="courtyards", lo=0, hi=2000, reform=45, source="source: 45 old courtyards renewed",
                            doc="old courtyards (老旧院落) renewed")
    renewal_streets: tuple[str, ...] = param((), reform=INNER_STREETS, source="assumption: inner streets",
                                             doc="streets where renewal happens (shared equally)")
    displaced_share: float = param(0.5, unit="share", lo=0.0, hi=1.0, reform=0.5,
                                   source="assumption: half the residents must move out during works",
                                   doc="share of residents of renewed housing who must move out")
    works_months: int = param(24, unit="months", lo=1, hi=120, reform=24,
                              source="assumption: two years of works",
                              doc="months from a household moving out until its renewed home is lived in again")

    def problems(self):
        return need_streets(self, ("units",)) + need_streets(self, ("renewal_m2", "courtyards"), "renewal_streets")

    def apply(self, model, month: int) -> Flows | None:
        model.policy.renewal_works_months = self.works_months
        model.policy.cleared_per_unit = self.cleared_per_unit
        share = self.share_in(month)
        if share <= 0:
            return None
        d, flows = model.district, Flows()
        if self.units > 0:
            for name in self.streets:
                m2 = self.units * d.space.resettlement_unit_m2 * share / len(self.streets)
                flows += model.projects.start(d.street_index(name), RESETTLEMENT_HOMES, m2, public=True, month=month)
        persons = (self.renewal_m2 * d.space.renewal_persons_per_m2
                   + self.courtyards * d.space.persons_per_courtyard) * self.displaced_share * share
        for name in self.renewal_streets:
            model.policy.clearances.append(Clearance(d.street_index(name), persons / len(self.renewal_streets)))
        return flows
