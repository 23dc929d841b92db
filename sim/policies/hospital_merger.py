"""Merging public hospitals (公立医院整合)."""

from __future__ import annotations

from dataclasses import dataclass

from sim.params import param
from sim.policies.base import Lever


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
        gain = model.config.uncertainties.merger_efficiency
        model.policy.doctor_productivity = 1.0 + gain * merged * self.share_by(month)
