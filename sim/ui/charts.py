"""What the page draws, built from a session's ensembles: ECharts options (means with 95% bands
over the seeds, the reference dashed) and the HTML of the headline cards and difference tables.

Every figure the page shows of several seeds is their mean with a 95% t-interval; a difference
from the reference pairs the seeds (common random numbers) and gets the verdict of
``sim.comparison``. Shares are shown in per cent and their differences in percentage points;
y-axes start at zero, so the seeds' noise is not blown up into a trend.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
from scipy import stats

from sim import comparison
from sim.colours import zone_colour
from sim.outcomes import BALANCED_BAND, axis_top, column, shown_scale
from sim.policies import LEVERS
from sim.ui import maps
from sim.ui.i18n import (
    area_name,
    definition,
    empty_reason,
    metric_name,
    number,
    scenario_title,
    signed,
    t,
    verdict_colour,
    verdict_word,
)

LINE_COLOURS = ("#c0392b", "#2c7fb8", "#27ae60", "#8e44ad", "#f39c12")
REFERENCE = "#6e7781"
STREET_TRENDS = ("residents", "jobs", "rent_index", "mean_commute_min", "service_quality")


# -------------------------------------------------------------- statistics over seeds
def mean_band(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per column of a seeds × months array: the mean and its 95% t-interval (nan bounds where
    fewer than two seeds have a value)."""
    finite = np.isfinite(values)
    n = finite.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, np.nansum(values, axis=0) / np.maximum(n, 1), np.nan)
        sd = np.sqrt(np.nansum((values - mean) ** 2, axis=0) / np.maximum(n - 1, 1))
        half = np.where(n > 1, _t975(np.maximum(n - 1, 1)) * sd / np.sqrt(np.maximum(n, 1)), np.nan)
    return mean, mean - half, mean + half


_T975 = stats.t.ppf(0.975, np.arange(1, 1001))  # Student's t 0.975 quantile by degrees of freedom


def _t975(dfs: np.ndarray) -> np.ndarray:
    """The t quantile of each degrees of freedom (a table: scipy's ppf costs ~0.2 ms a call, and
    the page draws dozens of bands each month)."""
    return _T975[dfs - 1] if dfs.max(initial=1) <= len(_T975) else stats.t.ppf(0.975, dfs)


def _clean(values) -> list:
    """Values for an ECharts series: rounded to 4 decimals, None where missing."""
    values = np.asarray(values, dtype=float)
    out = np.round(values, 4).tolist()
    for i in np.flatnonzero(~np.isfinite(values)):
        out[i] = None
    return out


# -------------------------------------------------------------- the headline cards
def headline_cards(session, names: tuple[str, ...], month: int, lang: str) -> str:
    """One card per metric for ``month``: the mean over seeds with its 95% interval, and against the
    reference the paired difference with its interval and verdict (the card's top border in the
    verdict's colour). Hovering a card gives the metric's definition; ``data-month`` says which
    month a card shows (the browser tests wait on it)."""
    cards = []
    ref = session.reference
    for name in names:
        scale = shown_scale(name)
        tip = html.escape(definition(name, lang), quote=True)
        if month == 0:
            value, ci, diff, judged, colour = "—", t("not_started", lang), "", "", "#d0d7de"
        else:
            values = session.live.values(name, month)[:, month - 1]
            mean, low, high = (float(x[0]) for x in mean_band(values[:, None]))
            if not np.isfinite(mean):
                value, ci = "—", empty_reason(name, lang)
            else:
                value = number(mean * scale, column(name).unit, shown=True)
                ci = t("ci", lang, half=number((high - mean) * scale, column(name).unit, shown=True)) \
                    if np.isfinite(high) else ""
            diff, judged, colour = "", "", "#d0d7de"
            if ref is not None and month <= ref.computed:
                before = ref.values(name, month)[:, month - 1]
                d_mean, d_low, d_high = (float(x[0]) for x in mean_band((values - before)[:, None]))
                verdict = comparison.verdict(name, before, values)
                if np.isfinite(d_mean):
                    colour = verdict_colour(verdict)
                    diff = (f"{t('vs_reference', lang)} {signed(d_mean * scale, column(name).unit, lang)} "
                            f"<span class='nowrap'>[{signed(d_low * scale, '', lang)}, "
                            f"{signed(d_high * scale, '', lang)}]</span>")
                    judged = verdict_word(verdict, lang) if verdict else ""
        cards.append(f"<div class='card kpi-card-{name}' data-month='{month}' title='{tip}' "
                     f"style='border-top-color:{colour}'>"
                     f"<div class='kpi-label'>{html.escape(metric_name(name, lang))}</div>"
                     f"<div class='kpi kpi-{name}'>{value}</div><div class='kpi-ci'>{ci}</div>"
                     f"<div class='kpi-diff'>{diff}</div>"
                     f"<div class='kpi-verdict' style='color:{colour}'>{judged}</div></div>")
    return "".join(cards)


