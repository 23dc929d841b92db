"""Park city (公园城市): green space, parks and greenways as an amenity residents value."""

from __future__ import annotations

from dataclasses import dataclass

from sim.params import param
from sim.policies.base import Lever, need_streets

OUTER_STREETS = ("青龙", "龙潭", "保和", "白莲池", "二仙桥", "双水碾")  # assumption: where there was land for parks


@dataclass(frozen=True)
class ParkCity(Lever):
    name = "park_city"
    label = "公园城市建设"
    label_en = "Park city"
    group = "生态"
    mechanism = ("Adds green space, large parks and greenways in the chosen streets; residents weigh green "
                 "space per person, parks and greenways when they choose where to live.")
    mechanism_zh = "在所选街道增加绿地、公园与绿道；居民选择住址时看重人均绿地、公园与绿道。"

    green_m2: float = param(0.0, unit="m²", lo=0.0, hi=10_000_000.0, reform=773_600.0,
                            source="source: 77.36万 m² green space", doc="green space added")
    parks: int = param(0, unit="parks", lo=0, hi=50, reform=8, source="source: 8 large parks",
                       doc="large parks opened (shared round the streets in turn)")
    greenways_km: float = param(0.0, unit="km", lo=0.0, hi=500.0, reform=20.5, source="source: 20.5 km greenways",
                                doc="greenways built (shared equally)")
    streets: tuple[str, ...] = param((), reform=OUTER_STREETS, source="assumption: streets with land for parks",
                                     doc="streets where parks, green space and greenways go")

    def problems(self):
        return need_streets(self, ("green_m2", "parks", "greenways_km"))

    def apply(self, model, month: int) -> None:
        share = self.share_in(month)
        if share <= 0 or not self.streets:
            return
        n = len(self.streets)
        opened_before = int(self.parks * self.share_by(month - 1))
        opened_now = int(self.parks * self.share_by(month))
        for k, name in enumerate(self.streets):
            model.streets.plant(model.district.street_index(name), green_m2=self.green_m2 * share / n,
                                greenway_km=self.greenways_km * share / n,
                                parks=sum(1 for p in range(opened_before, opened_now) if p % n == k))
