"""Names of outputs in Chinese and English, and the zones' colours, shared by the CLI tables, the
figures and the web page."""

from __future__ import annotations

METRICS: dict[str, tuple[str, str]] = {
    "residents": ("常住人口", "residents"),
    "employed": ("就业居民", "employed residents"),
    "jobs": ("就业岗位", "jobs"),
    "firms": ("企业数", "firms"),
    "unemployment_rate": ("失业率", "unemployment rate"),
    "jobs_housing_ratio": ("职住比", "jobs–housing ratio"),
    "self_containment": ("就业自足率", "self-containment"),
    "internal_capture": ("岗位本地就业率", "internal capture"),
    "mean_commute_min": ("平均通勤时间（分钟）", "mean commute (min)"),
    "mean_commute_km": ("平均通勤距离（公里）", "mean commute (km)"),
    "share_commute_le_5km": ("5公里内通勤占比", "commutes ≤ 5 km"),
    "share_commute_gt_60min": ("60分钟以上通勤占比", "commutes > 60 min"),
    "excess_commuting": ("过剩通勤", "excess commuting"),
    "approval_days_mean": ("审批天数（工作日）", "approval days (working days)"),
    "approval_days_12m": ("审批天数（近12个月，工作日）", "approval days, last 12 months (working days)"),
    "zone_entries": ("功能区新落地企业", "zone firm entries"),
    "coordination_days": ("协调天数", "coordination days"),
    "zone_worker_commute_min": ("功能区职工通勤（分钟）", "zone workers' commute (min)"),
    "rent_index": ("租金指数", "rent index"),
    "talent_apartment_residents": ("人才公寓入住人数", "talent-apartment residents"),
    "students_per_teacher_primary": ("小学生师比", "primary students per teacher"),
    "students_per_teacher_junior": ("初中生师比", "junior students per teacher"),
    "students_per_teacher_senior": ("高中生师比", "senior students per teacher"),
    "doctors_per_1000": ("每千人医生数", "doctors per 1000"),
    "grid_backlog": ("网格事件积压", "grid-event backlog"),
    "resolution_days": ("网格事件处置天数", "grid-event resolution days"),
    "satisfaction": ("获得感指数", "satisfaction index"),
}


def label(metric: str, lang: str = "both") -> str:
    """A metric's display name: ``zh``, ``en`` or ``both`` (English, then Chinese)."""
    zh, en = METRICS.get(metric, (metric, metric))
    return {"zh": zh, "en": en}.get(lang, f"{en} {zh}")


ZONE_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a")


def zone_colour(zone: int) -> str:
    """The colour of zone ``zone`` (by index) on maps and charts."""
    return ZONE_COLOURS[zone % len(ZONE_COLOURS)]