# -------------------------------------------------------------- time
def lever_starts(config, lang: str) -> dict[int, str]:
    """The months where a lever of the scenario starts (levers left as in 2018 aside), with their names."""
    out: dict[int, list[str]] = {}
    for lever in config.levers:
        if lever != type(lever)():
            cls = LEVERS[lever.name]
            out.setdefault(lever.start_month, []).append(cls.label if lang == "zh" else cls.label_en)
    metro = config.levers.transport.metro_month
    if metro:
        out.setdefault(metro, []).append(t("metro_opens", lang))
    return {m: "、".join(names) if lang == "zh" else ", ".join(names) for m, names in sorted(out.items())}


# -------------------------------------------------------------- line charts
def _line(name: str, values, colour: str, dashed: bool = False, width: float = 2.0) -> dict:
    return {"name": name, "type": "line", "showSymbol": False, "data": _clean(values),
            "lineStyle": {"color": colour, "type": "dashed" if dashed else "solid", "width": width},
            "itemStyle": {"color": colour}, "connectNulls": False}


def _band(name: str, low, high, colour: str, opacity: float = 0.18) -> list[dict]:
    """A 95% band: the lower bound (invisible) and the width stacked on it, shaded."""
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    common = {"type": "line", "stack": name, "showSymbol": False, "silent": True, "tooltip": {"show": False},
              "lineStyle": {"opacity": 0}, "emphasis": {"disabled": True}}
    return [{**common, "name": name, "data": _clean(low)},
            {**common, "name": name, "data": _clean(high - low), "areaStyle": {"color": colour, "opacity": opacity}}]


def _panel(title: str, series: list[dict], session, lang: str, metric: str, legend: list[str]) -> dict:
    """A panel for ``combine``: its title, axes (dates; values from zero, shares 0–100 %) and series."""
    y_axis = {"type": "value", "min": 0}  # (the unit is in the title: "…（%）")
    if axis_top(metric) is not None:
        y_axis["max"] = axis_top(metric)
    return {"title": {"text": title, "textStyle": {"fontSize": 12}}, "legend": legend,
            "xAxis": {"type": "category", "data": session.dates, "boundaryGap": False,
                      "axisLabel": {"fontSize": 10}},
            "yAxis": y_axis, "series": series}


def _starts(session) -> dict:
    """Dotted vertical lines where levers start (named in the time slider's marks)."""
    months = [m for m in lever_starts(session.config, "en") if 1 < m <= session.months]
    return {"symbol": "none", "silent": True, "label": {"show": False},
            "lineStyle": {"type": "dotted", "color": "#8250df"},
            "data": [{"xAxis": session.date(m)} for m in months]}


