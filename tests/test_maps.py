"""The map: the district's real outline, the stylised streets inside it, and what the page draws."""

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
from sim.ui.maps import WIDTH, colours, shape

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
    assert "区界" not in shape(d, "zh")["caption"] and shape(d, "zh")["outline"] == []


def test_a_broken_outline_file_is_reported(tmp_path):
    shutil.copy(DATA_FILE, tmp_path / "other.toml")
    (tmp_path / "other_outline.geojson").write_text('{"features": [{"geometry": {"type": "Point"}}]}')
    with pytest.raises(InputError, match="other_outline.geojson"):
        load_district(tmp_path / "other.toml").outline()


def values(district, scale: float = 1.0) -> dict:
    return {name: scale * (0.5 + 0.07 * i) for i, name in enumerate(district.street_names)}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_map_draws_outline_streets_zones_scale_bar_and_north_arrow(district, lang):
    drawing = shape(district, lang)
    json.dumps(drawing, allow_nan=False)
    width, height = drawing["size"]
    assert width == WIDTH and 0.5 * width < height < 1.5 * width
    streets = drawing["streets"]
    assert [s["name"] for s in streets] == list(district.street_names)  # a click's name: Chinese
    names = district.street_names if lang == "zh" else district.street_pinyin
    labelled = [s for s in streets if s["label"]]
    assert len(labelled) >= len(streets) * 0.6  # (a label overlapping a bigger street's is left out)
    assert all(s["label"]["text"] == names[district.street_index(s["name"])] for s in labelled)
    boxes = [(s["label"]["x"], s["label"]["y"]) for s in labelled]
    assert len(set(boxes)) == len(boxes)
    for s in streets:
        points = re.findall(r"(-?[\d.]+),(-?[\d.]+)", s["path"])
        assert s["path"].startswith("M") and s["path"].endswith("Z") and len(points) >= 3
        assert all(-1 <= float(x) <= width + 1 and -1 <= float(y) <= height + 1 for x, y in points)
    (outline,) = drawing["outline"]
    assert outline.count("L") == len(district.outline()[0]) - 1
    assert [z["name"] for z in drawing["zones"]] == [z.name if lang == "zh" else z.name_en for z in district.zones]
    assert all(z["path"].startswith("M") for z in drawing["zones"])
    assert [w["text"] for w in drawing["scale"]["words"]] == ["0", "2", "4 " + ("公里" if lang == "zh" else "km")]
    assert drawing["north"]["text"] == ("北" if lang == "zh" else "N")
    assert ("示意图" if lang == "zh" else "schematic") in drawing["caption"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_map_colours_streets_and_says_how_to_read_them(district, lang):
    option = colours("jobs_housing_ratio", values(district), district, lang)
    json.dumps(option, allow_nan=False)
    legend = option["legend"]
    assert re.fullmatch(r"\d\.\d\d", legend["high"]) and re.fullmatch(r"\d\.\d\d", legend["low"])
    assert float(legend["high"]) - 1 == pytest.approx(1 - float(legend["low"]))  # diverging about balance
    assert option["reading"] == ("越接近 1 越平衡（0.8–1.25 为平衡）" if lang == "zh"
                                 else "closer to 1 is more balanced (0.8–1.25)")
    fills = option["fills"]
    assert len(fills) == district.n_streets and all(re.fullmatch(r"#[0-9a-f]{6}", f) for f in fills)
    assert fills[0] == legend["colours"][0]  # the lowest value, 0.5: the low end of 0.50–1.50
    assert len(set(fills)) == district.n_streets
    head, value = option["tips"][1]
    assert district.street_names[1] in head and value.endswith(f"{0.57:.2f}")
    assert legend["no_data"] is None


def test_the_map_shows_shares_as_percentages_and_which_way_is_better(district):
    option = colours("self_containment", values(district, 0.5), district, "en")
    assert (option["legend"]["high"], option["legend"]["low"]) == ("71%", "25%")
    assert option["reading"] == "higher is better"
    assert "25.0%" not in json.dumps(option, ensure_ascii=False)
    lower = colours("mean_commute_min", values(district, 50), district, "zh")
    assert lower["reading"] == "越低越好" and (lower["legend"]["high"], lower["legend"]["low"]) == ("71", "25")


def test_the_map_marks_streets_without_data(district):
    some = {**values(district), "猛追湾": None, "建设路": float("nan")}
    option = colours("jobs_housing_ratio", some, district, "zh", title="职住比 · 2019-03", value_format="{:.1f}",
                     diverging_at=0.9)
    json.dumps(option, allow_nan=False)
    for street in ("猛追湾", "建设路"):
        i = district.street_index(street)
        assert option["fills"][i] == shape(district, "zh")["grey"] and option["tips"][i][1].endswith("无数据")
    assert option["title"] == "职住比 · 2019-03" and option["legend"]["no_data"] == "无数据"
    high, low = option["legend"]["high"], option["legend"]["low"]
    assert re.fullmatch(r"\d\.\d", high) and float(high) + float(low) == pytest.approx(1.8)
    assert colours("jobs_housing_ratio", {}, district, "zh")["legend"] is None  # before the first month
