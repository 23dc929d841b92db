"""ECharts options for the page, built from the same tables the CLI writes.

Each function takes data frames (the current run's and, optionally, the pinned reference's) and
returns an ECharts option dict; nothing here knows about the model or Solara.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.colours import zone_colour
from sim.geography import District
from sim.outcomes import label as metric
from sim.ui.i18n import t

LINE_COLOURS = ("#c0392b", "#2c7fb8", "#27ae60", "#8e44ad", "#f39c12")


def _clean(values) -> list:
    return [None if v is None or (isinstance(v, float) and not np.isfinite(v)) else round(float(v), 4)
            for v in values]


def _line(name: str, months, values, colour: str, dashed: bool = False) -> dict:
    return {"name": name, "type": "line", "showSymbol": False, "data": [[int(m), v] for m, v in
                                                                         zip(months, _clean(values), strict=True)],
            "lineStyle": {"color": colour, "type": "dashed" if dashed else "solid", "width": 1.5 if dashed else 2},
            "itemStyle": {"color": colour}, "connectNulls": True}


def _frame(title: str, series: list[dict], lang: str, months: int) -> dict:
    """A panel for ``combine``: its title, axes and series (the legend and grid are laid out there)."""
    return {
        "title": {"text": title, "textStyle": {"fontSize": 13}},
        "xAxis": {"type": "value", "min": 1, "max": months, "name": t("month_axis", lang),
                  "nameLocation": "middle", "nameGap": 22},  # under the axis, clear of the next panel
        "yAxis": {"type": "value", "scale": True},
        "series": series,
    }


def metric_chart(name: str, model: pd.DataFrame, reference: pd.DataFrame | None, lang: str, months: int) -> dict:
    """One district metric over time; the reference run dashed."""
    series = [_line(t("current", lang), model["month"], model[name], LINE_COLOURS[0])] if len(model) else []
    if reference is not None and len(reference):
        series.append(_line(t("reference", lang), reference["month"], reference[name], "#7a7a7a", dashed=True))
    return _frame(metric(name, lang), series, lang, months)


def zones_chart(name: str, model: pd.DataFrame, zones: pd.DataFrame, reference: dict | None, district: District,
                lang: str, months: int) -> dict:
    """A metric for the district and each zone; the reference run's lines dashed."""
    series = []
    for run, dashed in ((dict(model=model, zones=zones), False), (reference, True)):
        if run is None or not len(run["model"]):
            continue
        suffix = f" ({t('reference', lang)})" if dashed else ""
        series.append(_line(t("district", lang) + suffix, run["model"]["month"], run["model"][name], "#444444",
                            dashed))
        for z, zone in enumerate(district.zones):
            rows = run["zones"][run["zones"]["zone"] == zone.key]
            label = (zone.name if lang == "zh" else zone.name_en) + suffix
            series.append(_line(label, rows["month"], rows[name], zone_colour(z), dashed))
    return _frame(metric(name, lang), series, lang, months)


def teachers_chart(model: pd.DataFrame, reference: pd.DataFrame | None, district: District, lang: str,
                   months: int) -> dict:
    """Students per teacher by level against the national staffing standard (dotted)."""
    levels = ("primary", "junior", "senior")
    standards = district.public.standards()
    series = []
    for i, level in enumerate(levels if len(model) else ()):
        col = f"students_per_teacher_{level}"
        line = _line(metric(col, lang), model["month"], model[col], LINE_COLOURS[i])
        line["markLine"] = {"symbol": "none", "silent": True,
                            "label": {"formatter": f"{t('standard', lang)} 1:{standards[i]:g}",
                                      "position": "insideEndTop", "fontSize": 10},
                            "lineStyle": {"type": "dotted", "color": LINE_COLOURS[i]},
                            "data": [{"yAxis": float(standards[i])}]}
        series.append(line)
        if reference is not None and len(reference):
            series.append(_line(metric(col, lang) + f" ({t('reference', lang)})", reference["month"],
                                reference[col], LINE_COLOURS[i], dashed=True))
    return _frame(t("teachers_chart", lang), series, lang, months)


def geojson(district: District) -> dict:
    """The stylised street shapes as GeoJSON for an ECharts map (coordinates in km)."""
    features = []
    for name, cell in zip(district.street_names, district.street_polygons(), strict=True):
        ring = [[round(float(x), 3), round(float(y), 3)] for x, y in cell]
        features.append({"type": "Feature", "properties": {"name": name},
                         "geometry": {"type": "Polygon", "coordinates": [ring + ring[:1]]}})
    return {"type": "FeatureCollection", "features": features}