def metric_panel(session, name: str, lang: str) -> dict:
    """A district metric: the current levers' mean and band, the reference's dashed with its band."""
    scale, shown = shown_scale(name), session.month
    series, legend = [], []
    if shown:
        mean, low, high = (x * scale for x in mean_band(session.live.values(name, shown)))
        current = t("current", lang)
        series += [{**_line(current, mean, LINE_COLOURS[0]), "markLine": _starts(session)},
                   *_band(current + " 95%", low, high, LINE_COLOURS[0])]
        legend.append(current)
    if session.reference is not None:
        mean, low, high = (x * scale for x in mean_band(session.reference.values(name, session.months)))
        reference = t("reference", lang)
        series += [_line(reference, mean, REFERENCE, dashed=True), *_band(reference + " 95%", low, high, REFERENCE,
                                                                           0.12)]
        legend.append(reference)
    return _panel(metric_name(name, lang), series, session, lang, name, legend)


def zones_panel(session, name: str, lang: str) -> dict:
    """A metric for the district (mean and band) and each zone (means); the reference district
    dashed; the jobs–housing ratio's balanced band shaded."""
    district, shown = session.district, session.month
    scale = shown_scale(name)
    series, legend = [], []
    n_zones = len(district.zones)
    if shown:
        mean, low, high = (x * scale for x in mean_band(session.live.values(name, shown)))
        label = t("district", lang)
        line = _line(label, mean, "#333333")
        line["markLine"] = _starts(session)
        if name == "jobs_housing_ratio":
            line["markArea"] = {"silent": True, "itemStyle": {"color": "rgba(26,127,55,0.08)"},
                                "label": {"show": True, "position": "insideTopRight", "fontSize": 9,
                                          "color": "#1a7f37", "formatter": t("balanced_band", lang)},
                                "data": [[{"yAxis": BALANCED_BAND[0]}, {"yAxis": BALANCED_BAND[1]}]]}
        series += [line, *_band(label + " 95%", low, high, "#333333")]
        legend.append(label)
        for z, zone in enumerate(district.zones):
            zone_mean, _, _ = mean_band(session.live.area_values("zones", z, n_zones, name, shown))
            label = zone.name if lang == "zh" else zone.name_en
            series.append(_line(label, zone_mean * scale, zone_colour(z), width=1.5))
            legend.append(label)
    if session.reference is not None:
        mean, _, _ = mean_band(session.reference.values(name, session.months))
        label = f"{t('district', lang)}（{t('reference', lang)}）" if lang == "zh" else \
            f"district ({t('reference', lang)})"
        series.append(_line(label, mean * scale, REFERENCE, dashed=True))
        legend.append(label)
    panel = _panel(metric_name(name, lang), series, session, lang, name, legend)
    if name == "jobs_housing_ratio":  # the whole balanced band in view, whatever the values
        top = max([v for s in series for v in s["data"] if v is not None] + [BALANCED_BAND[1]])
        panel["yAxis"]["max"] = float(np.ceil(top * 10 + 0.5) / 10)
    return panel


def teachers_panel(session, lang: str) -> dict:
    """Students per teacher by level (means and bands) against the national staffing standard (dotted)."""
    standards = session.district.public.standards()
    series, legend = [], []
    shown = session.month
    for i, level in enumerate(("primary", "junior", "senior")):
        name = f"students_per_teacher_{level}"
        label = metric_name(name, lang)
        if shown:
            mean, low, high = mean_band(session.live.values(name, shown))
            line = _line(label, mean, LINE_COLOURS[i + 1])
            series += [line, *_band(label + " 95%", low, high, LINE_COLOURS[i + 1])]
        else:
            line = _line(label, [], LINE_COLOURS[i + 1])
            series.append(line)
        line["markLine"] = {"symbol": "none", "silent": True,
                            "label": {"formatter": f"{t('standard', lang)} 1:{standards[i]:g}",
                                      "position": "insideEndTop", "fontSize": 9},
                            "lineStyle": {"type": "dotted", "color": LINE_COLOURS[i + 1]},
                            "data": [{"yAxis": float(standards[i])}]}
        legend.append(label)
        if session.reference is not None:
            ref, _, _ = mean_band(session.reference.values(name, session.months))
            series.append(_line(f"{label} ({t('reference', lang)})", ref, LINE_COLOURS[i + 1], dashed=True,
                                width=1.2))
    panel = _panel(t("teachers_chart", lang), series, session, lang, "students_per_teacher_primary", legend)
    panel["yAxis"]["max"] = float(max(standards) * 1.5)  # the standards' lines always on the chart
    return panel


