"""Merging public hospitals (公立医院整合): fewer sites, pooled doctors."""

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
    mechanism = ("Hospitals merge into others (the data file's merge_into, the last-listed first): their doctors "
                 "and quotas move to the site they join, which closes the merged site — longer trips for the "
                 "streets that used it — while pooled doctors and equipment serve more residents each (the "
                 "efficiency gain is an uncertainty).")
    mechanism_zh = ("医院按数据文件的 merge_into 依次并入其他医院：医生与编制随之转入，"
                    "被并院区关闭——原就诊街道路程变长；共享医生与设备使每名医生服务能力提高（效率增益为不确定参数）。")

    hospitals_after: int = param(7, unit="hospitals", lo=1, hi=7, reform=4,
                                 source="source: 7 public hospitals merged into 4",
                                 doc="public hospitals after the merger (at most the data file's sites)")

    def apply(self, model, month: int) -> None:
        ledger = model.staffing
        sites = ledger.n_hospitals
        to_merge = max(sites - self.hospitals_after, 0)
        merged = round(to_merge * self.share_by(month))
        for site in range(sites - 1, 0, -1):  # the last-listed first
            if sites - sum(ledger.hospital_open) >= merged:
                break
            if ledger.hospital_open[site]:
                ledger.merge_hospital(site)
        gain = model.config.uncertainties.merger_efficiency
        model.policy.doctor_productivity = 1.0 + gain * (sites - sum(ledger.hospital_open)) / max(sites - 1, 1)
