"""The district data file: its figures are labelled, consistent, and bad files are reported clearly."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim.data import DATA_FILE
from sim.errors import InputError
from sim.geography import load_district, matrix_toml

LABELS = ("source", "assumption", "census", "public")
LABELLED_SECTIONS = ("district", "population", "commute", "external", "outside", "space", "public_services",
                     "staffing", "approvals", "zones_common")


def test_chenghua_file_loads_with_census_total_and_three_zones():
    d = load_district()
    assert d.n_streets == 14 and len(set(d.successor_names)) == 11  # 2019's streets, 11 after the adjustment
    assert d.street_population.sum() == 1_381_894
    assert [z.key for z in d.zones] == ["longtan", "panda", "heritage"]
    assert [a.key for a in d.outside] == ["centre", "hightech", "west", "north", "east"]
    assert d.km.shape == d.minutes.shape == (19, 19)
    assert np.isnan(d.minutes[14:, 14:]).all() and np.isfinite(d.minutes[:14]).all()
    partial = np.array([c for z in d.zones for c in z.coverage])  # shares before whole-street coverage (1)
    assert (partial <= 1.0).all() and (partial < 1.0).any()


def test_every_number_says_where_it_comes_from():
    section = None
    unlabelled = []
    for line in DATA_FILE.read_text(encoding="utf-8").splitlines():
        header = re.match(r"^\[\[?([\w.]+)\]", line)
        if header:
            section = header.group(1)
            continue
        numeric = section in LABELLED_SECTIONS and re.match(r"^\w+ = [-\d.]", line)
        if numeric and ("#" not in line or not any(label in line.split("#", 1)[1] for label in LABELS)):
            unlabelled.append(line)
    assert not unlabelled, unlabelled


def test_the_commute_matrix_is_what_the_coordinates_give():
    d = load_district()
    text = matrix_toml(DATA_FILE)
    km = np.array([[float(v) for v in row.strip(" [],").split(",")] for row in
                   text.split("km = [\n")[1].split("\n]")[0].splitlines()])
    assert np.allclose(np.nan_to_num(d.km), km, atol=0.006)


def broken_copy(tmp_path, old: str, new: str):
    text = DATA_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "district.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(("old", "new", "field"), [
    ("population = 52900", "population = 52901", "streets.population"),
    ('profile = "mixed"', 'profile = "mixd"', "streets[3].profile"),
    ('successor = "猛追湾"', 'successor = "建设路"', "streets[1].successor"),
    ('successor = "府青路"', 'successor = "圣灯"', "streets[4].successor"),
    ('merge_into = "区第一人民医院"', 'merge_into = "区第五人民医院"', "hospitals[1].merge_into"),
    ('street = "龙潭"\nmerge_into', 'street = "Atlantis"\nmerge_into', "hospitals[3].street"),
    ("street_time_services = 0.25", "street_time_services = 0.75", "staffing.street_time_services"),
    ("speed_kmh = 18.0", 'speed_kmh = "fast"', "commute.speed_kmh"),
    ('areas = ["猛追湾"', 'areas = ["Mengzhuiwan"', "commute_matrix.areas"),
    ("km = [\n  [0.76,", "km = [\n  [0.76, 7.0,", "commute_matrix.km"),
    ('streets = ["龙潭", "白莲池"]', 'streets = ["龙潭", "Atlantis"]', "zones[0].streets"),
    ("[approvals]", "[aprovals]", "approvals"),
    ("job_share = 0.45", "job_share = 0.55", "outside.job_share"),
    ('key = "west"', 'key = "centre"', "outside.key"),
    ('name = "金牛区"', 'name = "青龙"', "outside.name"),
])
def test_a_broken_data_file_names_the_field(tmp_path, old, new, field):
    with pytest.raises(InputError) as err:
        load_district(broken_copy(tmp_path, old, new))
    assert field in str(err.value)
    assert "district.toml" in str(err.value)
