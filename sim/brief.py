"""A printable brief of a comparison (政策简报): one or two A4 pages, in Chinese or English.

``render(folder, lang)`` reads a folder that ``chancheng compare`` wrote (metadata.json, the two
resolved scenario files, differences.csv, contributions.csv if there, model.csv) and returns a
PDF: the two scenarios and the run settings, the levers changed, the differences by district and
zone with their 95% intervals and verdicts (``sim.comparison``), what each lever contributed, four
charts over the months, a street map of the change in the jobs–housing ratio, and the main
assumptions. It reads nothing else, so the web page can render a folder it writes the same way.

The PDF is set by the Typst compiler (the ``typst`` wheel, no system libraries). Everything read
from the folder reaches Typst as JSON data that a fixed template lays out (``TEMPLATE``), never as
Typst source, so no scenario name or value can be read as markup. Chinese needs a CJK font:
``sim.plots.cjk_font`` picks it for matplotlib (the setup's own, WenQuanYi Micro Hei, first), and
Typst is given the same font file.

This module imports only light modules at the top (the command line checks the folder and the
language at once); pandas, matplotlib and Typst are imported by the functions that draw and set.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sim import config as cfg
from sim.cli import missing
from sim.errors import JSON_LIMIT, InputError, read_bounded
from sim.outcomes import MEASURES, axis_top, label, shown_scale
from sim.params import STREETS, specs
from sim.policies import LEVERS
from sim.ui.i18n import (
    area_name,
    choice,
    field_label,
    number,
    scenario_title,
    signed,
    unit,
    verdict_colour,
    verdict_word,
)

if TYPE_CHECKING:
    import pandas as pd

LANGS = ("zh", "en")
CHARTS = ("jobs_housing_ratio", "self_containment", "mean_commute_min", "students_per_teacher_primary")
CONTRIBUTION_METRICS = ("jobs_housing_ratio", "self_containment", "mean_commute_min")
MAP_METRIC = "jobs_housing_ratio"
COLOURS = ("#7a7a7a", "#c0392b")  # A and B, as in the compare figures (sim.plots.compare_metric)
DPI = 300  # print resolution; the figures are drawn at the size they are printed, so font sizes are true
TIMING = ("start_month", "ramp_months")  # the fields of every lever (sim.policies.base.Lever)
MONTHS_AVERAGED = 12  # differences.csv: the average over the last 12 months (sim.comparison.differences)
CONTRIBUTION_COLUMNS = ("lever", "metric", "difference", "ci_low", "ci_high", "n_seeds", "verdict")

TEXT: dict[str, tuple[str, str]] = {
    "title": ("成华区产城融合政策模拟 · 政策简报", "Chenghua industry–city integration simulation · policy brief"),
    "base": ("基准情景（A）", "Reference (A)"),
    "other": ("对比情景（B）", "Compared (B)"),
    "settings": ("模拟设置", "Settings"),
    "settings_text": ("{seeds} 个随机种子（两情景相同，即共同随机数）× {months} 个月，每个模拟行代表 {scale} 人；"
                      "表中数值为最后 {last} 个月的平均",
                      "{seeds} seeds (the same for both: common random numbers) × {months} months, each simulated "
                      "row standing for {scale} persons; tables show the average of the last {last} months"),
    "date": ("模拟日期", "Simulated on"),
    "findings": ("要点", "In brief"),
    "better_list": ("显著改善：{names}", "Clearly better: {names}"),
    "worse_list": ("显著恶化：{names}", "Clearly worse: {names}"),
    "same_count": ("其余 {n} 项全区指标无明显差异（差值的 95% 区间包含 0）",
                   "The other {n} district indicators show no clear difference (the 95% interval includes 0)"),
    "none": ("无", "none"),
    "list_sep": ("、", ", "),
    "findings_sep": ("、", "; "),
    "differences": ("表 1 · B 与 A 的差异", "Table 1 · How B differs from A"),
    "indicator": ("指标", "Indicator"),
    "difference": ("差值 B − A", "B − A"),
    "interval": ("95% 区间", "95% interval"),
    "verdict": ("结论", "Verdict"),
    "district": ("全区", "District"),
    "pp": ("个百分点", "pp"),
    "differences_note": ("“显著改善/恶化”：差值的整个 95% 区间落在更好/更差一侧；"
                         "职住比以接近 1（0.8–1.25 为平衡）为好；比例以 % 表示，其差值以百分点表示。",
                         "Clearly better or worse: the whole 95% interval of the difference lies on the better/worse "
                         "side; for the jobs–housing ratio, closer to 1 is better (0.8–1.25 counts as balanced); "
                         "shares in %, their differences in percentage points."),
    "charts": ("图 1 · 全区主要指标逐月走势", "Figure 1 · District indicators month by month"),
    "charts_note": ("线：各随机种子的平均；阴影：95% 区间", "lines: mean over seeds; shading: 95% interval"),
    "month": ("月", "month"),
    "map": ("图 2 · 各街道职住比的变化（B − A）", "Figure 2 · Jobs–housing ratio by street, B − A"),
    "map_note": ("示意图：街道形状为示意。按 2019 年的 14 个街道（片区）；最后 {last} 个月的平均",
                 "schematic: street shapes are stylised. The 14 streets (sub-areas) of 2019; average of the last "
                 "{last} months"),
    "map_up": ("上升：岗位相对就业居民增加", "up: jobs grow relative to working residents"),
    "map_down": ("下降：就业居民相对岗位增加", "down: working residents grow relative to jobs"),
    "outline_source": ("。区界为公开行政区划数据{source}", ". The district outline is public boundary data {source}"),
    "north": ("北", "N"),
    "km": ("公里", "km"),
    "no_data": ("无数据", "no data"),
    "outline": ("（边框）", " (outline)"),
    "contributions": ("表 2 · 各政策杠杆的贡献", "Table 2 · What each lever contributed"),
    "lever": ("政策杠杆", "Lever"),
    "total": ("合计（B − A）", "Total (B − A)"),
    "interaction": ("交互作用", "Interaction"),
    "contributions_note": ("每个杠杆：B 的该项杠杆单独施加于 A（其余同 A、随机种子相同）减去 A；"
                           "交互作用 = 合计 − 各杠杆之和。绿色：显著改善，红色：显著恶化，灰色：无明显差异"
                           "（按差值的 95% 区间）。",
                           "each lever: B's setting of that lever family alone on A (all else as in A, the same seeds) "
                           "minus A; interaction = total − the sum of the levers. Green: clearly better, red: clearly "
                           "worse, grey: no clear difference (by the 95% interval of the difference)."),
    "levers": ("表 3 · 改变的政策杠杆", "Table 3 · The levers changed"),
    "levers_note": ("每项：参数名称、A 的取值（灰色）→ B 的取值。开始月份：1 = 模拟第一个月；"
                    "推进月数：在此期间逐步交付或开工（1 = 一次到位）。",
                    "each item: the setting, A's value (grey) → B's value. Start month: 1 = the run's first month; "
                    "ramp months: months over which deliveries arrive (1 = all at once)."),
    "start_month": ("开始月份", "start month"),
    "ramp_months": ("推进月数", "ramp months"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "assumptions": ("主要假设与局限", "Main assumptions and limits"),
    "footer": ("成华区产城融合政策模拟 · chancheng 模拟结果，非预测", "Chenghua industry–city integration "
               "simulation · chancheng: simulation results, not forecasts"),
}

ASSUMPTIONS: tuple[tuple[str, str], ...] = (
    ("改革数据取自区编办关于 2019 年改革的文章，为报道数字，未经独立核实；验证只检验与报道是否一致。",
     "The reform figures come from the district staffing office's article on its 2019 reforms: reported, not "
     "independently verified; the validation checks consistency with what was reported."),
    ("街道位置与形状为示意（按面积加权的泰森多边形），非真实边界；街道人口、就业、企业、租金与通勤矩阵为示意数据，"
     "仅全区人口（2020 年人口普查）、面积与街道名称等为公开数据。",
     "Street positions and shapes are stylised (area-weighted Voronoi cells), not real boundaries; street "
     "populations, jobs, firms, rents and the commute matrix are stylised; only the district total (census 2020), "
     "its area and the street names are public."),
    ("每个模拟行代表 {scale} 人（企业亦然），数值均折算为人数；行数越粗，企业动态越呈块状，"
     "对外报告宜用每行不超过 20 人。",
     "Each simulated row stands for {scale} persons (and firms); figures are in persons. Coarse rows make firm "
     "dynamics lumpy: report runs with at most 20 persons per row."),
    ("居民以个人而非家庭为单位迁移、就业；多数行为参数为假设区间（docs/MODEL.md §8.5），"
     "其稳健性见 chancheng robustness。",
     "Persons move and take jobs as individuals, not households; most behavioural parameters are assumed ranges "
     "(docs/MODEL.md §8.5); chancheng robustness tests which conclusions survive them."),
    ("结论规则：两情景在相同随机种子上运行，每个种子给出一个配对差值；95% 区间为配对差值的 t 区间。种子少时区间宽，"
     "“无明显差异”不等于没有影响。",
     "The verdict rule: both scenarios run on the same seeds, each seed giving a paired difference; the 95% "
     "interval is the t-interval of those differences. With few seeds the interval is wide: no clear difference "
     "does not mean no effect."),
)

# The brief's layout. It reads brief.json (``content``) and the PNG files beside it; the data's
# strings are set as text, never evaluated.
TEMPLATE = r"""
#let d = json("brief.json")
#let t = d.text
#let accent = rgb("#1f3b5a")
#set document(title: d.title, author: "chancheng")
#set page(paper: "a4", margin: (x: 1.5cm, top: 1.3cm, bottom: 1.4cm),
  footer: context text(size: 6.5pt, fill: luma(110))[#d.footer #h(1fr) #counter(page).display("1 / 1", both: true)])
#set text(font: d.fonts, size: 8pt, lang: d.lang, region: d.region)
#set par(leading: 0.5em, spacing: 0.7em)
#set table(stroke: none, inset: (x: 3pt, y: 1.8pt))
#let section(title) = block(above: 8pt, below: 4pt, text(size: 9.5pt, weight: "bold", fill: accent, title))
#let note(body) = block(above: 3pt, text(size: 6.5pt, fill: luma(90), body))
#let head(..cells) = table.header(..cells.pos().map(c => text(weight: "bold", c)))
#let top = table.hline(stroke: 0.7pt + accent)
#let mid = table.hline(stroke: 0.4pt + accent)
#let verdict(v) = text(fill: rgb(v.colour), v.word)
#let rows(x, y) = if y > 1 { (top: 0.3pt + luma(215)) }
#let swatch(colour) = box(baseline: -0.25em, line(length: 1.4em, stroke: 1.4pt + rgb(colour)))

#text(size: 15pt, weight: "bold", fill: accent, d.title)
#v(-2pt)
#grid(columns: (auto, 1fr), column-gutter: 8pt, row-gutter: 3.5pt,
  ..d.facts.map(f => (text(fill: luma(80), f.at(0)), f.at(1))).flatten())
