"""Every string the page shows, in Chinese (the default) and English.

Lever names and mechanisms come from the lever classes (``label``, ``label_en``,
``mechanism_zh``, ``mechanism``), group names from ``sim.policies.GROUPS``, metric names from
``sim.outcomes``; the rest is here. A test
checks that every lever field and every key has both languages.
"""

from __future__ import annotations

from sim.data import builtin_outside
from sim.policies import GROUPS, LEVERS

TEXT: dict[str, tuple[str, str]] = {
    "title": ("成华区产城融合政策模拟", "Chenghua industry–city integration simulator"),
    "subtitle": ("移动政策杠杆，按月推演职住平衡，并与基准情景对比",
                 "Move a policy lever, play the months, compare the jobs–housing balance with a reference"),
    "play": ("播放", "Play"),
    "pause": ("暂停", "Pause"),
    "step": ("单步", "Step"),
    "reset": ("重置", "Reset"),
    "speed": ("速度（月/秒）", "Speed (months/second)"),
    "month": ("第 {month} 月 · {date}", "Month {month} · {date}"),
    "horizon": ("共 {months} 月", "of {months} months"),
    "levers": ("政策杠杆", "Policy levers"),
    "preset": ("预设情景", "Preset scenario"),
    "pending": ("杠杆已修改：点击“重置”后生效", "Levers changed: press Reset to apply"),
    "scenario_now": ("当前情景：{name}", "Current scenario: {name}"),
    "source": ("依据", "source"),
    "mechanism": ("作用机制", "mechanism"),
    "map": ("街道地图", "Street map"),
    "map_metric": ("地图指标", "Map metric"),
    "zones": ("产业功能区", "industrial zones"),
    "charts": ("指标走势", "Indicators over time"),
    "district": ("全区", "district"),
    "standard": ("国家标准", "national standard"),
    "reference": ("参照", "reference"),
    "current": ("当前", "current"),
    "compare": ("对比", "Compare"),
    "pin": ("将当前运行设为参照", "Pin the current run as reference"),
    "unpin": ("清除参照", "Clear the reference"),
    "pinned": ("参照：{name}（{months} 个月）", "Reference: {name} ({months} months)"),
    "no_reference": ("尚未设置参照运行", "No reference run pinned"),
    "export": ("导出", "Export"),
    "download_csv": ("下载本次运行数据（CSV 压缩包）", "Download this run's data (CSV zip)"),
    "download_toml": ("下载当前杠杆设置（情景 TOML）", "Download the lever settings (scenario TOML)"),
    "upload": ("上传情景文件（TOML，最大 64 KB）：点击下方回形针选择文件",
               "Upload a scenario file (TOML, at most 64 KB): click the paper clip below to choose it"),
    "uploaded": ("已载入情景“{name}”：点击“重置”后运行", "Loaded scenario “{name}”: press Reset to run it"),
    "upload_error": ("情景文件有误：{error}", "The scenario file has a problem: {error}"),
    "upload_failed": ("无法读取情景文件“{name}”（{kind}）；请检查文件后重试",
                      "Could not read the scenario file “{name}” ({kind}); check the file and try again"),
    "nothing_yet": ("点击“单步”或“播放”开始模拟", "Press Step or Play to start"),
    "done": ("已到模拟终点", "The run has reached its horizon"),
    "month_axis": ("月", "month"),
    "teachers_chart": ("生师比（学生/教师）", "Students per teacher"),
    "scale_note": ("每行代表 {scale} 人；数值均折算为全区人数",
                   "each row stands for {scale} persons; figures are in persons"),
    "life_line": ("一位居民的生活轨迹", "One resident's life line"),
    "another_person": ("换一位居民", "Another resident"),
    "life_intro": ("居民 #{person}（{entry}，{age}）：现住{home}，{job}",
                   "Resident #{person} ({entry}, {age}): lives in {home}, {job}"),
    "life_job": ("在{place}工作，单程通勤 {minutes:.0f} 分钟", "works in {place}, {minutes:.0f} min one way"),
    "life_no_job": ("没有工作", "no job"),
    "life_note": ("随机抽样居民中经历最多的人排在前面；每行代表 {scale} 人",
                  "the sampled residents with the most events come first; each row stands for {scale} persons"),
    "life_none": ("这位居民本期尚无变化", "Nothing has happened to this resident yet"),
    "life_empty": ("点击“单步”或“播放”后可查看", "Press Step or Play to follow a resident"),
    "life_commute": ("通勤时间（分钟）", "commute (min)"),
    "life_satisfaction": ("获得感", "satisfaction"),
    "life_date": ("日期", "date"),
    "life_event": ("事件", "event"),
    "life_home": ("住址", "home"),
    "life_work": ("工作地", "workplace"),
}

