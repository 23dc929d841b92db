"""What the page draws, built from a session's ensembles: the line charts' figures
(``sim.ui.widgets.LineCharts``: means with 95% bands over the seeds, the reference dashed), the
map's colours (``sim.ui.maps``) and the HTML of the headline cards and difference tables.

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


def _clean(values, length: int | None = None) -> list:
    """Values for a chart: rounded to 4 decimals, None where missing (and after the last value,
    up to ``length``)."""
    values = np.asarray(values, dtype=float)
    out = np.round(values, 4).tolist()
    for i in np.flatnonzero(~np.isfinite(values)):
        out[i] = None
    return out + [None] * ((length or 0) - len(out))


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


# -------------------------------------------------------------- line charts (``sim.ui.widgets.LineCharts``)
START_COLOUR = "#8250df"  # the dotted lines where levers start (as the time slider's marks)


def _line(name: str, values, colour: str, length: int, dashed: bool = False, width: float = 2.0,
          right: bool = False) -> dict:
    return {"label": name, "colour": colour, "width": width, "dash": dashed, "right": right,
            "data": _clean(values, length)}


def _band(low, high, colour: str, length: int, opacity: float = 0.18) -> dict:
    """A 95% band, shaded between its bounds."""
    return {"low": _clean(low, length), "high": _clean(high, length), "colour": colour, "opacity": opacity}


def _digits(series: list[dict]) -> int:
    """Decimals for the legend's values: 3 below 10 (a ratio, an index), 1 below 1000, else none."""
    top = max([abs(v) for line in series for v in line["data"] if v is not None], default=0.0)
    return 3 if top < 10 else 1 if top < 1000 else 0


def _panel(title: str, series: list[dict], bands: list[dict], metric: str, marks: dict | None = None) -> dict:
    """A panel: its lines, bands and marks over the dates; y from zero (shares 0–100 %; the unit is
    in the title: "…（%）")."""
    return {"title": title, "digits": _digits(series), "y": {"min": 0, "max": axis_top(metric)},
            "series": series, "bands": bands, "marks": marks or {}}


def _starts(session) -> list[dict]:
    """Dotted vertical lines where levers start (named in the time slider's marks)."""
    return [{"at": m - 1, "colour": START_COLOUR}
            for m in lever_starts(session.config, "en") if 1 < m <= session.months]


def metric_panel(session, name: str, lang: str) -> dict:
    """A district metric: the current levers' mean and band, the reference's dashed with its band."""
    scale, shown, n = shown_scale(name), session.month, session.months
    series, bands = [], []
    if shown:
        mean, low, high = (x * scale for x in mean_band(session.live.values(name, shown)))
        series.append(_line(t("current", lang), mean, LINE_COLOURS[0], n))
        bands.append(_band(low, high, LINE_COLOURS[0], n))
    if session.reference is not None:
        mean, low, high = (x * scale for x in mean_band(session.reference.values(name, n)))
        series.append(_line(t("reference", lang), mean, REFERENCE, n, dashed=True))
        bands.append(_band(low, high, REFERENCE, n, 0.12))
    return _panel(metric_name(name, lang), series, bands, name, {"x": _starts(session)})


def zones_panel(session, name: str, lang: str) -> dict:
    """A metric for the district (mean and band) and each zone (means); the reference district
    dashed; the jobs–housing ratio's balanced band shaded."""
    district, shown, n = session.district, session.month, session.months
    scale = shown_scale(name)
    series, bands = [], []
    if shown:
        mean, low, high = (x * scale for x in mean_band(session.live.values(name, shown)))
        series.append(_line(t("district", lang), mean, "#333333", n))
        bands.append(_band(low, high, "#333333", n))
        for z, zone in enumerate(district.zones):
            zone_mean, _, _ = mean_band(session.live.area_values("zones", z, len(district.zones), name, shown))
            series.append(_line(zone.name if lang == "zh" else zone.name_en, zone_mean * scale, zone_colour(z), n,
                                width=1.5))
    if session.reference is not None:
        mean, _, _ = mean_band(session.reference.values(name, n))
        label = f"{t('district', lang)}（{t('reference', lang)}）" if lang == "zh" else \
            f"district ({t('reference', lang)})"
        series.append(_line(label, mean * scale, REFERENCE, n, dashed=True))
    marks = {"x": _starts(session)}
    if name == "jobs_housing_ratio":
        marks["band"] = {"low": BALANCED_BAND[0], "high": BALANCED_BAND[1], "colour": "rgba(26,127,55,0.08)",
                         "label": t("balanced_band", lang), "text": "#1a7f37"}
    panel = _panel(metric_name(name, lang), series, bands, name, marks)
    if name == "jobs_housing_ratio":  # the whole balanced band in view, whatever the values
        top = max([v for line in series for v in line["data"] if v is not None] + [BALANCED_BAND[1]])
        panel["y"]["max"] = float(np.ceil(top * 10 + 0.5) / 10)
    return panel