#v(-1pt)
#line(length: 100%, stroke: 0.8pt + accent)
#block(fill: rgb("#eef3f8"), inset: 6pt, radius: 2pt, width: 100%, below: 4pt)[
  #text(weight: "bold", fill: accent, t.findings)
  #list(spacing: 3.5pt, ..d.findings)
]

#section(t.differences)
#table(
  columns: (1fr, auto, auto, auto, auto, auto),
  align: (left, right, right, right, right, left),
  stroke: rows,
  top,
  head(t.indicator, d.a_short, d.b_short, t.difference, t.interval, t.verdict),
  mid,
  ..d.differences.map(r => if r.group != none {
    (table.cell(colspan: 6, inset: (top: 4pt, bottom: 1.8pt, x: 3pt), text(weight: "bold", fill: accent, r.group)),)
  } else {
    (r.name, r.a, r.b, r.change, r.interval, verdict(r.verdict))
  }).flatten(),
  top,
)
#note(t.differences_note)

#section(t.charts)
#grid(columns: (1fr, 1fr), column-gutter: 6pt, row-gutter: 2pt, ..d.charts.map(p => image(p, width: 100%)))
#note[#swatch(d.colours.at(0)) #d.a_title #h(10pt) #swatch(d.colours.at(1)) #d.b_title #h(10pt) #t.charts_note]

