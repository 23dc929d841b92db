"""The quota turnover pool (编制周转池) and headcount management (员额管理) for schools and hospitals."""

from __future__ import annotations

from dataclasses import dataclass

from sim.categories import LEVELS
from sim.params import param
from sim.policies.base import Lever


@dataclass(frozen=True)
class QuotaPool(Lever):
    name = "quota_pool"
    label = "编制周转池与员额管理"
    label_en = "Quota turnover pool and headcount"
    group = "服务"
    mechanism = ("Quotas from abolished institutions go through the turnover pool to teachers of the chosen levels "
                 "(where students are) and doctors (where residents are); headcount mode adds posts beside the quotas.")
    mechanism_zh = "撤并事业单位的编制经周转池调剂给教师（按学生分布）和医生（按人口分布）；员额管理在编制外增加岗位。"

    quotas: int = param(0, unit="quotas", lo=0, hi=5000, reform=240,
                        source="source: 9 institutions abolished, 240+ quotas re-allocated",
                        doc="quotas re-allocated through the turnover pool")
    education_share: float = param(0.7, unit="share", lo=0.0, hi=1.0, reform=0.7,
                                   source="assumption: the source names education and health",
                                   doc="share of pooled quotas going to schools (the rest to hospitals)")
    levels: tuple[str, ...] = param(LEVELS, choices=LEVELS, reform=LEVELS,
                                    source="assumption: all school levels",
                                    doc="school levels the education quotas go to (by their students)")
    headcount_mode: bool = param(False, reform=True, source="source: headcount (员额) control beside quotas",
                                 doc="schools and hospitals may hire headcount posts beside their quotas")
    headcount_share: float = param(0.04, unit="share", lo=0.0, hi=0.5, reform=0.04,
                                   source="assumption", doc="headcount posts as a share of quota staff")

    def problems(self):
        if self.quotas > 0 and self.education_share > 0 and not self.levels:
            return [("levels", "list at least one school level when quotas go to schools",
                     "编制调剂给学校时至少列出一个学段")]
        return []

    def apply(self, model, month: int) -> None:
        share = self.share_in(month)
        if share <= 0:
            return
        streets = model.streets
        students = streets.students * [level in self.levels for level in LEVELS]  # street × level, chosen levels
        residents = streets.residents()
        teachers = self.quotas * self.education_share * share * students / max(students.sum(), 1.0)
        doctors = self.quotas * (1.0 - self.education_share) * share * residents / max(residents.sum(), 1.0)
        extra = self.headcount_share * share if self.headcount_mode else 0.0
        streets.add_teachers(teachers + extra * streets.teachers_start)
        streets.add_doctors(doctors + extra * streets.doctors_start)
