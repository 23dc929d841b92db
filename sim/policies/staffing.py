"""Staffing (编制) reforms: staff to the streets, the quota turnover pool, headcount, hospital merger."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.agents.street import LEVELS
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
        organs = np.array([s.government_posts for s in model.streets])
        for street, posts in zip(model.streets, organs, strict=True):
            street.government_posts -= moved * posts / organs.sum()
            street.staff += moved / len(model.streets)


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
            return [("levels", "list at least one school level when quotas go to schools")]
        return []

    def apply(self, model, month: int) -> None:
        share = self.share_in(month)
        if share <= 0:
            return
        students = np.array([s.students for s in model.streets])  # street × level
        students[:, [level not in self.levels for level in LEVELS]] = 0.0
        residents = np.array([s.residents for s in model.streets])
        teachers = self.quotas * self.education_share * share * students / max(students.sum(), 1.0)
        doctors = self.quotas * (1.0 - self.education_share) * share * residents / max(residents.sum(), 1.0)
        for i, street in enumerate(model.streets):
            extra = self.headcount_share * share if self.headcount_mode else 0.0
            street.teachers += teachers[i] + extra * model.initial_teachers[i]
            street.doctors += doctors[i] + extra * model.initial_doctors[i]


@dataclass(frozen=True)
class HospitalMerger(Lever):
    name = "hospital_merger"
    label = "公立医院整合"
    label_en = "Hospital merger"
    group = "服务"
    mechanism = ("Merging public hospitals pools doctors and equipment: each doctor serves more residents "
                 "(efficiency gain is an uncertainty).")
    mechanism_zh = "公立医院整合共享医生与设备：每名医生服务能力提高（效率增益为不确定参数）。"

    hospitals_after: int = param(7, unit="hospitals", lo=1, hi=7, reform=4,
                                 source="source: 7 public hospitals merged into 4",
                                 doc="public hospitals after the merger")

    def apply(self, model, month: int) -> None:
        before = model.district.public.hospitals
        merged = (before - self.hospitals_after) / max(before - 1, 1)
        model.doctor_productivity = 1.0 + model.config.uncertainties.merger_efficiency * merged * self.share_by(month)