#pagebreak(weak: true)
#grid(columns: (47%, 1fr), column-gutter: 12pt,
  [
    #section(t.map)
    #image(d.map, width: 100%)
    #note(d.map_note)
  ],
  if d.contributions != none [
    #section(t.contributions)
    #table(
      columns: (1.5fr, ..d.contributions.metrics.map(m => 1fr)),
      align: (left, ..d.contributions.metrics.map(m => right)),
      stroke: rows,
      inset: (x: 3pt, y: 2.6pt),
      top,
      head(t.lever, ..d.contributions.metrics.map(m => text(size: 7pt, hyphenate: false, m))),
      mid,
      ..d.contributions.rows.map(r => (r.lever, ..r.cells.map(c => text(fill: rgb(c.colour), c.change)))).flatten(),
      top,
    )
    #note(t.contributions_note)
  ],
)

#section(t.levers)
#table(
  columns: (2.9cm, 1fr),
  inset: (x: 3pt, y: 2.2pt),
  stroke: rows,
  ..d.levers.map(group => (
    text(size: 7.5pt, fill: accent, group.lever),
    text(size: 7.5pt, group.rows.map(r => [#r.field#h(3pt)#text(fill: luma(100), r.a)#h(2pt)→#h(2pt)#r.b])
      .join([#h(3pt)·#h(3pt)])),
  )).flatten(),
)
#note(t.levers_note)

#section(t.assumptions)
#set text(size: 7pt)
#enum(spacing: 3.5pt, ..d.assumptions)
"""


def text(key: str, lang: str, **values) -> str:
    zh, en = TEXT[key]
    return (zh if lang == "zh" else en).format(**values)


@dataclass(frozen=True)
class Comparison:
    """What a brief shows, read from a comparison folder: A (the reference) and B, the run
    settings, the difference and contribution tables, and A's and B's month-by-month district rows."""

    names: tuple[str, str]  # (A, B) as metadata.json and the tables name them
    a: cfg.Config
    b: cfg.Config
    seeds: int
    months: int
    scale: int
    started: datetime
    differences: pd.DataFrame
    contributions: pd.DataFrame | None
    model: pd.DataFrame


def check(folder: Path, lang: str) -> None:
    """The quick checks (no table read): a known language and a folder holding what ``compare``
    writes first and last."""
    if lang not in LANGS:
        raise InputError(f"unknown language {lang!r}; allowed: {', '.join(LANGS)}", field="--lang",
                         zh=f"未知语言 {lang!r}；允许：{', '.join(LANGS)}")
    if not folder.is_dir():
        raise InputError("no such folder; give a folder chancheng compare wrote", source=str(folder),
                         zh="没有这个文件夹；请给出 chancheng compare 写出的文件夹")
    for name in ("metadata.json", "differences.csv"):
        if not (folder / name).is_file():
            raise InputError("no such file: not a comparison folder (chancheng compare writes it)",
                             source=str(folder / name),
                             zh="没有这个文件：不是对比结果文件夹（由 chancheng compare 写出）")


def render(folder: Path, lang: str = "zh") -> bytes:
    """The brief of the comparison in ``folder`` as PDF bytes; ``InputError`` naming the file and
    field for a folder that is not a comparison or is damaged, an unknown language, or no Chinese
    font."""
    folder = Path(folder)
    check(folder, lang)
    import typst

    font, family = cjk_font()
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=True,
                        font_paths=[str(matplotlib_fonts()), str(font)])
    if family not in fonts.families():  # (matplotlib and Typst read a font's name differently)
        raise InputError(f"Typst cannot read the font {family!r}; install fonts-wqy-microhei or fonts-noto-cjk",
                         source=str(font),
                         zh=f"Typst 无法读取字体 {family!r}；请安装 fonts-wqy-microhei 或 fonts-noto-cjk")
    comparison = read(folder)
    from sim.geography import load_district

    district = load_district(comparison.a.run.data)
    with tempfile.TemporaryDirectory(prefix="chancheng-brief-") as tmp:
        work = Path(tmp)
        data = content(comparison, district, lang) | draw(comparison, district, lang, work)
        data["fonts"] = [family, "DejaVu Sans"]  # (the figures' order: sim.plots.setup)
        (work / "brief.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        (work / "brief.typ").write_text(TEMPLATE, encoding="utf-8")
        return typst.compile(str(work / "brief.typ"), root=str(work), font_paths=fonts,
                             timestamp=comparison.started)


def cjk_font() -> tuple[Path, str]:
    """The folder holding the CJK font matplotlib uses (``sim.plots.cjk_font``) and its family
    name; an ``InputError`` saying how to install one when there is none. The English brief needs
    it too: it quotes the source's Chinese terms (一窗办 …) and shows scenario names as given."""
    from matplotlib import font_manager

    from sim import plots

    family = plots.cjk_font()
    if family is None:
        raise InputError("no Chinese (CJK) font found for the PDF and its figures: the setup's package "
                         "mpl-font is missing (run make run or pip install -e . again), or install one, e.g. "
                         "apt-get install fonts-wqy-microhei (Debian, Ubuntu), then remove matplotlib's font cache "
                         "(~/.cache/matplotlib)", field="font",
                         zh="找不到中文字体，无法生成简报：缺少安装时装入的 mpl-font 包（请重新运行 make run 或 "
                            "pip install -e .），或安装一种，例如 apt-get install fonts-wqy-microhei，然后删除 "
                            "matplotlib 的字体缓存（~/.cache/matplotlib）")
    path = plots.bundled_cjk_font() or next(f.fname for f in font_manager.fontManager.ttflist if f.name == family)
    return Path(path).parent, family


def matplotlib_fonts() -> Path:
    """matplotlib's own font folder: DejaVu Sans, the figures' fallback after the CJK font, is Typst's too."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def read(folder: Path) -> Comparison:
    """Read and check the files of a comparison folder; ``InputError`` names the file and field."""
    from sim.comparison import DIFFERENCE_COLUMNS
    from sim.io import read_table

    meta = metadata(folder / "metadata.json")
    a_name, b_name = meta["scenarios"]
    a, b = (cfg.load(folder / f"scenario_{name}.toml") for name in (a_name, b_name))
    differences = read_table(folder / "differences.csv", DIFFERENCE_COLUMNS)
    numbers(differences, ("a_mean", "b_mean", "difference", "ci_low", "ci_high"), folder / "differences.csv")
    verdicts(differences, folder / "differences.csv")
    contributions = None
    if (folder / "contributions.csv").exists():
        contributions = read_table(folder / "contributions.csv", CONTRIBUTION_COLUMNS)
        numbers(contributions, ("difference", "ci_low", "ci_high"), folder / "contributions.csv")
        verdicts(contributions, folder / "contributions.csv")
    model = read_table(folder / "model.csv", ("scenario", "seed", "month", *CHARTS))
    model = model[model["scenario"].isin([a_name, b_name])]
    numbers(model, ("month", *CHARTS), folder / "model.csv")
    for name in (a_name, b_name):
        if not (model["scenario"] == name).any():
            raise InputError(f"has no rows of scenario {name!r} (metadata.json's scenarios)",
                             source=str(folder / "model.csv"), field="scenario")
    return Comparison(names=(a_name, b_name), a=a, b=b, seeds=len(meta["seeds"]), months=meta["months"],
                      scale=meta["scale"], started=meta["started"], differences=differences,
                      contributions=contributions, model=model)


def metadata(path: Path) -> dict:
    """metadata.json's scenarios (A, B), seeds, months, scale and start time, checked."""
    try:
        meta = json.loads(read_bounded(path, JSON_LIMIT).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise InputError("is not JSON; give a folder chancheng compare wrote", source=str(path)) from None
    if not isinstance(meta, dict):
        raise InputError("is not a JSON object; give a folder chancheng compare wrote", source=str(path))
    scenarios = meta.get("scenarios")
    if not (isinstance(scenarios, list) and len(scenarios) == 2 and all(isinstance(s, str) and s and "/" not in s
                                                                         and "\\" not in s for s in scenarios)):
        raise InputError("must name the two scenarios compared, [A, B]", source=str(path), field="scenarios")
    if not isinstance(meta.get("seeds"), list) or not meta["seeds"]:
        raise InputError("must list the seeds", source=str(path), field="seeds")
    for key in ("months", "scale"):
        if isinstance(meta.get(key), bool) or not isinstance(meta.get(key), int) or meta[key] < 1:
            raise InputError("must be a whole number from 1", source=str(path), field=key)
    try:
        started = datetime.fromisoformat(meta["started"])
    except (KeyError, TypeError, ValueError):
        raise InputError("must be the time the comparison started (ISO 8601)", source=str(path),
                         field="started") from None
    if started.tzinfo is None:
        raise InputError("must carry its UTC offset (ISO 8601)", source=str(path), field="started")
    return meta | {"started": started}


def numbers(table: pd.DataFrame, columns: tuple[str, ...], path: Path) -> None:
    """Make ``columns`` numeric in place; ``InputError`` naming the column of a cell that is not a number."""
    import pandas as pd

    for name in columns:
        values = pd.to_numeric(table[name], errors="coerce")
        bad = values.isna() & table[name].notna()
        if bad.any():
            raise InputError(f"holds {table[name][bad].iloc[0]!r}, not a number", source=str(path), field=name)
        table[name] = values


def verdicts(table: pd.DataFrame, path: Path) -> None:
    """The verdict column as better / same / worse / '' (no direction), in place."""
    table["verdict"] = table["verdict"].fillna("").astype(str)
    unknown = ~table["verdict"].isin(["better", "same", "worse", ""])
    if unknown.any():
        raise InputError(f"holds {table['verdict'][unknown].iloc[0]!r}; allowed: better, same, worse or empty",
                         source=str(path), field="verdict")


def content(c: Comparison, district, lang: str) -> dict:
    """brief.json: every string and number the template sets, in ``lang``."""
    from sim.comparison import HEADLINE

    a_name, b_name = c.names
    last = min(MONTHS_AVERAGED, c.months)
    district_rows = c.differences[c.differences["level"] == "district"].set_index("metric")
    headline = [m for m in HEADLINE if m in district_rows.index]
    return {
        "lang": lang,
        "region": "cn" if lang == "zh" else "gb",
        "text": {key: text(key, lang) for key in TEXT if "{" not in TEXT[key][0]},
        "title": text("title", lang),
        "footer": text("footer", lang),
        "facts": [(text("base", lang), f"{scenario_title(a_name, lang)}  ({a_name})"),
                  (text("other", lang), f"{scenario_title(b_name, lang)}  ({b_name})"),
                  (text("settings", lang), text("settings_text", lang, seeds=c.seeds, months=c.months,
                                                  scale=f"{c.scale:,}", last=last)),
                  (text("date", lang), c.started.date().isoformat())],
        "a_title": scenario_title(a_name, lang), "b_title": scenario_title(b_name, lang),
        "a_short": "A", "b_short": "B",
        "colours": list(COLOURS),
        "findings": findings(district_rows.loc[headline], lang),
        "differences": difference_rows(c.differences, headline, district, lang),
        "contributions": None if c.contributions is None else contribution_table(c.contributions, lang),
        "levers": lever_rows(c.a, c.b, district, lang),
        "map_note": text("map_note", lang, last=last) + outline_source(district, lang),
        "assumptions": [(zh if lang == "zh" else en).format(scale=f"{c.scale:,}") for zh, en in ASSUMPTIONS],
    }


def outline_source(district, lang: str) -> str:
    """Where the district's outline on the map comes from (the built-in one's source, as the page says it)."""
    from sim.ui.maps import BUILTIN_OUTLINE, BUILTIN_SOURCE

    if not district.outline():
        return ""
    source = BUILTIN_SOURCE[lang].strip() if district.outline_file == BUILTIN_OUTLINE else ""
    return text("outline_source", lang, source=source)


def findings(rows: pd.DataFrame, lang: str) -> list[str]:
    """The district headline in three lines: what got clearly better, clearly worse, and how many did not move."""
    names = {v: [MEASURES[m].zh if lang == "zh" else MEASURES[m].en for m in rows.index[rows["verdict"] == v]]
             for v in ("better", "worse")}
    sep, none = text("findings_sep", lang), text("none", lang)
    return [text("better_list", lang, names=sep.join(names["better"]) or none),
            text("worse_list", lang, names=sep.join(names["worse"]) or none),
            text("same_count", lang, n=int((rows["verdict"] == "same").sum()))]


def difference_rows(table: pd.DataFrame, headline: list[str], district, lang: str) -> list[dict]:
    """Table 1: the district headline, then each zone's rows, each with a group row above."""
    rows = [group_row(text("district", lang))]
    district_rows = table[table["level"] == "district"].set_index("metric")
    rows += [difference_row(m, district_rows.loc[m], lang) for m in headline]
    zones = table[table["level"] == "zone"]
    for zone in district.zones:
        own = zones[zones["area"] == zone.key]
        if len(own):
            rows.append(group_row(zone.name if lang == "zh" else zone.name_en))
            rows += [difference_row(r.metric, r, lang) for r in own.itertuples()]
    return rows


def group_row(name: str) -> dict:
    return {"group": name}


def difference_row(metric: str, row, lang: str) -> dict:
    return {"group": None, "name": label(metric, lang), "a": level(metric, row.a_mean),
            "b": level(metric, row.b_mean), "change": change(metric, row.difference, lang),
            "interval": interval(metric, row.ci_low, row.ci_high), "verdict": verdict(row.verdict, lang)}


def verdict(v: str, lang: str) -> dict:
    return {"word": verdict_word(v, lang) or "–", "colour": verdict_colour(v)}


def _unit(metric: str) -> tuple[str, float]:
    """A metric's unit and the factor it is shown at (shares in %, as on the page)."""
    return (MEASURES[metric].unit if metric in MEASURES else "", shown_scale(metric))


def level(metric: str, x: float) -> str:
    """A mean as the page shows it (a share in %)."""
    return number(x, _unit(metric)[0])


def change(metric: str, x: float, lang: str) -> str:
    """A difference as the page shows it (a share's in percentage points)."""
    unit, factor = _unit(metric)
    return signed(x * factor, unit, lang)


def interval(metric: str, low: float, high: float) -> str:
    if missing(low) or missing(high):
        return "–"
    factor = _unit(metric)[1]
    return f"[{signed(low * factor, '', 'en')}, {signed(high * factor, '', 'en')}]"


def contribution_table(table: pd.DataFrame, lang: str) -> dict:
    """Table 2: per lever (total first, interaction last), its contribution to the balance metrics."""
    metrics = [m for m in CONTRIBUTION_METRICS if m in set(table["metric"])]
    rows = []
    for lever in dict.fromkeys(table["lever"]):
        own = table[table["lever"] == lever].set_index("metric")
        cells = [{"change": signed(own.at[m, "difference"] * _unit(m)[1], "", lang),
                  "colour": verdict_colour(own.at[m, "verdict"])} if m in own.index
                 else {"change": "–", "colour": verdict_colour("")} for m in metrics]
        rows.append({"lever": lever_name(lever, lang), "cells": cells})
    heads = [label(m, lang) + ((f"（{text('pp', lang)}）" if lang == "zh" else f" ({text('pp', lang)})")
                               if shown_scale(m) == 100 else "") for m in metrics]
    return {"metrics": heads, "rows": rows}


def lever_name(key: str, lang: str) -> str:
    if key in ("total", "interaction"):
        return text(key, lang)
    if key in LEVERS:
        return LEVERS[key].label if lang == "zh" else LEVERS[key].label_en
    return key


def lever_rows(a: cfg.Config, b: cfg.Config, district, lang: str) -> list[dict]:
    """Table 3: the lever fields in which B differs from A, grouped by lever, with A's and B's values."""
    changed = cfg.lever_values(b, a)
    base = a.to_dict()["levers"]
    groups = []
    for name, cls in LEVERS.items():
        rows = []
        for field, kind, spec, _ in specs(cls):
            key = f"levers.{name}.{field}"
            if key not in changed:
                continue
            # (the two fields every lever has are named briefly here and explained once, in the note)
            shown = text(field, lang) if field in TIMING else field_label(name, field, spec.doc, lang)
            rows.append({"field": shown,
                         "a": value(base[name][field], kind, spec, district, lang),
                         "b": value(changed[key], kind, spec, district, lang) + shown_unit(kind, spec, lang)})
        if rows:
            groups.append({"lever": cls.label if lang == "zh" else cls.label_en, "rows": rows})
    return groups


def shown_unit(kind: str, spec, lang: str) -> str:
    """A number's unit after its value: not for a share (shown in %) nor a month number (its label says so)."""
    if kind not in ("int", "float") or spec.unit in ("", "share", "month"):
        return ""
    return f" {unit(spec.unit, lang)}"


def value(x, kind: str, spec, district, lang: str) -> str:
    """A lever field's value in words: yes/no, a share in %, street or choice names, a number."""
    if kind == "bool":
        return text("yes" if x else "no", lang)
    if kind == STREETS:
        names = [area_name(district, v, lang) if v in district.street_names else choice(v, lang) for v in x]
        return text("list_sep", lang).join(names) or "–"
    if kind == "str":
        return choice(x, lang)
    if spec.unit == "share":
        return f"{100 * x:.0f}%" if round(100 * x, 6).is_integer() else f"{100 * x:.1f}%"
    if isinstance(x, float) and not x.is_integer():
        return f"{x:,.3g}" if abs(x) < 1000 else f"{x:,.0f}"
    return f"{int(x):,}"


def draw(c: Comparison, district, lang: str, folder: Path) -> dict:
    """The charts and the map as PNG files in ``folder``; their names for brief.json."""
    import matplotlib.pyplot as plt

    from sim import analysis, plots

    plots.setup()
    charts = []
    for metric in CHARTS:
        fig, _ = series_chart(analysis.band(c.model, metric, "scenario"), metric, c.names, lang)
        charts.append(f"chart_{metric}.png")
        save(fig, folder / charts[-1])
    streets = c.differences[(c.differences["level"] == "street") & (c.differences["metric"] == MAP_METRIC)]
    fig, _ = difference_map(streets, district, MAP_METRIC, lang)
    save(fig, folder / "map.png")
    plt.close("all")
    return {"charts": charts, "map": "map.png"}


def save(fig, path: Path) -> None:
    import matplotlib.pyplot as plt

    try:
        fig.savefig(path, dpi=DPI)
    finally:
        plt.close(fig)


def series_chart(bands: pd.DataFrame, metric: str, names: tuple[str, str], lang: str):
    """One metric over the months: A's and B's mean over seeds with its 95% band (``analysis.band``
    by scenario), drawn at its printed size (half the page's width)."""
    import matplotlib.pyplot as plt

    k = shown_scale(metric)
    fig, ax = plt.subplots(figsize=(3.5, 1.9))
    for name, colour in zip(names, COLOURS, strict=True):
        rows = bands[bands["scenario"] == name]
        ax.fill_between(rows["month"], k * rows["ci_low"], k * rows["ci_high"], color=colour, alpha=0.18, linewidth=0)
        ax.plot(rows["month"], k * rows["mean"], color=colour, linewidth=1.2)
    ax.set_title(label(metric, lang) + (" (%)" if k == 100 else ""), fontsize=7.5, loc="left")
    ax.set_xlabel(text("month", lang), fontsize=6.5, labelpad=1)
    ax.tick_params(labelsize=6, length=2, pad=1.5)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(color="#e5e5e5", linewidth=0.5)
    ax.margins(x=0)
    ax.set_ylim(0, axis_top(metric))  # from zero, as on the page: noise must not look like an effect
    fig.tight_layout(pad=0.3)
    return fig, ax


def difference_map(streets: pd.DataFrame, district, metric: str, lang: str):
    """The streets coloured by B − A of ``metric`` (differences.csv's street rows), outlined where
    the verdict is clear, labelled with name and change; a legend in words, a scale bar and a north
    arrow (the note that the shapes are stylised is the brief's text under it)."""
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib import patheffects
    from matplotlib.collections import PolyCollection
    from matplotlib.colors import Normalize
    from matplotlib.patches import Patch, Polygon

    from sim.ui.maps import OUTLINE_COLOUR

    cells = district.street_polygons()
    rows = streets.drop_duplicates("area").set_index("area").reindex(list(district.street_names))
    values = rows["difference"].to_numpy(dtype=float)
    limit = float(np.nanmax(np.abs(values))) if np.isfinite(values).any() else 0.0
    cmap = plt.get_cmap("PuOr_r").with_extremes(bad="#dddddd")
    fig, ax = plt.subplots(figsize=(3.3, 3.5))
    patches = PolyCollection(cells, array=np.ma.masked_invalid(values), cmap=cmap,
                             norm=Normalize(-(limit or 1.0), limit or 1.0), edgecolors="white", linewidths=0.8)
    ax.add_collection(patches)
    for cell, v in zip(cells, rows["verdict"].fillna(""), strict=True):
        if v in ("better", "worse") and len(cell):
            ax.add_patch(Polygon(cell, closed=True, fill=False, edgecolor=verdict_colour(v), linewidth=1.6))
    halo = [patheffects.withStroke(linewidth=1.4, foreground="white")]  # (readable on any fill, and off a sliver)
    for i, name in enumerate(district.street_names):
        ax.text(*(centroid(cells[i]) if len(cells[i]) >= 3 else district.xy[i]),
                f"{area_name(district, name, lang)}\n{change(metric, values[i], lang)}", ha="center", va="center",
                fontsize=4.8, linespacing=1.05, path_effects=halo)
    outline = district.outline()
    for ring in outline:
        ax.add_patch(Polygon(ring, closed=True, fill=False, edgecolor=OUTLINE_COLOUR, linewidth=1.0))
    corners = np.vstack(outline or [c for c in cells if len(c)] or [district.xy])
    (x0, y0), (x1, y1) = corners.min(axis=0), corners.max(axis=0)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    # a 2 km scale bar (the shapes are in km) and a north arrow (y points north)
    ax.plot([x1 - 2.5, x1 - 0.5], [y0 + 0.3, y0 + 0.3], color="black", linewidth=1.5, solid_capstyle="butt")
    ax.text(x1 - 1.5, y0 + 0.5, f"2 {text('km', lang)}", ha="center", va="bottom", fontsize=5.5)
    ax.annotate("", xy=(x1 - 0.5, y1 - 0.2), xytext=(x1 - 0.5, y1 - 1.7),
                arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.0})
    ax.text(x1 - 0.9, y1 - 0.5, text("north", lang), ha="right", va="center", fontsize=6.5)
    bar = fig.colorbar(patches, ax=ax, orientation="horizontal", fraction=0.045, pad=0.02, aspect=30)
    bar.ax.tick_params(labelsize=5.5, length=2, pad=1)
    bar.set_label(f"← {text('map_down', lang)}    {text('map_up', lang)} →", fontsize=5.5, labelpad=2)
    words = [Patch(facecolor="none", edgecolor=verdict_colour(v), linewidth=1.6,
                   label=verdict_word(v, lang) + text("outline", lang)) for v in ("better", "worse")]
    words.append(Patch(facecolor="#dddddd", edgecolor="white", label=text("no_data", lang)))
    ax.legend(handles=words, loc="upper left", fontsize=5.5, frameon=False, handlelength=1.4, borderaxespad=0.1)
    fig.tight_layout(pad=0.2)
    return fig, ax


def centroid(ring):
    """The centroid of a polygon (one vertex a row, not closed): where its label goes."""
    import numpy as np

    x, y = ring[:, 0], ring[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    area = cross.sum() / 2
    if abs(area) < 1e-12:
        return ring.mean(axis=0)
    return np.array([((x + np.roll(x, -1)) * cross).sum(), ((y + np.roll(y, -1)) * cross).sum()]) / (6 * area)
