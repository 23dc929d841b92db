"""Outcomes declared once: every column the model writes, with its unit, Chinese and English
name, definition, which direction is better, and when a cell can be empty.

The recorder writes exactly these columns in this order (``COLUMNS``); sweeps, validation, the
figures, the web page and docs/MODEL.md (``python -m sim.outcomes`` prints its table) read the
names, labels and directions from here. Plain Python: the command line reads it without numpy.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

HIGHER, LOWER, BAND = "higher", "lower", "band"
BALANCED_BAND = (0.8, 1.25)  # a "balanced" jobs–housing ratio, jobs per employed resident (Cervero)

# How a unit reads after a name (Chinese, English); units not listed are not shown (counts, shares).
UNIT_LABELS = {
    "min": ("分钟", "min"),
    "km": ("公里", "km"),
    "working days": ("工作日", "working days"),
    "days": ("天", "days"),
    "yuan per m² a month": ("元/平方米·月", "yuan/m²·month"),
    "yuan a month": ("元/月", "yuan/month"),
    "m²": ("平方米", "m²"),
    "m² per person": ("平方米/人", "m²/person"),
    "per 10k residents": ("每万人", "per 10k residents"),
}


@dataclass(frozen=True)
class Outcome:
    name: str
    unit: str
    zh: str
    en: str
    doc: str  # what it measures
    better: str = ""  # HIGHER, LOWER, BAND (inside BALANCED_BAND), or "" (a level, not a verdict)
    empty: str = ""  # when a cell is empty (no value to measure), and why; "" if never


# Columns that identify a row rather than measure something.
KEYS: dict[str, Outcome] = {o.name: o for o in (
    Outcome("run_id", "", "运行编号", "run id", "the run's number in its output folder"),
    Outcome("scenario", "", "情景", "scenario", "the scenario's name"),
    Outcome("seed", "", "随机种子", "seed", "the run's seed (a sweep's root seed, with seed_spawn_key)"),
    Outcome("seed_spawn_key", "", "种子派生键", "seed spawn key", "the spawn key of a sweep run's SeedSequence",
            empty="a run given a plain seed, not one spawned by a sweep"),
    Outcome("month", "", "月份", "month", "months simulated (1 = the start month)"),
    Outcome("date", "", "日期", "date", "calendar month, YYYY-MM"),
    Outcome("street", "", "街道", "street",
            "the street's Chinese name after the 2019–2020 administrative adjustment (11 streets): the stable key; "
            "a street abolished then is a sub-area of its successor"),
    Outcome("sub_area", "", "片区（调整前街道）", "sub-area (street before the adjustment)",
            "the street before the adjustment (14): the model's spatial unit; the same as street for a street "
            "that stayed", empty="in staffing.csv: a unit of the whole district"),
    Outcome("street_en", "", "街道（拼音）", "street (pinyin)", "the (successor) street's name in pinyin"),
    Outcome("zone", "", "功能区", "zone", "key of the zone whose footprint holds the street",
            empty="in streets.csv: a street outside every zone"),
    Outcome("zone_name", "", "功能区名称", "zone name", "the zone's Chinese name"),
    Outcome("project", "", "项目编号", "project", "the project's number in its run (in the order started)"),
    Outcome("use", "", "用途", "use",
            "what the project builds: office, factory, shop, housing (market), talent (apartments), resettlement"),
    Outcome("developer", "", "开发主体", "developer", "public (started by a lever) or private (a developer)"),
    Outcome("status", "", "状态", "status",
            "delivered, withdrawn, or the stage it is in at the run's end: land, approval, construction"),
    Outcome("sector", "", "行业", "sector",
            "the sector's key in the data file (persons.csv: the employer's)",
            empty="in persons.csv: no job, or a job elsewhere in Chengdu"),
    Outcome("sector_name", "", "行业名称", "sector name", "the sector's Chinese name"),
    Outcome("unit", "", "编制单位", "unit",
            "a unit of the staffing ledger: reserve, organs, approval, centre, institutions, committee:<zone>, "
            "street:<street>, school:<level>:<street>, kindergarten:<street>, clinic:<street>, hospital:<name>"),
    Outcome("unit_kind", "", "单位类别", "unit kind",
            "reserve (quotas freed, not yet re-allocated), organs (district organs and departments), approval "
            "(their engineering-approval staff), centre (smart governance), institutions (public institutions "
            "outside education and health), committee, street, school, kindergarten, clinic (community health "
            "centres), hospital"),
    Outcome("headcount_mode", "", "员额保障模式", "headcount mode",
            "more: basic + headcount (more), the unit's own staff meet less than headcount_basic_share of its "
            "need; less: quota + headcount (less)", empty="a unit with no headcount posts"),
    Outcome("origin", "", "居住地", "origin", "where the commuters live: a street or an area of the rest of Chengdu"),
    # the agent panels (persons.csv, firms.csv): one row per sampled individual and month
    Outcome("person", "", "居民编号", "person",
            "the person's persistent id in its run (given once, in order of arrival, never reused); a row stands for "
            "run.scale persons"),
    Outcome("firm", "", "企业编号", "firm",
            "the firm's persistent id in its run (never reused); a row stands for run.scale firms of its size, or "
            "one large investor"),
    Outcome("entry", "", "来源", "entry",
            "persons: initial (living here at the start), born, arrived (from the rest of Chengdu); firms: initial "
            "or entered"),
    Outcome("entered", "", "进入月份", "month entered",
            "month the person was born or arrived, or the firm opened (0: there at the start); fixed for an id"),
    Outcome("tenure", "", "住房类型", "tenure", "market, resettlement (安置房), talent (人才公寓) or village housing"),
    Outcome("age_band", "", "年龄段", "age band", "child (0–17), working (18–59) or elderly (60+)"),
    Outcome("talent", "", "人才", "talent", "tertiary-educated (1) or not (0)"),
    Outcome("in_labour_force", "", "劳动力", "in the labour force", "1 if in the labour force"),
    Outcome("employer", "", "雇主编号", "employer",
            "the firm id of the person's employer; -1: no job; -2: a job elsewhere in Chengdu"),
    Outcome("workplace", "", "工作地", "workplace",
            "the sub-area (street before the adjustment) or area of the rest of Chengdu of the job",
            empty="no job"),
    Outcome("public", "", "公共单位", "public employer", "1 for a public employer (schools, health, government)"),
    Outcome("large", "", "重大项目", "large investor", "1 for a large investor's firm"),
    Outcome("events", "", "事件", "events",
            "what happened to the individual this month, space-separated: persons born, arrived, came_of_age, "
            "retired, moved, job_found, job_changed, job_lost, died, left; firms entered, relocated, exited (a died, "
            "left or exited row holds the last state)"),
    Outcome("destination", "", "工作地", "destination", "where they work: a street or an area of the rest of Chengdu"),
)}
RUN_KEY = ("run_id", "scenario", "seed", "seed_spawn_key")  # first in every table of a run

_NO_WORKERS = "no employed resident lives in the area"
_NO_APPROVAL = "no application was approved in the period"

MEASURES: dict[str, Outcome] = {o.name: o for o in (
    # people
    Outcome("residents", "persons", "常住人口", "residents", "people living in the area"),
    Outcome("children", "persons", "儿童（0–17岁）", "children (0–17)", "residents aged 0–17"),
    Outcome("working_age", "persons", "劳动年龄人口", "working-age residents", "residents aged 18–59"),
    Outcome("labour_force", "persons", "劳动力", "labour force", "working-age residents in the labour force"),
    Outcome("employed", "persons", "就业居民", "employed residents",
            "residents with a job, in the district or elsewhere in Chengdu"),
    Outcome("employed_residents", "persons", "就业居民", "employed residents",
            "residents of the area with a job anywhere"),
    Outcome("unemployed", "persons", "失业人数", "unemployed", "labour force without a job"),
    Outcome("unemployment_rate", "share", "失业率", "unemployment rate", "unemployed / labour force", LOWER),
    # jobs and firms
    Outcome("jobs", "jobs", "就业岗位", "jobs",
            "filled posts located in the area (in sectors.csv: of the sector), held by residents or in-commuters"),
    Outcome("posts", "posts", "岗位需求", "posts", "posts firms want, filled or open"),
    Outcome("open_posts", "posts", "空缺岗位", "open posts", "posts no one holds"),
    Outcome("firms", "firms", "企业数", "firms", "private firms (public employers aside)"),
    Outcome("large_investors", "firms", "重大项目企业", "large investors", "firms of a large investor (≥ 500 jobs)"),
    # balance
    Outcome("jobs_housing_ratio", "jobs per employed resident", "职住比", "jobs–housing ratio",
            "jobs located in the area / employed residents living there; 0.8–1.25 counts as balanced", BAND,
            _NO_WORKERS),
    Outcome("self_containment", "share", "就业自足率", "self-containment",
            "employed residents working in their own area / employed residents of the area", HIGHER, _NO_WORKERS),
    Outcome("internal_capture", "share", "岗位本地就业率", "internal capture",
            "jobs in the area held by its own residents / jobs in the area", HIGHER, "the area has no jobs"),
    # commuting
    Outcome("mean_commute_min", "min", "平均通勤时间", "mean commute",
            "one-way door-to-door minutes of employed residents (in-commuters aside)", LOWER, _NO_WORKERS),
    Outcome("mean_commute_km", "km", "平均通勤距离", "mean commute distance",
            "one-way network km of employed residents", LOWER, _NO_WORKERS),
    Outcome("share_commute_le_5km", "share", "5公里内通勤占比", "commutes ≤ 5 km",
            "employed residents commuting 5 km or less", HIGHER, _NO_WORKERS),
    Outcome("share_commute_le_45min", "share", "45分钟内通勤占比", "commutes ≤ 45 min",
            "employed residents commuting 45 minutes or less", HIGHER, _NO_WORKERS),
    Outcome("share_commute_gt_60min", "share", "60分钟以上通勤占比", "commutes > 60 min",
            "employed residents commuting over an hour", LOWER, _NO_WORKERS),
    Outcome("zone_worker_commute_min", "min", "功能区职工通勤时间", "zone workers' commute",
            "mean one-way minutes of everyone working at the zone's firms, residents and in-commuters", LOWER,
            "no one works at the zone's firms"),
    Outcome("t_obs", "min", "实际通勤（OD表）", "observed commute T_obs",
            "mean area-to-area minutes of every trip in the OD table (residents and in-commuters)", LOWER,
            "no trips"),
    Outcome("t_min", "min", "最小通勤", "least commute T_min",
            "the least mean the same homes and jobs allow (transportation problem)", empty="no trips"),
    Outcome("t_max", "min", "最大通勤", "most commute T_max",
            "the most mean the same homes and jobs allow", empty="no trips"),
    Outcome("excess_commuting", "share", "过剩通勤", "excess commuting",
            "(T_obs − T_min) / T_obs: the share of commuting the homes and jobs did not require", LOWER,
            "no trips"),
    Outcome("commuting_potential_used", "share", "通勤潜力利用率", "commuting potential used",
            "(T_obs − T_min) / (T_max − T_min)", LOWER, "no trips, or T_max = T_min"),
    Outcome("in_commuters", "persons", "流入通勤者", "in-commuters",
            "people living elsewhere in Chengdu who work in the district"),
    Outcome("out_commuters", "persons", "流出通勤者", "out-commuters",
            "residents working elsewhere in Chengdu"),
    # approvals and zones
    Outcome("approval_days_mean", "working days", "审批天数", "approval days",
            "mean working days of the engineering approvals granted this month (building projects and "
            "committees' investment leads)", LOWER, _NO_APPROVAL),
    Outcome("approval_days_p90", "working days", "审批天数（90%分位）", "approval days, 90th percentile",
            "90th percentile of the working days of the approvals granted this month", LOWER, _NO_APPROVAL),
    Outcome("approval_days_12m", "working days", "近12个月审批天数", "approval days, last 12 months",
            "mean working days of the approvals granted in the last 12 months", LOWER, _NO_APPROVAL),
    Outcome("approvals", "applications", "审批通过数", "approvals",
            "engineering approvals granted this month (building projects and investment leads)"),
    Outcome("pipeline", "applications", "待审批项目", "pipeline", "investment leads waiting or fitting out"),
    Outcome("projects", "projects", "在建项目", "projects in the pipeline",
            "building projects on land, in approval or under construction at month end"),
    Outcome("project_starts", "projects", "新开工项目", "project starts",
            "building projects started this month (public and private)"),
    Outcome("project_withdrawals", "projects", "撤回项目", "project withdrawals",
            "private building projects withdrawn this month (approval outlasted the developer's patience)", LOWER),
    Outcome("floor_space_started", "m²", "新开工面积", "floor space started",
            "floor space of the building projects started this month"),
    Outcome("floor_space_delivered", "m²", "竣工交付面积", "floor space delivered",
            "floor space of the building projects delivered this month"),
    Outcome("m2", "m²", "建筑面积", "floor space", "the project's floor space"),
    Outcome("vacancy_rate", "share", "岗位空缺率", "vacancy rate", "open posts / posts of the sector's firms"),
    Outcome("wage_index", "index", "工资指数", "wage index",
            "the sector's wage offers relative to the start (public pay scales stay at 1)"),
    Outcome("wage_offer", "yuan a month", "平均工资报价", "mean wage offer",
            "mean monthly wage the sector's firms offer a non-talent hire (talent earn the premium on top)"),
    Outcome("talent_premium", "ratio", "人才工资溢价", "talent premium",
            "wage of a post that needs a degree over a non-talent post's, new hires (follows talent's scarcity)"),
    Outcome("month_started", "month", "开工月份", "month started",
            "month the project started (its land stage); ≤ 0 for the projects under way at the start"),
    Outcome("month_applied", "month", "申请审批月份", "month applied",
            "month it applied for engineering approval (≤ 0: before the run)",
            empty="still on its land"),
    Outcome("approval_days", "working days", "审批天数", "approval days",
            "working days its engineering approval needed", empty="still on its land"),
    Outcome("month_approved", "month", "审批通过月份", "month approved",
            "month its approval was granted (≤ 0: before the run)",
            empty="not (yet) approved"),
    Outcome("month_ended", "month", "结束月份", "month ended", "month it was delivered or withdrawn",
            empty="still in the pipeline at the run's end"),
    Outcome("zone_firms", "firms", "功能区企业数", "zone firms", "private firms inside the zone"),
    Outcome("zone_talent_living_in_zone", "persons", "功能区企业人才区内居住", "zone talent living in the zone",
            "tertiary-educated residents working at the zone's firms who live in the zone's streets", HIGHER),
    Outcome("zone_firm_jobs", "jobs", "功能区企业岗位", "zone firms' jobs", "filled posts of the zone's firms"),
    Outcome("coverage", "share", "功能区覆盖率", "coverage",
            "mean share of the zone's footprint streets inside the zone"),
    Outcome("coordination_days", "working days", "协调天数", "coordination days",
            "committee–street coordination each of the zone's applications needs", LOWER),
    # flows of the month
    Outcome("births", "persons", "出生", "births", "children born this month"),
    Outcome("deaths", "persons", "死亡", "deaths", "residents who died this month"),
    Outcome("in_migrants", "persons", "迁入", "in-migrants", "people who moved into the district this month"),
    Outcome("out_migrants", "persons", "迁出", "out-migrants", "residents who left the district this month"),
    Outcome("moves", "persons", "区内搬迁", "moves", "residents who moved home within the district"),
    Outcome("displaced", "persons", "被搬迁", "displaced",
            "residents ordered out of their homes this month (land cleared, housing renewed)"),
    Outcome("rehoused", "persons", "已安置", "rehoused", "displaced residents who found a new home this month"),
    Outcome("entries", "firms", "新设企业", "firm entries", "firms registered this month (no engineering approval)"),
    Outcome("exits", "firms", "退出企业", "firm exits", "private firms that closed this month"),
    Outcome("firm_relocations", "firms", "企业迁址", "firm relocations",
            "private firms that moved to another street this month (their workers keep their jobs)"),
    Outcome("zone_entries", "firms", "功能区新落地企业", "zone firm entries",
            "approved zone firms that opened this month"),
    Outcome("withdrawals", "applications", "撤回申请", "withdrawals",
            "applications withdrawn this month (waited too long, or no room)", LOWER),
    Outcome("hires", "persons", "入职", "hires", "residents who took a job at a district firm this month"),
    Outcome("separations", "persons", "离职（非自愿）", "separations", "workers who lost their job this month"),
    Outcome("talent_incomers", "persons", "人才公寓迁入", "talent incomers",
            "in-commuters who moved into a talent apartment this month"),
    Outcome("resettlement_delivered", "places", "安置房交付", "resettlement delivered",
            "resettlement places delivered this month"),
    Outcome("villagers_resettled", "persons", "村民安置", "villagers resettled",
            "villagers who moved from collective land into the resettlement housing delivered for them this month"),
    Outcome("village_residents", "persons", "集体土地村民", "villagers on collective land",
            "residents of villagers' houses on collective land (集体土地)"),
    Outcome("firm_entries", "firms", "新进入企业", "firm entries", "firms that opened in the street this month"),
    Outcome("moves_in", "persons", "迁入本街道", "moves in", "residents who moved into the street this month"),
    # housing
    Outcome("awaiting_rehousing", "persons", "待安置", "awaiting rehousing",
            "displaced residents who have not yet found a new home", LOWER),
    Outcome("resettlement_residents", "persons", "安置房住户", "resettlement residents",
            "residents of resettlement units"),
    Outcome("rent", "yuan per m² a month", "租金", "rent", "market rent"),
    Outcome("rent_index", "index", "租金指数", "rent index",
            "market rents weighted by occupied market places, relative to the start (1 = as then)"),
    Outcome("occupancy_market", "share", "商品住房入住率", "market occupancy", "occupied / market places"),
    Outcome("occupancy_resettlement", "share", "安置房入住率", "resettlement occupancy",
            "occupied / resettlement places", HIGHER),
    Outcome("resettlement_places", "places", "安置房容量", "resettlement places", "resettlement places (persons)"),
    Outcome("talent_apartment_places", "places", "人才公寓容量", "talent-apartment places",
            "talent-apartment places (persons)"),
    Outcome("talent_apartment_residents", "persons", "人才公寓入住人数", "talent-apartment residents",
            "residents of talent apartments"),
    Outcome("talent_apartment_eligible", "persons", "人才公寓符合条件人数", "talent-apartment eligible",
            "residents the rule in force admits to a talent apartment somewhere"),
    Outcome("office_m2", "m²", "办公面积", "office floor space", "office floor space"),
    Outcome("factory_m2", "m²", "厂房面积", "factory floor space", "factory floor space"),
    Outcome("shop_m2", "m²", "商铺面积", "shop floor space", "shop floor space"),
    Outcome("rent_office", "yuan per m² a month", "办公租金", "office rent", "office rent"),
    Outcome("rent_factory", "yuan per m² a month", "厂房租金", "factory rent", "factory rent"),
    Outcome("rent_shop", "yuan per m² a month", "商铺租金", "shop rent", "shop rent"),
    Outcome("vacancy_office", "share", "办公空置率", "office vacancy", "share of office floor space no firm uses"),
    Outcome("vacancy_factory", "share", "厂房空置率", "factory vacancy",
            "share of factory floor space no firm uses"),
    Outcome("vacancy_shop", "share", "商铺空置率", "shop vacancy", "share of shop floor space no firm uses"),
    Outcome("housing_places", "places", "商品住房容量", "market housing places",
            "persons market housing can house"),
    Outcome("land_left_m2", "m²", "可开发建筑面积", "developable floor area left",
            "floor area private developers may still build, all uses"),
    # services
    Outcome("students_per_teacher_primary", "students per teacher", "小学生师比", "primary students per teacher",
            "primary students / primary teachers (national staffing standard 19)", LOWER),
    Outcome("students_per_teacher_junior", "students per teacher", "初中生师比", "junior students per teacher",
            "junior-secondary students / teachers (standard 13.5)", LOWER),
    Outcome("students_per_teacher_senior", "students per teacher", "高中生师比", "senior students per teacher",
            "senior-secondary students / teachers (standard 12.5)", LOWER),
    Outcome("teachers", "persons", "教师数", "teachers", "teachers of all levels"),
    Outcome("school_places", "places", "中小学学位", "school places",
            "places (学位) of the primary, junior and senior schools"),
    Outcome("kindergarten_places", "places", "幼儿园学位", "kindergarten places", "kindergarten places"),
    Outcome("kindergarten_waiting", "children", "未入园幼儿", "children without a kindergarten place",
            "children of kindergarten age (3–5) beyond the kindergarten places", LOWER),
    Outcome("education_access", "share", "学位可及性", "access to a place",
            "mean over kindergarten and the three school levels of min(1, places / pupils)", HIGHER),
    Outcome("clinics", "centres", "社区卫生服务中心", "community health centres",
            "community health service centres (each covers up to residents_per_clinic residents)"),
    Outcome("doctors_per_1000", "per 1000 residents", "每千人医生数", "doctors per 1000",
            "public-hospital doctors per 1000 residents, weighted by the merger's productivity (streets: of the "
            "hospital the street uses, over the residents that hospital serves)", HIGHER),
    Outcome("places_primary", "places", "小学学位", "primary places", "primary-school places (学位)"),
    Outcome("places_junior", "places", "初中学位", "junior places", "junior-secondary places"),
    Outcome("places_senior", "places", "高中学位", "senior places", "senior-secondary places"),
    Outcome("enrolled_primary", "pupils", "小学在校生", "primary enrolment",
            "primary-age children (6 of the 18 years 0–17) within the street's primary places"),
    Outcome("enrolled_junior", "pupils", "初中在校生", "junior enrolment",
            "junior-age children (3 of 18 years) within the junior places"),
    Outcome("enrolled_senior", "pupils", "高中在校生", "senior enrolment",
            "senior-age children in general senior school (3 of 18 years × 75%) within the senior places"),
    Outcome("kindergarten_enrolled", "children", "在园幼儿", "kindergarten enrolment",
            "children aged 3–5 within the kindergarten places"),
    Outcome("children_per_kindergarten_teacher", "children per teacher", "幼儿园生师比",
            "children per kindergarten teacher", "enrolled kindergarten children / kindergarten teachers", LOWER),
    Outcome("hospital_minutes", "min", "到医院时间", "minutes to a hospital",
            "minutes to the public hospital the street uses: its nearest at the start, or the site that one "
            "merged into (district: resident-weighted)", LOWER),
    Outcome("service_case_days", "days", "便民服务办理天数", "convenience-service days",
            "days a case takes at the street's convenience-service centre (district: resident-weighted)", LOWER),
    Outcome("street_staff", "persons", "街道工作人员", "street staff", "the streets' own staff in post (编制)"),
    Outcome("approval_utilisation", "share", "审批人员负荷", "approval staff load",
            "item workload arriving a month (smoothed) over the approval staff's capacity", LOWER),
    Outcome("headcount", "persons", "员额人数", "headcount posts", "headcount posts (员额) in education and health"),
    Outcome("quotas_on_loan", "quotas", "周转池借用编制", "quotas on loan",
            "quotas the turnover pool has lent to education and health"),
    Outcome("institutions_abolished", "institutions", "撤销事业单位", "institutions abolished",
            "public institutions abolished so far (their quotas freed, their functions ended)"),
    Outcome("hospitals_open", "hospitals", "公立医院数", "public hospitals", "public hospital sites open"),
    Outcome("quotas", "quotas", "编制数", "quotas",
            "quotas (编制) the unit holds (the reserve: freed, not re-allocated)"),
    Outcome("lent", "quotas", "周转借用", "borrowed (+) or lent (−)",
            "quotas the unit borrowed from the turnover pool (+) or lent to it (−)"),
    Outcome("staff", "persons", "在岗人数", "staff in post", "quotas + borrowed − lent + headcount"),
    Outcome("need", "persons", "核定需求", "staff need",
            "education: enrolled pupils at the national standard; health centres: their centres × "
            "staff_per_clinic; hospitals: residents served at the data's doctors per 1000",
            empty="a unit outside education and health"),
    Outcome("time_grid", "share", "网格治理时间", "time on grid governance", "street staff time on grid governance",
            empty="not a street"),
    Outcome("time_services", "share", "便民服务时间", "time on convenience services",
            "street staff time on convenience services", empty="not a street"),
    Outcome("time_investment", "share", "招商与协税时间", "time on investment and tax",
            "street staff time on investment attraction and tax assistance (0 once the duties move)",
            empty="not a street"),
    Outcome("time_attraction", "share", "招商引资时间", "time on attraction",
            "committee staff time on investment attraction",
            empty="not a committee"),
    Outcome("time_construction", "share", "项目建设时间", "time on construction",
            "committee staff time on project construction", empty="not a committee"),
    Outcome("time_coordination", "share", "日常协调时间", "time on coordination",
            "committee staff time on coordination and services", empty="not a committee"),
    Outcome("staff_per_10k", "per 10k residents", "街道工作人员密度", "street staff density",
            "the street government's staff per 10,000 residents it serves (after a merger: of the merged street)"),
    Outcome("grid_events", "events", "网格事件", "grid events", "grid events (网格事件) reported this month"),
    Outcome("grid_backlog", "events", "网格事件积压", "grid-event backlog", "open grid events at month end", LOWER),
    Outcome("resolution_days", "days", "网格事件处置天数", "grid-event resolution days",
            "days to resolve a grid event (district: resident-weighted)", LOWER),
    Outcome("green_m2_per_person", "m² per person", "人均绿地", "green space per person",
            "green space per resident", HIGHER),
    Outcome("parks", "parks", "大型公园", "large parks", "large parks opened in the street"),
    Outcome("service_quality", "score 0–1", "公共服务质量", "service quality",
            "mean of education (school staffing vs the standard × access to a place), health (doctors vs the "
            "data's level, health-centre coverage and minutes to a hospital) and governance (grid resolution and "
            "convenience-service days)", HIGHER),
    Outcome("wage", "yuan a month", "工资", "wage",
            "persons: the monthly wage of the job (0 without one); firms: the wage of a non-talent post"),
    Outcome("commute_min", "min", "通勤时间", "commute", "one-way minutes to work (0 without a job)"),
    Outcome("commute_km", "km", "通勤距离", "commute distance", "one-way km to work (0 without a job)"),
    Outcome("age_months", "months", "企业年龄", "firm age", "months since the firm opened (capped)"),
    Outcome("satisfaction", "score 0–100", "获得感指数", "satisfaction index",
            "residents' mean 获得感 (work, commute, housing cost, services and green space)", HIGHER,
            "no residents"),
    # the OD table
    Outcome("commuters", "persons", "通勤人数", "commuters",
            "people living in the origin and working in the destination"),
    Outcome("minutes", "min", "通勤时间", "minutes", "door-to-door minutes from origin to destination"),
    Outcome("km", "km", "通勤距离", "km", "network km from origin to destination"),
)}

# Each table's columns after the run's key, in the order written.
COLUMNS: dict[str, tuple[str, ...]] = {
    "model": (
        "month", "date", "residents", "children", "working_age", "labour_force", "employed", "unemployed",
        "unemployment_rate", "jobs", "posts", "open_posts", "firms", "large_investors", "jobs_housing_ratio",
        "self_containment", "mean_commute_min", "mean_commute_km", "share_commute_le_5km", "share_commute_le_45min",
        "share_commute_gt_60min", "t_obs", "t_min", "t_max", "excess_commuting", "commuting_potential_used",
        "approval_days_mean", "approval_days_p90", "approval_days_12m", "approvals", "pipeline", "projects",
        "project_starts", "project_withdrawals", "floor_space_started", "floor_space_delivered", "in_commuters",
        "out_commuters", "births", "deaths", "in_migrants", "out_migrants", "moves", "displaced", "rehoused",
        "entries", "exits", "firm_relocations", "zone_entries", "withdrawals", "hires", "separations",
        "talent_incomers",
        "resettlement_delivered", "villagers_resettled", "awaiting_rehousing", "resettlement_residents",
        "village_residents", "rent_index", "occupancy_market",
        "occupancy_resettlement", "talent_apartment_places", "talent_apartment_residents",
        "talent_apartment_eligible", "resettlement_places", "students_per_teacher_primary",
        "students_per_teacher_junior", "students_per_teacher_senior", "teachers", "school_places",
        "kindergarten_places", "kindergarten_waiting", "doctors_per_1000", "hospitals_open", "hospital_minutes",
        "street_staff", "grid_events", "grid_backlog", "resolution_days", "service_case_days",
        "approval_utilisation", "headcount", "quotas_on_loan", "institutions_abolished", "satisfaction",
    ),
    "streets": (
        "month", "street", "street_en", "sub_area", "zone", "residents", "employed_residents", "jobs",
        "jobs_housing_ratio",
        "self_containment", "internal_capture", "mean_commute_min", "mean_commute_km", "rent", "rent_index",
        "occupancy_market", "resettlement_places", "village_residents", "talent_apartment_places",
        "talent_apartment_residents", "firms",
        "firm_entries", "moves_in", "housing_places", "office_m2", "factory_m2", "shop_m2", "rent_office",
        "rent_factory", "rent_shop", "vacancy_office", "vacancy_factory", "vacancy_shop", "land_left_m2",
        "students_per_teacher_primary",
        "students_per_teacher_junior", "students_per_teacher_senior", "school_places", "places_primary",
        "places_junior", "places_senior", "enrolled_primary", "enrolled_junior", "enrolled_senior",
        "kindergarten_places", "kindergarten_enrolled", "kindergarten_waiting", "children_per_kindergarten_teacher",
        "education_access", "doctors_per_1000", "hospital_minutes", "clinics", "grid_backlog",
        "resolution_days", "service_case_days", "staff_per_10k", "green_m2_per_person", "parks", "service_quality",
        "satisfaction",
    ),
    "zones": (
        "month", "zone", "zone_name", "jobs", "employed_residents", "jobs_housing_ratio", "self_containment",
        "internal_capture", "mean_commute_min", "rent_index", "zone_worker_commute_min", "zone_firms",
        "zone_entries", "zone_firm_jobs", "coverage", "coordination_days", "approval_days_mean", "pipeline",
        "talent_apartment_places", "talent_apartment_residents", "zone_talent_living_in_zone",
    ),
    "od": ("month", "origin", "destination", "commuters", "minutes", "km"),
    "sectors": ("month", "sector", "sector_name", "jobs", "posts", "open_posts", "vacancy_rate", "wage_index",
                "wage_offer", "talent_premium"),
    "staffing": ("month", "unit", "unit_kind", "street", "sub_area", "zone", "quotas", "lent", "headcount", "staff",
                 "need", "headcount_mode", "time_grid", "time_services", "time_investment", "time_attraction",
                 "time_construction", "time_coordination"),
    "projects": ("project", "street", "street_en", "sub_area", "zone", "use", "developer", "m2", "month_started",
                 "month_applied", "approval_days", "month_approved", "status", "month_ended"),
    "persons": ("month", "date", "person", "entry", "entered", "street", "sub_area", "tenure", "age_band", "talent",
                "in_labour_force", "employer", "workplace", "sector", "wage", "commute_min", "commute_km",
                "satisfaction", "events"),
    "firms": ("month", "date", "firm", "entry", "entered", "street", "sub_area", "zone", "sector", "public", "large",
              "posts", "jobs", "wage", "age_months", "events"),
}
TABLES = tuple(COLUMNS)  # model.csv, streets.csv, zones.csv, od.csv, sectors.csv, staffing.csv, projects.csv,
# persons.csv, firms.csv
PANELS = ("persons", "firms")  # the agent panels: sampled individuals month by month
# The district flows of the month (``sim.flows.Flows``), as model.csv holds them.
FLOWS = ("births", "deaths", "in_migrants", "out_migrants", "moves", "displaced", "rehoused", "entries", "exits",
         "firm_relocations",
         "zone_entries", "withdrawals", "hires", "separations", "talent_incomers", "resettlement_delivered",
         "project_starts", "project_withdrawals", "floor_space_started", "floor_space_delivered", "villagers_resettled")


def measures(table: str) -> tuple[str, ...]:
    """The measured columns of a table (its keys aside)."""
    return tuple(c for c in COLUMNS[table] if c in MEASURES)


def column(name: str) -> Outcome:
    """The declaration of a column (a measure or a key); ``KeyError`` if there is none."""
    return MEASURES[name] if name in MEASURES else KEYS[name]


def shown_scale(name: str) -> float:
    """The factor a measure is shown at: shares in per cent (100), everything else as it is (1)."""
    return 100.0 if name in MEASURES and MEASURES[name].unit == "share" else 1.0


def axis_top(name: str) -> float | None:
    """The top of a chart's value axis, whose bottom is always 0 (so that noise does not look like
    an effect): 100 for shares (in %) and 0–100 scores, otherwise left to the data (``None``)."""
    if shown_scale(name) == 100.0 or (name in MEASURES and MEASURES[name].unit == "score 0–100"):
        return 100.0
    return None


def label(name: str, lang: str = "both") -> str:
    """A column's display name with its unit: ``zh``, ``en`` or ``both`` (English, then Chinese);
    an undeclared name is shown as it is."""
    if name not in MEASURES and name not in KEYS:
        return name
    o = column(name)
    zh_unit, en_unit = UNIT_LABELS.get(o.unit, ("", ""))
    zh = o.zh + (f"（{zh_unit}）" if zh_unit else "")
    en = o.en + (f" ({en_unit})" if en_unit else "")
    return {"zh": zh, "en": en}.get(lang, f"{en} {zh}")


def ordered(table: str, values: dict) -> dict:
    """A row of ``table`` in its declared column order; ``ValueError`` if the recorder made a
    column that is not declared (a declared one missing is a ``KeyError``)."""
    names = COLUMNS[table]
    if len(values) != len(names):
        raise ValueError(f"{table}: undeclared columns {sorted(set(values) - set(names))}")
    return {name: values[name] for name in names}


def markdown() -> str:
    """The table of every table's columns, for docs/MODEL.md (``python -m sim.outcomes``)."""
    better = {HIGHER: "higher", LOWER: "lower", BAND: "0.8–1.25", "": ""}
    lines = ["| column | tables | unit | 中文 | what it measures | better | empty when |",
             "|---|---|---|---|---|---|---|"]
    names = list(dict.fromkeys(c for cols in COLUMNS.values() for c in cols))
    for name in [*RUN_KEY, *names]:
        o = column(name)
        tables = "all" if name in RUN_KEY else ", ".join(t for t, cols in COLUMNS.items() if name in cols)
        lines.append(f"| `{name}` | {tables} | {o.unit} | {o.zh} | {o.doc} | {better[o.better]} | {o.empty} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.stdout.write(markdown() + "\n")