# The person panel's codes (sim.panel) in words.
PANEL_ZH = {
    "born": "出生", "arrived": "迁入", "moved": "搬家", "job_found": "找到工作", "job_changed": "换工作",
    "job_lost": "失去工作", "died": "去世", "left": "迁出", "initial": "原住居民", "came_of_age": "成年",
    "retired": "退休",
    "child": "儿童", "working": "劳动年龄", "elderly": "老年",
    "market": "商品房", "resettlement": "安置房", "talent": "人才公寓", "village": "农村住房",
}
PANEL_EN = {"job_found": "found a job", "job_changed": "changed job", "job_lost": "lost the job",
            "came_of_age": "came of age",
            "initial": "living here in 2019", "working": "working age", "market": "market housing",
            "resettlement": "resettlement housing", "talent": "talent apartment", "village": "village housing"}

UNITS_ZH = {
    "month": "月", "months": "个月", "items": "项", "departments": "个部门", "share": "比例", "m²": "平方米",
    "units": "套", "courtyards": "个院落", "persons": "人", "quotas": "个编制", "hospitals": "家", "km": "公里",
    "parks": "个公园", "households per unit": "户/套", "institutions": "家", "million yuan a year": "百万元/年",
    "roads": "条", "share per road": "比例/条", "sites": "个", "m² per site": "平方米/个", "": "",
}

# Chinese names of lever fields (the English ones are the classes' field docs).
FIELDS_ZH: dict[str, str] = {
    "start_month": "开始月份（1 = 模拟第一个月）",
    "ramp_months": "推进月数（在此期间逐步交付或开工）",
    "approval.items": "工程建设项目审批事项数",
    "approval.departments": "参与审批的部门数",
    "approval.one_window_share": "“一窗办”服务占比",
    "approval.online_share": "“网上办”服务占比",
    "approval.full_agency": "重大项目全程代办",
    "approval.service_centre": "功能区政务分中心（在功能区内办理审批）",
    "zone_alignment.whole_street": "功能区整建制覆盖街道",
    "zone_alignment.street_duties_moved": "街道招商引资与协税职能移交部门",
    "zone_alignment.merge_month": "撤销街道并入承接街道的月份（0 = 不调整）",
    "committee.attraction_share": "管委会招商引资时间占比",
    "committee.construction_share": "管委会项目建设时间占比",
    "committee.coordination_share": "管委会协调服务时间占比",
    "committee.joint_attraction": "联合招商",
    "industrial_space.factory_m2": "新增标准厂房面积",
    "industrial_space.office_m2": "新增专业楼宇面积",
    "industrial_space.streets": "建设街道（平均分配）",
    "talent_apartments.floor_m2": "人才公寓面积",
    "talent_apartments.streets": "人才公寓所在街道（平均分配）",
    "talent_apartments.rent_discount": "租金优惠（相对市场租金）",
    "talent_apartments.eligibility": "申请资格",
    "resettlement.units": "安置房套数",
    "resettlement.streets": "安置房所在街道（平均分配）",
    "resettlement.cleared_per_unit": "每套安置房对应的征地拆迁户数",
    "resettlement.renewal_m2": "危旧房改造面积",
    "resettlement.courtyards": "老旧院落改造数",
    "resettlement.renewal_streets": "改造所在街道（平均分配）",
    "resettlement.displaced_share": "改造期间需搬离的住户比例",
    "resettlement.works_months": "改造工期（月）",
    "street_staff.staff": "区级机关下沉街道人数",
    "smart_governance.centre_staff": "智慧治理中心编制（来自区级机关）",
    "smart_governance.sensor_coverage": "智慧治理系统覆盖的网格比例",
    "quota_pool.institutions": "撤销事业单位数",
    "quota_pool.quotas": "撤销单位释放并调配的编制数",
    "quota_pool.education_share": "调配给教育的比例（其余给卫生）",
    "quota_pool.levels": "教育编制投向的学段",
    "quota_pool.loan_quotas": "周转池借出的编制数",
    "quota_pool.loan_months": "借用期限（月）",
    "quota_pool.headcount_mode": "实行员额管理",
    "quota_pool.headcount_budget": "员额年度预算",
    "public_facilities.school_sites": "新增中小学办学点",
    "public_facilities.school_m2": "每个办学点建筑面积",
    "public_facilities.kindergarten_sites": "新增幼儿园办学点",
    "public_facilities.kindergarten_m2": "每个幼儿园办学点建筑面积",
    "public_facilities.clinic_sites": "新增社区卫生服务中心",
    "public_facilities.clinic_m2": "每个社区卫生服务中心建筑面积",
    "public_facilities.streets": "设施所在街道（依次分配）",
    "hospital_merger.hospitals_after": "整合后公立医院数",
    "park_city.green_m2": "新增绿地面积",
    "park_city.parks": "新建大型公园数",
    "park_city.greenways_km": "新建绿道长度",
    "park_city.streets": "公园、绿地与绿道所在街道",
    "transport.roads": "新建道路条数",
    "transport.road_streets": "新建道路服务的街道",
    "transport.saving_per_road": "每条道路节省的行车时间比例",
    "transport.metro_month": "地铁开通月份（0 = 无）",
    "transport.metro_streets": "地铁沿线街道",
    "transport.metro_areas": "地铁通达的成都其他片区",
    "transport.metro_saving": "地铁节省的行车时间比例",
}

