"""Roads and metro (道路与地铁): new links shorten commutes between streets and to the rest of Chengdu.

The lever's rule is ``TransportPlan``: which streets the new roads serve and how much of their
trips' in-vehicle minutes the roads built so far save, and which streets and areas of the rest
of Chengdu an open metro line links. The policies phase turns it into the commute matrix in force
(``sim.processes.policies.travel_minutes``); every worker's commute follows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.data import builtin_outside
from sim.params import param
from sim.policies.base import Lever, need_streets

FRINGE_STREETS = ("保和", "青龙", "龙潭", "白莲池")  # assumption: the roads went to the urban–rural fringe
LINE_STREETS = ("猛追湾", "府青路", "二仙桥", "青龙", "龙潭")  # assumption: the streets a line serves
# Lines 6 and 8 run on from the district through the centre and Jinniu (6) and to the south-west (8).
LINE_AREAS = ("centre", "west", "hightech")


@dataclass(frozen=True)
class TransportPlan:
    """The transport network in force (set each month by the transport lever)."""

    road_streets: tuple[str, ...] = ()
    road_saving: float = 0.0  # share of in-vehicle minutes saved on trips from or to a road street
    line_streets: tuple[str, ...] = ()  # streets linked by an open metro line
    line_areas: tuple[str, ...] = ()  # keys of the outside areas the line links them with
    line_saving: float = 0.0  # share of in-vehicle minutes saved between the places the line links


@dataclass(frozen=True)
class Transport(Lever):
    name = "transport"
    label = "道路与地铁"
    label_en = "Roads and metro"
    group = "生态"
    mechanism = ("New roads shorten the in-vehicle minutes of trips from or to the streets they serve, as they "
                 "are built; a metro line, once open, shortens trips between the streets it links and to the "
                 "areas of the rest of Chengdu it reaches. Workers' commutes, job and home choices and "
                 "in-commuting follow.")
    mechanism_zh = ("新建道路随建成缩短所服务街道出发或到达的行车时间；地铁开通后缩短沿线街道之间及至其通达的成都"
                    "其他片区的通勤时间。居民通勤、择业择居与外来通勤随之变化。")

    roads: int = param(0, unit="roads", lo=0, hi=1000, reform=91, source="source: 91 roads built",
                       doc="roads built (over the ramp)")
    road_streets: tuple[str, ...] = param((), reform=FRINGE_STREETS,
                                          source="assumption: the urban–rural fringe streets",
                                          doc="streets the new roads serve")
    saving_per_road: float = param(0.001, unit="share per road", lo=0.0, hi=0.01, reform=0.001,
                                   source="assumption: 91 roads save 9% of the in-vehicle minutes",
                                   doc="share of the in-vehicle minutes of trips from or to a served street each "
                                       "road saves (at most half in all)")
    metro_month: int = param(0, unit="month", lo=0, hi=600, reform=24,
                             source="public: Chengdu Metro lines 6 and 8 opened in December 2020 (month 24); "
                                    "which streets they serve: assumption",
                             doc="month a metro line opens through the district (0: none)")
    metro_streets: tuple[str, ...] = param((), reform=LINE_STREETS, source="assumption: the streets the line serves",
                                           doc="streets the line links, with each other and metro_areas")
    metro_areas: tuple[str, ...] = param((), choices=tuple(key for key, _, _ in builtin_outside()), reform=LINE_AREAS,
                                         source="public: line 6 runs on through Jinniu and the centre, line 8 to "
                                                "the south-west; the areas as the data file draws them: assumption",
                                         doc="areas of the rest of Chengdu (keys of the data file's [[outside]]) "
                                             "the line reaches")
    metro_saving: float = param(0.25, unit="share", lo=0.0, hi=0.9, reform=0.25,
                                source="assumption: a metro trip saves a quarter of the in-vehicle minutes",
                                doc="share of in-vehicle minutes the line saves between the streets it links")

    def problems(self):
        out = need_streets(self, ("roads",), "road_streets") + need_streets(self, ("metro_month",), "metro_streets")
        if self.metro_streets and self.metro_month == 0:
            out.append(("metro_month", "set the month the line opens (above 0) when metro_streets are listed",
                        "列出 metro_streets 时须设定开通月份（大于 0）"))
        return out

    def apply(self, model, month: int) -> None:
        line_open = 0 < self.metro_month <= month
        model.policy.transport = TransportPlan(
            road_streets=self.road_streets,
            road_saving=min(self.roads * self.saving_per_road * self.share_by(month), 0.5),
            line_streets=self.metro_streets if line_open else (),
            line_areas=self.metro_areas if line_open else (),
            line_saving=self.metro_saving if line_open else 0.0,
        )