def teachers_panel(session, lang: str) -> dict:
    """Students per teacher by level (means and bands) against the national staffing standard (dotted)."""
    standards = session.district.public.standards()
    shown, n = session.month, session.months
    series, bands, marks = [], [], []
    for i, level in enumerate(("primary", "junior", "senior")):
        name = f"students_per_teacher_{level}"
        label, colour = metric_name(name, lang), LINE_COLOURS[i + 1]
        mean, low, high = mean_band(session.live.values(name, shown)) if shown else ([], [], [])
        series.append(_line(label, mean, colour, n))
        if shown:
            bands.append(_band(low, high, colour, n))
        marks.append({"at": float(standards[i]), "label": f"{t('standard', lang)} 1:{standards[i]:g}",
                      "colour": colour})
        if session.reference is not None:
            ref, _, _ = mean_band(session.reference.values(name, n))
            series.append(_line(f"{label} ({t('reference', lang)})", ref, colour, n, dashed=True, width=1.2))
    panel = _panel(t("teachers_chart", lang), series, bands, "students_per_teacher_primary",
                   {"x": _starts(session), "y": marks})
    panel["y"]["max"] = float(max(standards) * 1.5)  # the standards' lines always on the chart
    return panel


COLUMNS, PANEL_HEIGHT = 2, 190  # the indicator panels: panels per row, pixels of each plot


def combine(panels: list[dict], session, lang: str, columns: int = COLUMNS, height: int = PANEL_HEIGHT,
            title: str = "") -> dict:
    """Panels as one figure of ``LineCharts`` over the run's dates."""
    return {"columns": columns, "height": height, "dates": session.dates, "month_label": t("life_date", lang),
            "title": title, "panels": panels}


def indicator_panels(session, zone_panels, line_panels, lang: str) -> dict:
    panels = [zones_panel(session, name, lang) for name in zone_panels]
    panels += [metric_panel(session, name, lang) for name in line_panels]
    panels.append(teachers_panel(session, lang))
    return combine(panels, session, lang)


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


def street_map(session, metric: str, month: int, lang: str) -> dict:
    """The map's colours of ``month`` (``maps.colours``)."""
    values = street_values(session, metric, month)
    title = f"{metric_name(metric, lang)} · {session.date(month)}" if month else metric_name(metric, lang)
    return maps.colours(metric, values, session.district, lang, title=title)


def street_trends(session, street: str, lang: str) -> dict:
    """One street's residents, jobs, rent, commute and services over the months: means with bands,
    the reference dashed."""
    district = session.district
    i, n_streets, n = district.street_names.index(street), district.n_streets, session.months
    panels = []
    for name in STREET_TRENDS:
        series, bands = [], []
        scale = shown_scale(name)
        if session.month:
            mean, low, high = (x * scale for x in mean_band(session.live.area_values("streets", i, n_streets, name,
                                                                                     session.month)))
            series.append(_line(t("current", lang), mean, LINE_COLOURS[0], n))
            bands.append(_band(low, high, LINE_COLOURS[0], n))
        if session.reference is not None:
            mean, _, _ = mean_band(session.reference.area_values("streets", i, n_streets, name, n))
            series.append(_line(t("reference", lang), mean * scale, REFERENCE, n, dashed=True))
        panels.append(_panel(metric_name(name, lang), series, bands, name))
    return combine(panels, session, lang, columns=TRENDS_COLUMNS, height=TRENDS_HEIGHT,
                   title=t("street_trends", lang, street=area_name(district, street, lang)))


TRENDS_COLUMNS, TRENDS_HEIGHT = 3, 130  # a street's trends: panels per row, pixels of each plot


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
    index = {d: i for i, d in enumerate(session.dates)}
    n = len(session.dates)
    commute, satisfaction = [np.nan] * n, [np.nan] * n
    for r in line.itertuples():
        if r.date in index:
            commute[index[r.date]], satisfaction[index[r.date]] = r.commute_min, r.satisfaction
    series = [_line(t("life_commute", lang), commute, LINE_COLOURS[1], n),
              _line(t("life_satisfaction", lang), satisfaction, LINE_COLOURS[2], n, right=True)]
    panel = {"title": "", "digits": 1, "series": series, "bands": [], "marks": {},
             "y": {"min": 0, "max": None, "label": t("life_commute", lang)},
             "y2": {"min": 0, "max": 100, "label": t("life_satisfaction", lang), "digits": 1}}
    return combine([panel], session, lang, columns=1, height=200)