CHOICES_ZH = {
    "zone_talent": "功能区企业的人才", "talent": "所有人才", "zone_workers": "功能区企业的全部职工",
    "kindergarten": "幼儿园", "primary": "小学", "junior": "初中", "senior": "高中",
}
CHOICES_EN = {"zone_talent": "talent of zone firms", "talent": "any talent", "zone_workers": "any zone worker",
              "kindergarten": "kindergarten", "primary": "primary", "junior": "junior", "senior": "senior"}


def t(key: str, lang: str, **values) -> str:
    """A page string in ``lang``, with ``{placeholders}`` filled."""
    zh, en = TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


def group(name: str, lang: str) -> str:
    """A lever group's name (the groups are named in Chinese in ``sim.policies.GROUPS``)."""
    return name if lang == "zh" else GROUPS[name].capitalize()


def unit(text: str, lang: str) -> str:
    return UNITS_ZH.get(text, text) if lang == "zh" else text


def field_label(lever: str, field: str, doc: str, lang: str) -> str:
    if lang == "en":
        return doc
    return FIELDS_ZH.get(f"{lever}.{field}") or FIELDS_ZH.get(field, doc)


def panel_word(code: str, lang: str) -> str:
    """A person panel's event, entry, age band or tenure in words."""
    return PANEL_ZH.get(code, code) if lang == "zh" else PANEL_EN.get(code, code.replace("_", " "))


def area_name(district, name: str, lang: str) -> str:
    """A sub-area's or an area of the rest of Chengdu's name (as the tables hold them, Chinese) in
    ``lang``: pinyin or the data file's English name."""
    if lang == "zh" or not name:
        return name
    if name in district.street_names:
        return district.street_pinyin[district.street_names.index(name)]
    return next((en for _, zh, en in builtin_outside() if zh == name), name)


def choice(value: str, lang: str) -> str:
    """A choice's label; an area of the rest of Chengdu by its name in the data file."""
    areas = {key: (zh, en) for key, zh, en in builtin_outside()}
    if value in areas:
        return areas[value][0 if lang == "zh" else 1]
    return (CHOICES_ZH if lang == "zh" else CHOICES_EN).get(value, value)


# The built-in scenarios by name (experiments/scenarios/*.toml); only_<lever> is the 2018 baseline
# with that lever family alone.
SCENARIOS = {"baseline_2018": ("2018 年基准（未改革）", "2018 baseline (no reform)"),
             "reform_2019": ("2019 年改革方案（全部杠杆）", "2019 reform package (every lever)")}

# A verdict of sim.comparison in words, and its colour (better green, worse red, same grey).
VERDICTS = {"better": ("显著改善", "clearly better", "#1a7f37"), "same": ("无明显差异", "no clear difference", "#6e7781"),
            "worse": ("显著恶化", "clearly worse", "#cf222e"), "": ("", "", "#6e7781")}


def scenario_title(name: str, lang: str) -> str:
    """A scenario's name as the page and the brief show it: built-in ones in words, others as named."""
    if name in SCENARIOS:
        return SCENARIOS[name][0 if lang == "zh" else 1]
    lever = name.removeprefix("only_")
    if name.startswith("only_") and lever in LEVERS:
        cls = LEVERS[lever]
        return f"仅{cls.label}（2018 年基准之上）" if lang == "zh" else f"{cls.label_en} alone (on the 2018 baseline)"
    return name


def verdict_word(verdict: str, lang: str) -> str:
    zh, en, _ = VERDICTS[verdict]
    return zh if lang == "zh" else en


def verdict_colour(verdict: str) -> str:
    return VERDICTS[verdict][2]