def map_chart(name: str, streets: pd.DataFrame, district: District, lang: str, map_name: str) -> dict:
    """The streets coloured by a metric in the latest month, zones outlined, names shown."""
    latest = streets[streets["month"] == streets["month"].max()] if len(streets) else streets
    values = latest.set_index("sub_area")[name] if len(latest) else pd.Series(dtype=float)
    zone_of = district.zone_of_street()
    data = []
    for i, street in enumerate(district.street_names):
        value = values.get(street, np.nan)
        item = {"name": street, "value": None if not np.isfinite(value) else round(float(value), 3)}
        if zone_of[i] >= 0:
            item["itemStyle"] = {"borderColor": zone_colour(zone_of[i]), "borderWidth": 3}
        data.append(item)
    finite = [d["value"] for d in data if d["value"] is not None]
    low, high = (min(finite), max(finite)) if finite else (0.0, 1.0)
    if name == "jobs_housing_ratio":  # balance (1) in the middle of the scale
        span = max(abs(low - 1.0), abs(high - 1.0), 0.05)
        low, high = 1.0 - span, 1.0 + span
    name_map = {} if lang == "zh" else dict(zip(district.street_names, district.street_pinyin, strict=True))
    return {
        "title": {"text": metric(name, lang), "textStyle": {"fontSize": 13}},
        "tooltip": {"trigger": "item"},
        "visualMap": {"min": round(low, 3), "max": round(high, 3), "calculable": True, "left": 0, "bottom": 10,
                      "inRange": {"color": ["#313695", "#74add1", "#ffffbf", "#f46d43", "#a50026"]}},
        "series": [{"type": "map", "map": map_name, "aspectScale": 1.0, "roam": False, "nameMap": name_map,
                    "label": {"show": True, "fontSize": 11}, "emphasis": {"label": {"show": True}},
                    "data": [{**d, "name": name_map.get(d["name"], d["name"])} for d in data]}],
        "animation": False,
    }


COLUMNS, PANEL_HEIGHT = 2, 250  # the combined figure's layout: panels per row, pixels per panel


def combined_height(n_panels: int) -> int:
    """Pixels the figure ``combine`` makes of ``n_panels`` needs."""
    return -(-n_panels // COLUMNS) * PANEL_HEIGHT


def combine(panels: list[dict]) -> dict:
    """Several single-grid options as one figure: each panel keeps its title, legend, axes and
    series in its own grid (one widget to update per month instead of one per panel); it is
    ``combined_height(len(panels))`` pixels high."""
    out = {"title": [], "legend": [], "grid": [], "xAxis": [], "yAxis": [], "series": [],
           "tooltip": {"trigger": "axis"}, "animation": False}
    for i, panel in enumerate(panels):
        row, col = divmod(i, COLUMNS)
        left, top = col * 100 / COLUMNS, row * PANEL_HEIGHT
        names = [s["name"] for s in panel["series"]]
        out["title"].append({**panel["title"], "left": f"{left + 1}%", "top": top})
        out["legend"].append({"data": names, "type": "scroll", "left": f"{left + 1}%", "top": top + 20,
                              "width": f"{100 / COLUMNS - 4}%", "textStyle": {"fontSize": 10}})
        out["grid"].append({"left": f"{left + 1}%", "width": f"{100 / COLUMNS - 4}%", "top": top + 55,
                            "height": PANEL_HEIGHT - 90, "containLabel": True})  # room for long tick labels
        out["xAxis"].append({**panel["xAxis"], "gridIndex": i})
        out["yAxis"].append({**panel["yAxis"], "gridIndex": i})
        out["series"] += [{**s, "xAxisIndex": i, "yAxisIndex": i} for s in panel["series"]]
    return out


def life_chart(line: pd.DataFrame, lang: str, months: int) -> dict:
    """One person's commute and satisfaction month by month (satisfaction on the right axis)."""
    option = _frame("", [
        _line(t("life_commute", lang), line["month"], line["commute_min"], LINE_COLOURS[1]),
        {**_line(t("life_satisfaction", lang), line["month"], line["satisfaction"], LINE_COLOURS[2]),
         "yAxisIndex": 1},
    ], lang, months)
    option["yAxis"] = [{"type": "value", "min": 0, "name": t("life_commute", lang)},
                       {"type": "value", "min": 0, "max": 100, "name": t("life_satisfaction", lang)}]
    option["legend"] = {"top": 22}
    option["grid"] = {"top": 60, "left": 50, "right": 50, "bottom": 40}
    option["tooltip"] = {"trigger": "axis"}
    return option
