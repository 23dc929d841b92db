"""New public-service sites (公共服务设施): school sites (中小学办学点), kindergarten sites (幼儿园办学点)
and community health service centres (社区卫生服务中心), built through the development pipeline."""

from __future__ import annotations

from dataclasses import dataclass

from sim.categories import CLINIC, KINDERGARTEN, SCHOOL
from sim.flows import Flows
from sim.params import param
from sim.policies.base import Lever, need_streets

GROWTH_STREETS = ("保和", "青龙", "龙潭", "白莲池")  # assumption: where the new housing goes (the fringe)


@dataclass(frozen=True)
class PublicFacilities(Lever):
    name = "public_facilities"
    label = "公共服务设施布局"
    label_en = "School, kindergarten and clinic sites"
    group = "服务"
    mechanism = ("Starts public school, kindergarten and community-health-centre projects in the chosen streets; "
                 "once approved and built, their places (学位) and coverage raise the streets' access to "
                 "education and care, which residents weigh where they live.")
    mechanism_zh = ("在所选街道启动中小学、幼儿园办学点与社区卫生服务中心建设项目；审批、建成后新增学位与服务覆盖，"
                    "提升街道的教育与医疗可及性，居民择居时加以权衡。")

    school_sites: int = param(0, unit="sites", lo=0, hi=200, reform=8,
                              source="assumption: the source adds school sites (中小学新增办学点) with the "
                                     "district's layout, without a number",
                              doc="new school sites (办学点) built")
    school_m2: float = param(15_000.0, unit="m² per site", lo=1000.0, hi=100_000.0, reform=15_000.0,
                             source="assumption: a site of ≈ 1,500 places",
                             doc="floor space of a school site")
    kindergarten_sites: int = param(0, unit="sites", lo=0, hi=200, reform=17,
                                    source="source: 14 lead kindergartens with 31 sites over the 11 streets; "
                                           "the 17 sites beyond the 14 as new: assumption",
                                    doc="new kindergarten sites built")
    kindergarten_m2: float = param(3_600.0, unit="m² per site", lo=500.0, hi=20_000.0, reform=3_600.0,
                                   source="assumption: a 12-class kindergarten of ≈ 300 places",
                                   doc="floor space of a kindergarten site")
    clinic_sites: int = param(0, unit="sites", lo=0, hi=100, reform=0,
                              source="assumption: the source names no new health centres",
                              doc="new community health service centres built")
    clinic_m2: float = param(3_000.0, unit="m² per site", lo=500.0, hi=20_000.0, reform=3_000.0,
                             source="assumption", doc="floor space of a community health centre")
    streets: tuple[str, ...] = param((), reform=GROWTH_STREETS, source="assumption: where the new housing goes",
                                     doc="streets the sites go to (in turn, site by site)")

    def problems(self):
        return need_streets(self, ("school_sites", "kindergarten_sites", "clinic_sites"))

    def apply(self, model, month: int) -> Flows | None:
        if not self.streets:
            return None
        flows = Flows()
        for use, sites, m2 in ((SCHOOL, self.school_sites, self.school_m2),
                               (KINDERGARTEN, self.kindergarten_sites, self.kindergarten_m2),
                               (CLINIC, self.clinic_sites, self.clinic_m2)):
            # The sites due by this month, whole: those the ramp completes this month start now.
            before, now = int(sites * self.share_by(month - 1) + 1e-9), int(sites * self.share_by(month) + 1e-9)
            for site in range(before, now):
                street = model.district.street_index(self.streets[site % len(self.streets)])
                flows += model.projects.start(street, use, m2, public=True, month=month)
        return flows