COLUMNS, PANEL_HEIGHT = 2, 270  # the combined figure's layout: panels per row, pixels per panel


def combined_height(n_panels: int) -> int:
    """Pixels the figure ``combine`` makes of ``n_panels`` needs."""
    return -(-n_panels // COLUMNS) * PANEL_HEIGHT


def combine(panels: list[dict]) -> dict:
    """Several single-grid options as one figure: each panel keeps its title, legend, axes and
    series in its own grid (one widget to update per month instead of one per panel); it is
    ``combined_height(len(panels))`` pixels high. Legends wrap (never page) above their grid."""
    out = {"title": [], "legend": [], "grid": [], "xAxis": [], "yAxis": [], "series": [],
           "tooltip": {"trigger": "axis", "confine": True}, "animation": False}
    for i, panel in enumerate(panels):
        row, col = divmod(i, COLUMNS)
        left, top = col * 100 / COLUMNS, row * PANEL_HEIGHT
        out["title"].append({**panel["title"], "left": f"{left + 1}%", "top": top})
        out["legend"].append({"data": panel["legend"], "type": "plain", "left": f"{left + 1}%", "top": top + 18,
                              "width": f"{100 / COLUMNS - 3}%", "itemWidth": 14, "itemHeight": 8, "itemGap": 6,
                              "textStyle": {"fontSize": 10}})
        out["grid"].append({"left": f"{left + 1}%", "width": f"{100 / COLUMNS - 4}%", "top": top + 72,
                            "height": PANEL_HEIGHT - 105, "containLabel": True})
        out["xAxis"].append({**panel["xAxis"], "gridIndex": i})
        out["yAxis"].append({**panel["yAxis"], "gridIndex": i})
        out["series"] += in_grid(panel["series"], i)
    return out


def in_grid(series: list[dict], i: int) -> list[dict]:
    """A panel's series on grid ``i``. ECharts stacks series of one stack name across grids, so a
    band's stack is named per grid (else a band would sit on another panel's values)."""
    return [{**s, "xAxisIndex": i, "yAxisIndex": i, **({"stack": f"{s['stack']}#{i}"} if "stack" in s else {})}
            for s in series]


def indicator_panels(session, zone_panels, line_panels, lang: str) -> dict:
    panels = [zones_panel(session, name, lang) for name in zone_panels]
    panels += [metric_panel(session, name, lang) for name in line_panels]
    panels.append(teachers_panel(session, lang))
    return combine(panels)


# -------------------------------------------------------------- the map and a street's trends
def street_values(session, metric: str, month: int) -> dict[str, float | None]:
    """Each street's mean over the seeds in ``month`` (None before the first month)."""
    district = session.district
    if month == 0:
        return dict.fromkeys(district.street_names)
    rows = session.live.month_rows("streets", district.n_streets, month)
    values = np.array([[row[metric] for row in seed] for seed in rows], dtype=float)
    mean, _, _ = mean_band(values)
    return {name: (None if not np.isfinite(v) else float(v)) for name, v in zip(district.street_names, mean,
                                                                                  strict=True)}


def street_map(session, metric: str, month: int, lang: str, map_name: str) -> dict:
    values = street_values(session, metric, month)
    title = f"{metric_name(metric, lang)} · {session.date(month)}" if month else metric_name(metric, lang)
    return maps.map_chart(metric, values, session.district, lang, map_name, title=title)


def street_trends(session, street: str, lang: str) -> dict:
    """One street's residents, jobs, rent, commute and services over the months: means with bands,
    the reference dashed."""
    district = session.district
    i = district.street_names.index(street)
    n = district.n_streets
    panels = []
    for name in STREET_TRENDS:
        series, legend = [], []
        scale = shown_scale(name)
        if session.month:
            mean, low, high = (x * scale for x in mean_band(session.live.area_values("streets", i, n, name,
                                                                                     session.month)))
            series += [_line(t("current", lang), mean, LINE_COLOURS[0]), *_band("c95", low, high, LINE_COLOURS[0])]
            legend.append(t("current", lang))
        if session.reference is not None:
            mean, _, _ = mean_band(session.reference.area_values("streets", i, n, name, session.months))
            series.append(_line(t("reference", lang), mean * scale, REFERENCE, dashed=True))
            legend.append(t("reference", lang))
        panels.append(_panel(metric_name(name, lang), series, session, lang, name, legend))
    option = combine_row(panels)
    option["title"].insert(0, {"text": t("street_trends", lang, street=area_name(district, street, lang)),
                               "textStyle": {"fontSize": 13}, "left": 0, "top": 0})
    return option


def combine_row(panels: list[dict]) -> dict:
    """Small panels in rows of ``TRENDS_COLUMNS`` (a street's trends), with one shared legend line;
    the figure is ``trends_height()`` pixels high."""
    columns, row_height = TRENDS_COLUMNS, TRENDS_ROW
    width = 100 / columns
    out = {"title": [], "legend": [{"data": panels[0]["legend"], "top": 22, "right": 0}], "grid": [], "xAxis": [],
           "yAxis": [], "series": [], "tooltip": {"trigger": "axis", "confine": True}, "animation": False}
    for i, panel in enumerate(panels):
        row, col = divmod(i, columns)
        top = TRENDS_TOP + row * row_height
        out["title"].append({**panel["title"], "left": f"{col * width + 1}%", "top": top,
                             "textStyle": {"fontSize": 11}})
        out["grid"].append({"left": f"{col * width + 1}%", "width": f"{width - 4}%", "top": top + 24,
                            "height": row_height - 50, "containLabel": True})
        out["xAxis"].append({**panel["xAxis"], "gridIndex": i, "axisLabel": {"fontSize": 9}})
        out["yAxis"].append({**panel["yAxis"], "gridIndex": i, "axisLabel": {"fontSize": 9}})
        out["series"] += in_grid(panel["series"], i)
    return out


TRENDS_TOP, TRENDS_COLUMNS, TRENDS_ROW = 48, 3, 170  # a street's trends: title and legend, panels per row, pixels


def trends_height() -> int:
    return TRENDS_TOP + -(-len(STREET_TRENDS) // TRENDS_COLUMNS) * TRENDS_ROW


# -------------------------------------------------------------- the comparison's tables
def difference_tables(session, lang: str) -> str:
    """The comparison's difference table (district, zones, streets) and, when computed, the
    contributions: A, B, B − A with its 95% interval and the verdict, as HTML."""
    result = session.comparison
    a, b = result["a"].config.name, result["b"].config.name
    table = result["differences"]
    district = session.district
    zones = {z.key: (z.name if lang == "zh" else z.name_en) for z in district.zones}
    head = (f"<tr><th>{t('col_area', lang)}</th><th>{t('col_metric', lang)}</th>"
            f"<th>A：{html.escape(scenario_title(a, lang))}</th><th>B：{html.escape(scenario_title(b, lang))}</th>"
            f"<th>{t('col_difference', lang)}</th><th>{t('col_ci', lang)}</th><th>{t('col_verdict', lang)}</th></tr>")
    parts = [f"<p style='font-size:0.85em;margin:4px 0'>{t('compare_note', lang, seeds=len(session.seeds))}</p>"]
    for level in comparison.METRICS:
        rows = table[table["level"] == level]
        if level == "street":
            rows = rows[rows["metric"].isin(("jobs_housing_ratio", "self_containment", "mean_commute_min"))]
        body = []
        for r in rows.itertuples():
            area = (t("district", lang) if level == "district" else zones.get(r.area, r.area) if level == "zone"
                    else area_name(district, r.area, lang))
            unit, scale = column(r.metric).unit, shown_scale(r.metric)
            colour = verdict_colour(r.verdict if isinstance(r.verdict, str) else "")
            verdict = verdict_word(r.verdict, lang) if isinstance(r.verdict, str) else ""
            body.append(f"<tr class='diff-{level}'><td>{html.escape(area)}</td>"
                        f"<td>{html.escape(metric_name(r.metric, lang))}</td>"
                        f"<td>{number(r.a_mean * scale, unit, shown=True)}</td>"
                        f"<td>{number(r.b_mean * scale, unit, shown=True)}</td>"
                        f"<td>{signed(r.difference * scale, unit, lang)}</td>"
                        f"<td>[{signed(r.ci_low * scale, '', lang)}, {signed(r.ci_high * scale, '', lang)}]</td>"
                        f"<td style='color:{colour};font-weight:bold'>{verdict}</td></tr>")
        parts.append(f"<h4 style='margin:8px 0 2px 0'>{t('level_' + level, lang)}</h4>"
                     f"<table class='diff-table diff-table-{level}'>{head}{''.join(body)}</table>")
    if result["contributions"] is not None:
        parts.append(contribution_table(result["contributions"], lang))
    return "".join(parts)


def contribution_table(table: pd.DataFrame, lang: str) -> str:
    """What each lever family did alone (A with that lever of B), the total and the interaction."""
    metrics = ("jobs_housing_ratio", "self_containment", "mean_commute_min")
    head = "".join(f"<th>{html.escape(metric_name(m, lang))}</th>" for m in metrics)
    body = []
    for lever in dict.fromkeys(table["lever"]):
        name = (t("total", lang) if lever == "total" else t("interaction", lang) if lever == "interaction"
                else LEVERS[lever].label if lang == "zh" else LEVERS[lever].label_en)
        cells = []
        for m in metrics:
            row = table[(table["lever"] == lever) & (table["metric"] == m)].iloc[0]
            unit, scale = column(m).unit, shown_scale(m)
            verdict = row["verdict"] if isinstance(row["verdict"], str) else ""
            cells.append(f"<td style='color:{verdict_colour(verdict)}'>{signed(row['difference'] * scale, unit, lang)}"
                         f" [{signed(row['ci_low'] * scale, unit, lang)}, {signed(row['ci_high'] * scale, unit, lang)}]"
                         "</td>")
        body.append(f"<tr><td>{html.escape(name)}</td>{''.join(cells)}</tr>")
    return (f"<h4 style='margin:8px 0 2px 0'>{t('contributions', lang)}</h4>"
            f"<p style='font-size:0.85em;margin:2px 0'>{t('contributions_note', lang)}</p>"
            f"<table class='diff-table contributions'><tr><th>{t('col_lever', lang)}</th>{head}</tr>"
            f"{''.join(body)}</table>")


# -------------------------------------------------------------- one resident
def life_chart(line: pd.DataFrame, session, lang: str) -> dict:
    """One person's commute and satisfaction month by month (satisfaction on the right axis)."""
    months = session.dates
    index = {d: i for i, d in enumerate(months)}
    commute, satisfaction = [None] * len(months), [None] * len(months)
    for r in line.itertuples():
        if r.date in index:
            commute[index[r.date]], satisfaction[index[r.date]] = r.commute_min, r.satisfaction
    return {
        "xAxis": {"type": "category", "data": months, "boundaryGap": False},
        "yAxis": [{"type": "value", "min": 0, "name": t("life_commute", lang)},
                  {"type": "value", "min": 0, "max": 100, "name": t("life_satisfaction", lang)}],
        "series": [_line(t("life_commute", lang), commute, LINE_COLOURS[1]),
                   {**_line(t("life_satisfaction", lang), satisfaction, LINE_COLOURS[2]),
                    "yAxisIndex": 1}],
        "legend": {"top": 0}, "grid": {"top": 40, "left": 50, "right": 50, "bottom": 30},
        "tooltip": {"trigger": "axis", "confine": True}, "animation": False,
    }

