"""Every string the page shows, in Chinese (the default) and English.

Lever names and mechanisms come from the lever classes (``label``, ``label_en``,
``mechanism_zh``, ``mechanism``), group names from ``sim.policies.GROUPS``, metric names from
``sim.outcomes``; the rest is here. A test
checks that every lever field and every key has both languages.
"""

from __future__ import annotations

import math
from pathlib import Path

from sim import outcomes
from sim.data import builtin_outside
from sim.policies import GROUPS, LEVERS

TEXT: dict[str, tuple[str, str]] = {
    "title": ("成华区产城融合政策模拟", "Chenghua industry–city integration simulator"),
    "play": ("播放", "Play"),
    "pause": ("暂停", "Pause"),
    "step": ("单步", "Step"),
    "reset": ("重置", "Reset"),
    "speed": ("速度：每秒 {speed} 个月", "Speed: {speed} months a second"),
    "month": ("第 {month} 月 · {date}", "Month {month} · {date}"),
    "horizon": ("共 {months} 月", "of {months} months"),
    "view_month": ("正在查看：{date}", "Looking at: {date}"),
    "view_latest": ("正在查看：最新月份", "Looking at: the latest month"),
    "latest": ("回到最新月份", "Back to the latest month"),
    "levers": ("政策杠杆", "Policy levers"),
    "preset": ("预设情景", "Preset scenario"),
    "pending": ("杠杆已修改：点击“重置”后生效", "Levers changed: press Reset to apply"),
    "scenario_now": ("当前情景（方案 B）：{name} · {seeds} 个随机种子 · 每行代表 {scale} 人，数值均折算为全区人数",
                     "Current scenario (B): {name} · {seeds} seeds · each row stands for {scale} persons; figures are "
                     "in persons"),
    "mechanism": ("作用机制", "mechanism"),
    "range": ("输入数值（范围 {lo}–{hi}）", "Type a value (range {lo}–{hi})"),
    "map": ("街道地图", "Street map"),
    "map_metric": ("地图指标", "Map metric"),
    "map_click": ("点击街道查看该街道的走势", "Click a street to see its trends"),
    "street_trends": ("{street}的走势", "Trends of {street}"),
    "street_chosen": ("已选街道：{street}", "Street chosen: {street}"),
    "close": ("关闭", "Close"),
    "zones": ("产业功能区", "industrial zones"),
    "charts": ("指标走势", "Indicators over time"),
    "band_note": ("实线为 {seeds} 个随机种子的均值，阴影为 95% 置信区间；虚线为参照情景；紫色点线为杠杆开始实施的月份",
                  "Lines: the mean of {seeds} seeds, shaded: the 95% interval; dashed: the reference; purple dotted: "
                  "months where levers start"),
    "district": ("全区", "district"),
    "standard": ("国家标准", "national standard"),
    "reference": ("参照", "reference"),
    "current": ("当前方案", "current"),
    "balanced_band": ("平衡区间 0.8–1.25", "balanced 0.8–1.25"),
    "metro_opens": ("地铁开通", "metro opens"),
    "teachers_chart": ("生师比（学生/教师）", "Students per teacher"),
    "not_started": ("尚未开始：点击“单步”或“播放”", "not started: press Step or Play"),
    "ci": ("±{half}（95% 区间）", "±{half} (95% interval)"),
    "vs_reference": ("比参照", "vs reference"),
    "verdict_legend": ("与参照情景相比（{seeds} 个相同随机种子的配对差值，95% 区间）：",
                       "Against the reference ({seeds} paired seeds, 95% interval):"),
    "compare": ("情景对比：参照 A 与当前方案 B", "Compare: reference A and the current scenario B"),
    "reference_preset": ("参照情景 A（预设）", "Reference A (preset)"),
    "pin": ("以当前杠杆为参照", "Use the current levers as reference"),
    "reference_upload": ("或上传参照情景文件：", "or upload a reference scenario file:"),
    "unpin": ("清除参照", "Clear the reference"),
    "reference_running": ("正在计算参照情景（{done}%）：按相同随机种子运行至终点",
                          "Running the reference on the same seeds to the horizon ({done}%)"),
    "reference_is": ("参照 A：{name}（{seeds} 个随机种子，{months} 个月，已算至终点）",
                     "Reference A: {name} ({seeds} seeds, {months} months, run to the horizon)"),
    "run_compare": ("运行至终点并对比", "Run to the horizon and compare"),
    "run_contributions": ("计算各杠杆的单独贡献（较慢）", "Compute each lever's contribution (slower)"),
    "compare_running": ("正在把方案 B 运行至终点（{done}%）", "Running B to the horizon ({done}%)"),
    "contributions_running": ("正在逐个运行各杠杆（{done}%）", "Running each lever alone ({done}%)"),
    "job_failed": ("运行失败：{error}", "The run failed: {error}"),
    "job_lost": ("运行失败：一个计算进程意外退出（可能是服务器内存不足）。请再点一次按钮重新运行。",
                 "The run failed: a computing process stopped (perhaps the server ran out of memory). Click the "
                 "button again to run it again."),
    "compare_note": ("最后 12 个月的平均值；差值为 B − A，区间为 {seeds} 个相同随机种子配对差值的 95% 置信区间",
                     "Averages over the last 12 months; difference B − A with the 95% interval over {seeds} paired "
                     "seeds"),
    "col_area": ("地区", "area"),
    "col_metric": ("指标", "metric"),
    "col_difference": ("差值 B − A", "difference B − A"),
    "col_ci": ("95% 区间", "95% interval"),
    "col_verdict": ("判断", "verdict"),
    "col_lever": ("杠杆", "lever"),
    "level_district": ("全区", "District"),
    "level_zone": ("产业功能区", "Industrial zones"),
    "level_street": ("街道", "Streets"),
    "total": ("全部杠杆合计（B − A）", "all levers together (B − A)"),
    "interaction": ("交互作用（合计 − 各项之和）", "interaction (total − sum of the parts)"),
    "contributions": ("各杠杆的单独贡献", "What each lever contributed alone"),
    "contributions_note": ("参照 A 只改一项杠杆（按方案 B 设置）、其余不变，在相同随机种子上的差值",
                           "Reference A with one lever family set as in B, everything else as in A, on the same seeds"),
    "brief": ("生成简报（PDF）", "Make the brief (PDF)"),
    "export": ("导出", "Export"),
    "download_csv": ("下载本次运行数据（全部种子，CSV 压缩包）", "Download this run's data (every seed, CSV zip)"),
    "download_comparison": ("下载对比数据（A、B 与差值表，CSV 压缩包）",
                            "Download the comparison (A, B and the difference table, CSV zip)"),
    "headers_note": ("中文页面导出的表格使用中文列名，便于用 Excel 阅读；“字段说明.csv”列出对应的英文列名",
                     "(Chinese page: Chinese column names)"),
    "download_toml": ("下载当前杠杆设置（情景 TOML）", "Download the lever settings (scenario TOML)"),
    "upload": ("上传情景文件作为当前方案（TOML，最大 64 KB）", "Upload a scenario file as the current levers (TOML, "
               "at most 64 KB)"),
    "uploaded": ("已载入情景“{name}”：点击“重置”后运行", "Loaded scenario “{name}”: press Reset to run it"),
    "uploaded_reference": ("已载入参照情景“{name}”，正在运行", "Loaded “{name}” as the reference; running it"),
    "upload_error": ("情景文件有误：{error}", "The scenario file has a problem: {error}"),
    "upload_failed": ("无法读取情景文件“{name}”（{kind}）；请检查文件后重试",
                      "Could not read the scenario file “{name}” ({kind}); check the file and try again"),
    "done": ("已到模拟终点", "The run has reached its horizon"),
    "glossary": ("指标说明（定义、单位、目标与改善方向）", "Glossary (definition, unit, target and better direction)"),
    "g_metric": ("指标", "metric"),
    "g_definition": ("定义", "definition"),
    "g_unit": ("单位", "unit"),
    "g_target": ("目标或平衡区间", "target or balanced band"),
    "g_better": ("改善方向", "better"),
    "better_higher": ("越高越好", "higher is better"),
    "better_lower": ("越低越好", "lower is better"),
    "better_band": ("越接近 1（0.8–1.25 为平衡）越好", "closer to 1 (0.8–1.25 balanced) is better"),
    "better_none": ("无好坏之分（规模）", "no better direction (a level)"),
    "tip_values": ("2018 年取值：{default}；2019 年改革方案：{reform}", "2018: {default}; 2019 reform: {reform}"),
    "tip_range": ("；范围：{lo}–{hi}", "; range {lo}–{hi}"),
    "tip_source": ("依据：成华区编办文章所报数字", "source: the district staffing office's article"),
    "tip_source_partly": ("依据：成华区编办文章所报数字（部分为假设）",
                          "source: the district staffing office's article (partly an assumption)"),
    "tip_assumption": ("依据：模型假设", "an assumption of the model"),
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
    "resettlement.works_months": "改造工期",
    "street_staff.staff": "区级机关下沉街道人数",
    "smart_governance.centre_staff": "智慧治理中心编制（来自区级机关）",
    "smart_governance.sensor_coverage": "智慧治理系统覆盖的网格比例",
    "quota_pool.institutions": "撤销事业单位数",
    "quota_pool.quotas": "撤销单位释放并调配的编制数",
    "quota_pool.education_share": "调配给教育的比例（其余给卫生）",
    "quota_pool.levels": "教育编制投向的学段",
    "quota_pool.loan_quotas": "周转池借出的编制数",
    "quota_pool.loan_months": "借用期限",
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
VERDICTS = {"better": ("显著改善", "clearly better", "#1a7f37"),
            "same": ("无明显差异", "no clear difference", "#6e7781"),
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


# What the page's numbers mean, in Chinese (the English definitions are sim.outcomes' docs).
DEFINITIONS_ZH = {
    "jobs_housing_ratio": "区域内的就业岗位数 ÷ 居住在区域内的就业者数。0.8–1.25 视为职住平衡；低于 0.8 偏“睡城”，"
                          "高于 1.25 岗位多于居住就业者",
    "self_containment": "在本区域内工作的本区域就业居民 ÷ 本区域全部就业居民（本地就业的比例）",
    "internal_capture": "由本区域居民担任的本区域岗位 ÷ 本区域全部岗位",
    "mean_commute_min": "区内就业居民单程门到门通勤的平均分钟数（外来通勤者不计）",
    "excess_commuting": "(实际通勤 − 现有住房与岗位布局下的最少通勤) ÷ 实际通勤：住房与岗位布局并不需要的那部分通勤",
    "approval_days_12m": "最近 12 个月内获批的工程建设项目审批的平均工作日数",
    "students_per_teacher_primary": "小学在校生 ÷ 小学教师（国家编制标准 1:19）",
    "students_per_teacher_junior": "初中在校生 ÷ 初中教师（国家编制标准 1:13.5）",
    "students_per_teacher_senior": "高中在校生 ÷ 高中教师（国家编制标准 1:12.5）",
    "unemployment_rate": "失业者 ÷ 劳动力",
    "satisfaction": "居民获得感的平均分（0–100：工作、通勤、住房成本、公共服务与绿地）",
    "residents": "居住在区域内的人口",
    "jobs": "位于区域内、已有人就业的岗位（本区居民或外来通勤者）",
    "rent_index": "按已入住商品住房加权的市场租金，相对于起始月（1 = 与起始时相同）",
    "service_quality": "街道公共服务的综合质量（教育、医疗、网格治理与便民服务）",
}
EMPTY_ZH = {"approval_days_12m": "近 12 个月尚无审批通过", "jobs_housing_ratio": "区域内没有就业居民",
            "self_containment": "区域内没有就业居民", "mean_commute_min": "区域内没有就业居民"}
UNIT_WORDS = {"share": ("%", "%"), "min": ("分钟", "min"), "working days": ("工作日", "working days"),
              "jobs per employed resident": ("岗位/就业居民", "jobs per employed resident"),
              "students per teacher": ("学生/教师", "students per teacher"),
              "score 0–100": ("分（0–100）", "score 0–100"), "persons": ("人", "persons"), "jobs": ("个岗位", "jobs"),
              "index": ("指数（起始 = 1）", "index (start = 1)")}


def metric_name(name: str, lang: str) -> str:
    """A metric's name with its unit (shares: in %)."""
    if outcomes.column(name).unit == "share":
        return outcomes.column(name).zh + "（%）" if lang == "zh" else outcomes.column(name).en + " (%)"
    return outcomes.label(name, lang)


def definition(name: str, lang: str) -> str:
    """A metric's definition, balanced band or target and better direction, in one line (tooltips)."""
    o = outcomes.column(name)
    text = DEFINITIONS_ZH.get(name, o.zh) if lang == "zh" else o.doc
    return f"{text}。{better_words(name, lang)}" if lang == "zh" else f"{text}. {better_words(name, lang)}"


def better_words(name: str, lang: str) -> str:
    better = outcomes.column(name).better
    return t({outcomes.HIGHER: "better_higher", outcomes.LOWER: "better_lower",
              outcomes.BAND: "better_band"}.get(better, "better_none"), lang)


def empty_reason(name: str, lang: str) -> str:
    """Why a metric has no value this month."""
    if lang == "zh":
        return EMPTY_ZH.get(name, "本月无可计算的值")
    return outcomes.column(name).empty or "no value this month"


def target(name: str, lang: str, standards: dict[str, float]) -> str:
    """The balanced band, or the national staffing standard (``standards`` by metric), a metric is
    held against ('' if none)."""
    if name == "jobs_housing_ratio":
        return f"{outcomes.BALANCED_BAND[0]:g}–{outcomes.BALANCED_BAND[1]:g}"
    if name in standards:
        return (f"≤ {standards[name]:g}（国家编制标准）" if lang == "zh"
                else f"≤ {standards[name]:g} (national standard)")
    return ""


def glossary(names: tuple[str, ...], lang: str, standards: dict[str, float]) -> str:
    """The glossary's rows (HTML): metric, definition, unit, target, better direction."""
    import html

    head = "".join(f"<th>{t(k, lang)}</th>" for k in ("g_metric", "g_definition", "g_unit", "g_target", "g_better"))
    rows = []
    for name in names:
        o = outcomes.column(name)
        text = DEFINITIONS_ZH.get(name, o.zh) if lang == "zh" else o.doc
        unit_word = UNIT_WORDS.get(o.unit, (o.unit, o.unit))[0 if lang == "zh" else 1]
        rows.append(f"<tr><td><b>{html.escape(metric_name(name, lang))}</b></td><td>{html.escape(text)}</td>"
                    f"<td>{html.escape(unit_word)}</td><td>{html.escape(target(name, lang, standards))}</td>"
                    f"<td>{html.escape(better_words(name, lang))}</td></tr>")
    return f"<tr>{head}</tr>" + "".join(rows)


def number(value, unit: str = "", shown: bool = False) -> str:
    """A value as the page shows it: a share in % (``shown``: already × 100), large counts with
    thousands separators, others to about three significant digits; '—' when missing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, bool):
        return str(value)
    v = float(value)
    if unit == "share":
        return f"{v if shown else 100 * v:.1f}%"
    a = abs(v)
    if a >= 1000 or (float(v).is_integer() and a >= 100):
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a == 0 or float(v).is_integer():
        return f"{v:.0f}"
    return f"{v:.3g}"


def signed(value, unit: str, lang: str) -> str:
    """A difference with its sign; a share's (already × 100) in percentage points."""
    if value is None or not math.isfinite(value):
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else ""
    if unit == "share":  # (a change under 0.1 point keeps two significant digits: not "−0.0")
        size = f"{abs(value):.1f}" if abs(value) >= 0.095 or value == 0 else f"{abs(value):.2g}"
        return sign + size + (" 个百分点" if lang == "zh" else " pp")
    return sign + number(abs(value), unit)


def unit_suffix(text: str, kind: str, lang: str) -> str:
    """A lever field's unit after its label (shares show their value in %, so no unit)."""
    if kind not in ("int", "float") or not text or text == "share":
        return ""
    return f"（{unit(text, lang)}）" if lang == "zh" else f" ({text})"


def lever_tip(spec, default, kind: str, lang: str) -> str:
    """A lever field's tooltip: its meaning, the 2018 and 2019 values, the range and the source."""
    def shown(value):
        if isinstance(value, (list, tuple)):
            return "、".join(map(str, value)) if value else "—"
        if isinstance(value, bool):
            return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
        return number(value, spec.unit) if isinstance(value, (int, float)) else str(value)

    reform = spec.reform if spec.reform is not None else default
    parts = [spec.doc] if lang == "en" else []
    parts.append(t("tip_values", lang, default=shown(default), reform=shown(reform))
                 + (t("tip_range", lang, lo=number(spec.lo, spec.unit), hi=number(spec.hi, spec.unit))
                    if kind in ("int", "float") else ""))
    source = spec.source or ""
    parts.append(t("tip_assumption", lang) if not source.startswith("source")
                 else t("tip_source_partly", lang) if "assumption" in source else t("tip_source", lang))
    if lang == "en" and source:
        parts[-1] = source
    return "；".join(parts) if lang == "zh" else "; ".join(parts)


def header_zh(name: str) -> str:
    """A table column's Chinese header (a declared column's name, a lever field's label)."""
    if name in outcomes.MEASURES or name in outcomes.KEYS:
        return outcomes.label(name, "zh")
    section, _, rest = name.partition(".")
    if section == "levers" and "." in rest:
        lever, field = rest.split(".", 1)
        if lever in LEVERS:
            return f"{LEVERS[lever].label}：{field_label(lever, field, field, 'zh')}"
    return HEADERS_ZH.get(name, name)


HEADERS_ZH = {"level": "层级", "area": "地区", "metric": "指标", "a_mean": "A 均值", "b_mean": "B 均值",
              "difference": "差值（B − A）", "ci_low": "95% 区间下限", "ci_high": "95% 区间上限", "n_seeds": "种子数",
              "verdict": "判断", "lever": "杠杆", "status": "状态", "error": "错误", "wall_seconds": "用时（秒）",
              "months": "月数", "scale": "每行代表人数", "start": "起始月份", "config_hash": "配置校验码",
              "base_mean": "A 均值", "other_mean": "B 均值"}


def chinese_headers(path: Path) -> None:
    """Rewrite a CSV the command line wrote with Chinese column names — and, in the difference and
    contribution tables, metric, verdict and lever names in words — for Excel users on the Chinese
    page; ``字段说明.csv`` beside it lists each Chinese header with its column name."""
    import pandas as pd

    frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    if "metric" in frame and "verdict" in frame:
        frame["metric"] = [outcomes.label(m, "zh") if m in outcomes.MEASURES else m for m in frame["metric"]]
        frame["verdict"] = [verdict_word(v, "zh") for v in frame["verdict"]]
    if "level" in frame:
        frame["level"] = frame["level"].replace({"district": "全区", "zone": "功能区", "street": "街道"})
    if "lever" in frame:
        frame["lever"] = [LEVERS[v].label if v in LEVERS else {"total": "合计", "interaction": "交互作用"}.get(v, v)
                          for v in frame["lever"]]
    headers, seen = [], set()
    for name in frame.columns:
        header = header_zh(name)
        header = header if header not in seen else f"{header}（{name}）"
        seen.add(header)
        headers.append(header)
    legend = path.with_name("字段说明.csv")
    rows = pd.DataFrame({"文件": path.name, "中文列名": headers, "列名": list(frame.columns)})
    if legend.exists():
        rows = pd.concat([pd.read_csv(legend, encoding="utf-8-sig", dtype=str), rows], ignore_index=True)
    rows.to_csv(legend, index=False, encoding="utf-8-sig")
    frame.columns = headers
    frame.to_csv(path, index=False, encoding="utf-8-sig")
