"""Talent apartments (人才公寓): places delivered, who may rent them where, and at what rent.

The lever's rule is ``TalentRule``: which residents (and which firms' in-commuters) may rent a
talent apartment in which streets, and the discount on the street's market rent. The housing
market (``sim.processes.homes``) lets the places by that rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.categories import TALENT_HOMES
from sim.flows import Flows
from sim.params import param
from sim.policies.base import Lever, need_streets

NEAR_ZONES = ("龙潭", "白莲池", "青龙", "双桥子")  # assumption: the source does not say where
ELIGIBILITY = ("zone_talent", "talent", "zone_workers")


@dataclass(frozen=True)
class TalentRule:
    """Who may rent a talent apartment where, and the rent discount (set by the lever)."""

    eligibility: str  # one of ELIGIBILITY
    rent_discount: float

    @property
    def zone_firms_only(self) -> bool:
        """Only workers of firms inside a zone (in that zone's streets)."""
        return self.eligibility in ("zone_talent", "zone_workers")

    @property
    def talent_only(self) -> bool:
        """Only tertiary-educated workers."""
        return self.eligibility in ("zone_talent", "talent")

    @staticmethod
    def places_for(firm_zone, zone_of_street):
        """Streets whose apartments workers of firms in these zones may rent (rows × streets):
        their own zone's streets; no zone (−1), none."""
        return (firm_zone[:, None] >= 0) & (firm_zone[:, None] == zone_of_street[None, :])

    def eligible(self, talent, employer_zone, zone_of_street):
        """Where each resident may rent (rows × streets), from its talent flag and its employer's
        zone (−1: no job at a zone firm): zone talent and zone workers in their zone's streets,
        any talent anywhere."""
        if self.eligibility == "talent":
            return talent[:, None].repeat(len(zone_of_street), axis=1)
        where = self.places_for(employer_zone, zone_of_street)
        return where & talent[:, None] if self.eligibility == "zone_talent" else where

    def eligible_count(self, talent_alive: int, workers, talent_workers, in_zone) -> int:
        """Residents (rows) the rule admits somewhere: any talent (``talent_alive``), or the
        (talent) workers of firms in a zone (``workers`` and ``talent_workers`` per firm row)."""
        if self.eligibility == "talent":
            return talent_alive
        return int((talent_workers if self.eligibility == "zone_talent" else workers)[in_zone].sum())


@dataclass(frozen=True)
class TalentApartments(Lever):
    name = "talent_apartments"
    label = "人才公寓"
    label_en = "Talent apartments"
    group = "经济"
    mechanism = ("Starts public talent-apartment projects in the chosen streets; once approved and built, eligible "
                 "talent rent them below market, so zone workers can live near their jobs.")
    mechanism_zh = "在所选街道启动人才公寓建设项目；审批、建成后符合条件的人才以低于市场的租金入住，就近居住。"

    floor_m2: float = param(0.0, unit="m²", lo=0.0, hi=5_000_000.0, reform=370_000.0,
                            source="source: 37万 m² talent apartments",
                            doc="talent-apartment floor space built (projects started over the ramp)")
    streets: tuple[str, ...] = param((), reform=NEAR_ZONES, source="assumption: near the zones",
                                     doc="streets where the apartments are built (shared equally)")
    rent_discount: float = param(0.3, unit="share", lo=0.0, hi=0.9, reform=0.3,
                                 source="assumption: rent below market",
                                 doc="rent discount against the street's market rent")
    eligibility: str = param("zone_talent", choices=ELIGIBILITY, reform="zone_talent",
                             source="source: talent of the zones' firms",
                             doc="who may rent: talent of a zone's firms (in that zone's streets), any talent "
                                 "(anywhere), or any worker of a zone's firms (in that zone's streets)")

    def problems(self):
        return need_streets(self, ("floor_m2",))

    def apply(self, model, month: int) -> Flows | None:
        model.policy.talent = TalentRule(self.eligibility, self.rent_discount)
        share = self.share_in(month)
        if share <= 0 or not self.streets or self.floor_m2 <= 0:
            return None
        flows = Flows()
        for name in self.streets:
            flows += model.projects.start(model.district.street_index(name), TALENT_HOMES,
                                          self.floor_m2 * share / len(self.streets), public=True, month=month)
        return flows
