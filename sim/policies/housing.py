"""Housing for industry-city integration: talent apartments, resettlement housing and renewal."""

from __future__ import annotations

from dataclasses import dataclass

from sim.agents.residents import CLEARED
from sim.geography import RESETTLEMENT, TALENT
from sim.params import param
from sim.policies.base import Lever, need_streets

NEAR_ZONES = ("龙潭", "白莲池", "青龙", "双桥子")  # assumption: the source does not say where
FARMING_STREETS = ("保和", "青龙", "龙潭", "白莲池")  # assumption: resettlement goes to the farming-related streets
# assumption: old courtyards are in the inner streets
INNER_STREETS = ("猛追湾", "双桥子", "府青路", "二仙桥", "跳蹬河")


@dataclass(frozen=True)
class TalentApartments(Lever):
    name = "talent_apartments"
    label = "人才公寓"
    label_en = "Talent apartments"
    group = "经济"
    mechanism = ("Adds talent-apartment places in the chosen streets; eligible talent rent them below market, "
                 "so zone workers can live near their jobs.")
    mechanism_zh = "在所选街道增加人才公寓；符合条件的人才以低于市场的租金入住，就近居住。"

    floor_m2: float = param(0.0, unit="m²", lo=0.0, hi=5_000_000.0, reform=370_000.0,
                            source="source: 37万 m² talent apartments", doc="talent-apartment floor space delivered")
    streets: tuple[str, ...] = param((), reform=NEAR_ZONES, source="assumption: near the zones",
                                     doc="streets where the apartments are built (shared equally)")
    rent_discount: float = param(0.3, unit="share", lo=0.0, hi=0.9, reform=0.3,
                                 source="assumption: rent below market",
                                 doc="rent discount against the street's market rent")
    eligibility: str = param("zone_talent", choices=("zone_talent", "talent", "zone_workers"), reform="zone_talent",
                             source="source: talent of the zones' firms",
                             doc="who may rent: talent of a zone's firms (in that zone's streets), any talent "
                                 "(anywhere), or any worker of a zone's firms (in that zone's streets)")

    def problems(self):
        return need_streets(self, ("floor_m2",))

    def apply(self, model, month: int) -> None:
        share = self.share_in(month)
        if share <= 0 or not self.streets:
            return
        places = self.floor_m2 * share / model.district.space.talent_apartment_m2_per_resident
        for name in self.streets:
            model.street(name).housing[TALENT] += places / len(self.streets)


@dataclass(frozen=True)
class Resettlement(Lever):
    name = "resettlement"
    label = "安置房与城市更新"
    label_en = "Resettlement housing and renewal"
    group = "经济"
    mechanism = ("Adds resettlement units for households whose homes are cleared for development in their "
                 "streets (as units are delivered) and for those renewal of dilapidated housing and old "
                 "courtyards displaces; displaced households are rehoused in resettlement units first. "
                 "Cleared homes are gone; renewed ones are lived in again after the works.")
    mechanism_zh = ("安置房用于安置征地拆迁户（随交付进度搬迁）和危旧房、老旧院落改造的搬离户，优先安置；"
                    "拆除的住房不再恢复，改造的住房在工期结束后恢复居住。")

    units: int = param(0, unit="units", lo=0, hi=100_000, reform=7631, source="source: 7631 resettlement units",
                       doc="resettlement units (安置房) delivered")
    streets: tuple[str, ...] = param((), reform=FARMING_STREETS, source="assumption: farming-related streets",
                                     doc="streets where the units are built (shared equally)")
    cleared_per_unit: float = param(1.0, unit="households per unit", lo=0.0, hi=3.0, reform=1.0,
                                    source="assumption: each unit rehouses one household whose home is cleared",
                                    doc="households whose homes are cleared for development, per unit delivered")
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

    def apply(self, model, month: int) -> None:
        share = self.share_in(month)
        if share <= 0:
            return
        d = model.district
        for name in self.streets:
            places = self.units * d.population.persons_per_household * share / len(self.streets)
            street = model.street(name)
            street.housing[RESETTLEMENT] += places
            model.flows["resettlement_delivered"] += places
            model.displace(street.index, places * self.cleared_per_unit, CLEARED)
        persons = (self.renewal_m2 * d.space.renewal_persons_per_m2
                   + self.courtyards * d.space.persons_per_courtyard) * self.displaced_share * share
        for name in self.renewal_streets:
            model.displace(model.street(name).index, persons / len(self.renewal_streets))
