"""The map: the district's real outline, the stylised streets inside it, and the ECharts option."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest
from shapely.geometry import Point, Polygon

from sim.data import DATA_FILE
from sim.errors import InputError
from sim.geography import load_district, lonlat_to_km
from sim.ui.maps import geojson, map_chart

OUTLINE_FILE = DATA_FILE.with_name("chenghua_outline.geojson")


@pytest.fixture(scope="module")
def district():
    return load_district()


def test_outline_file_is_chenghua_in_longitude_and_latitude():
    data = json.loads(OUTLINE_FILE.read_text(encoding="utf-8"))
    (feature,) = data["features"]
    assert feature["properties"]["name"] == "成华区" and feature["properties"]["adcode"] == "510108"
    (ring,) = feature["geometry"]["coordinates"]
    lon, lat = np.array(ring).T
    assert ring[0] == ring[-1] and Polygon(ring).exterior.is_ccw  # closed, counter-clockwise (RFC 7946)
    assert 104.0 < lon.min() < lon.max() < 104.3 and 30.6 < lat.min() < lat.max() < 30.8  # north-east Chengdu


def test_km_frame_is_east_and_north_of_tianfu_square():
    km = lonlat_to_km(np.array([[104.0657, 30.6598], [104.0657, 30.6698], [104.0757, 30.6598]]))
    assert km[0] == pytest.approx([0.0, 0.0])
    assert km[1] == pytest.approx([0.0, 1.112], abs=1e-3)  # 0.01° of latitude
    assert km[2] == pytest.approx([0.957, 0.0], abs=1e-3)  # 0.01° of longitude at 30.66° N


def test_outline_has_chenghua_area_and_lies_north_east_of_tianfu_square(district):
    (ring,) = district.outline()
    outline = Polygon(ring)
    assert outline.is_valid
    assert outline.area == pytest.approx(district.info.area_km2, rel=0.03)  # 109.3 km² (public: about 108–110)
    centre = outline.centroid
    assert centre.x > 0 and centre.y > 0 and np.hypot(centre.x, centre.y) < 10


def test_street_cells_tile_the_outline_with_each_street_s_share(district):
    outline = Polygon(district.outline()[0])
    cells = [Polygon(c) for c in district.street_polygons()]
    assert len(cells) == district.n_streets
    for cell in cells:
        assert cell.is_valid and cell.area > 0 and cell.exterior.is_ccw
        assert cell.difference(outline).area < 1e-6  # inside the outline
    overlap = sum(a.intersection(b).area for i, a in enumerate(cells) for b in cells[i + 1:])
    assert overlap < 1e-6
    areas = np.array([c.area for c in cells])
    assert areas.sum() == pytest.approx(outline.area, rel=0.01)
    assert areas / areas.sum() == pytest.approx(district.area_km2 / district.area_km2.sum(), rel=0.02)


def test_positions_outside_the_outline_still_get_their_cells(district):
    """The stylised positions (chenghua.toml) are not moved: three lie outside the real outline,
    and their cells are inside it all the same."""
    outline = Polygon(district.outline()[0])
    outside = [name for name, xy in zip(district.street_names, district.xy, strict=True)
               if not outline.contains(Point(xy))]
    assert outside == ["猛追湾", "桃蹊路", "保和"]
    cells = district.street_polygons()
    for name in outside:
        assert Polygon(cells[district.street_index(name)]).area > 1.0


def test_without_an_outline_file_the_cells_tile_a_box(tmp_path):
    shutil.copy(DATA_FILE, tmp_path / "other.toml")
    d = load_district(tmp_path / "other.toml")
    assert d.outline() == []
    cells = [Polygon(c) for c in d.street_polygons(margin_km=1.0)]
    lo, hi = d.xy.min(axis=0) - 1.0, d.xy.max(axis=0) + 1.0
    assert sum(c.area for c in cells) == pytest.approx(np.prod(hi - lo), rel=0.01)
    assert "区界" not in map_chart("jobs_housing_ratio", {}, d, "zh", "m")["graphic"][0]["style"]["text"]


def test_a_broken_outline_file_is_reported(tmp_path):
    shutil.copy(DATA_FILE, tmp_path / "other.toml")
    (tmp_path / "other_outline.geojson").write_text('{"features": [{"geometry": {"type": "Point"}}]}')
    with pytest.raises(InputError, match="other_outline.geojson"):
        load_district(tmp_path / "other.toml").outline()


def test_geojson_has_one_feature_per_street_by_chinese_name(district):
    features = geojson(district)["features"]
    assert [f["properties"]["name"] for f in features] == list(district.street_names)
    for f in features:
        (ring,) = f["geometry"]["coordinates"]
        assert len(ring) >= 4 and ring[0] == ring[-1]


def values(district, scale: float = 1.0) -> dict:
    return {name: scale * (0.5 + 0.07 * i) for i, name in enumerate(district.street_names)}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_map_chart_draws_outline_scale_bar_north_arrow_and_a_legend_in_words(district, lang):
    option = map_chart("jobs_housing_ratio", values(district), district, lang, "chenghua")
    json.dumps(option, allow_nan=False)
    streets, *overlays = option["series"]
    assert streets["type"] == "map" and streets["map"] == "chenghua"
    assert [d["name"] for d in streets["data"]] == list(district.street_names)  # a click's name: Chinese
    labels = [d["label"]["formatter"] for d in streets["data"]]
    assert labels == list(district.street_names if lang == "zh" else district.street_pinyin)
    by_name = {s["name"]: s for s in overlays}
    (outline,) = by_name["outline"]["data"]
    assert len(outline["coords"]) == len(district.outline()[0]) + 1
    assert len(by_name["scale"]["data"]) == 2 and by_name["north"]["symbol"] == ["none", "arrow"]
    marks = [d["label"]["formatter"] for d in by_name["marks"]["data"]]
    assert marks == ["0", "2", "4 " + ("公里" if lang == "zh" else "km"), "北" if lang == "zh" else "N"]
    assert all(s["silent"] for s in overlays)
    for key in ("boundingCoords", "aspectScale", "left", "right", "top", "bottom"):
        assert option["geo"][key] == streets[key]  # the overlays align with the streets
    high, low = option["visualMap"]["text"]
    assert re.fullmatch(r"\d\.\d\d", high) and re.fullmatch(r"\d\.\d\d", low)
    assert float(high) - 1 == pytest.approx(1 - float(low))  # diverging about balance
    assert option["title"]["subtext"] == ("越接近 1 越平衡（0.8–1.25 为平衡）" if lang == "zh"
                                          else "closer to 1 is more balanced (0.8–1.25)")
    assert ("示意图" if lang == "zh" else "schematic") in option["graphic"][0]["style"]["text"]
    assert len(overlays) == 1 + len(district.zones) + 3


def test_map_chart_shows_shares_as_percentages_and_which_way_is_better(district):
    option = map_chart("self_containment", values(district, 0.5), district, "en", "m")
    high, low = option["visualMap"]["text"]
    assert (high, low) == ("71%", "25%")
    assert option["title"]["subtext"] == "higher is better"
    assert "25.0%" not in json.dumps(option, ensure_ascii=False)
    lower = map_chart("mean_commute_min", values(district, 50), district, "zh", "m")
    assert lower["title"]["subtext"] == "越低越好" and lower["visualMap"]["text"] == ["71", "25"]


def test_map_chart_marks_streets_without_data(district):
    some = {**values(district), "猛追湾": None, "建设路": float("nan")}
    option = map_chart("jobs_housing_ratio", some, district, "zh", "m", title="职住比 · 2019-03",
                       value_format="{:.1f}", diverging_at=0.9)
    json.dumps(option, allow_nan=False)
    data = option["series"][0]["data"]
    assert data[0]["value"] is None and data[1]["value"] is None and "无数据" in data[0]["tooltip"]["formatter"]
    assert option["title"]["text"] == "职住比 · 2019-03"
    assert any(g["type"] == "group" for g in option["graphic"])  # the grey swatch says "no data"
    high, low = option["visualMap"]["text"]
    assert re.fullmatch(r"\d\.\d", high) and option["visualMap"]["min"] + option["visualMap"]["max"] == \
        pytest.approx(1.8)
    empty = map_chart("jobs_housing_ratio", {}, district, "zh", "m")
    assert empty["visualMap"]["show"] is False
