"""Scenario files: round trips, overrides, and many malformed files reported clearly."""

from __future__ import annotations

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import config as cfg
from sim.cli import main
from sim.errors import InputError
from sim.params import specs
from sim.policies import LEVERS


def test_a_saved_configuration_loads_back_identical(tmp_path):
    reform = cfg.resolve("reform_2019")
    path = tmp_path / "again.toml"
    cfg.save(reform, path)
    assert cfg.load(path) == reform
    assert cfg.load(path).digest() == reform.digest()


def test_overrides_accept_lever_and_levers_prefixes_and_check_values():
    base = cfg.Config()
    one = cfg.override(base, ["approval.items=52", "levers.approval.departments=19", "run.months=24",
                              'talent_apartments.streets=["Longtan"]', "uncertainties.rent_weight=3"])
    assert (one.levers.approval.items, one.levers.approval.departments, one.run.months) == (52, 19, 24)
    assert one.levers.talent_apartments.streets == ("龙潭",)  # pinyin accepted, stored in Chinese
    assert one.uncertainties.rent_weight == 3.0


def test_levers_and_uncertainties_are_named_apart_in_outputs():
    flat = cfg.Config().flat()
    assert all(key.startswith(("levers.", "uncertainties.")) for key in flat)
    assert {key.split(".")[1] for key in flat if key.startswith("levers.")} == set(LEVERS)


def error_of(text: str, tmp_path) -> str:
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    try:
        cfg.load(path)
    except InputError as exc:
        return str(exc)
    raise AssertionError("no error for:\n" + text)


def test_known_mistakes_name_the_file_the_field_and_what_is_allowed(tmp_path):
    cases = {
        "[levers.aproval]\nitems = 52\n": ("levers", "did you mean 'approval'"),
        "[levers.approval]\nitemz = 52\n": ("levers.approval", "did you mean 'items'"),
        "[levers.approval]\nitems = 'many'\n": ("levers.approval.items", "a whole number in [1, 300]"),
        "[levers.approval]\nitems = 5000\n": ("levers.approval.items", "out of range"),
        "[levers.approval]\nfull_agency = 1\n": ("levers.approval.full_agency", "true or false"),
        "[run]\nmonths = 12\n[levers.approval]\nitems = 52\nstart_month = 13\n":
            ("levers.approval.start_month", "beyond the horizon"),
        "[levers.talent_apartments]\nfloor_m2 = 1000.0\n": ("levers.talent_apartments.streets", "at least one street"),
        "[levers.talent_apartments]\nstreets = ['Gotham']\n": ("levers.talent_apartments.streets", "unknown street"),
        "[levers.committee]\nattraction_share = 0.9\n": ("levers.committee", "sum to 1"),
        "[uncertainties]\nrent_wieght = 3\n": ("uncertainties", "did you mean 'rent_weight'"),
        "[run]\nstart = '2019-13'\n": ("run.start", "YYYY-MM"),
        "nmae = 'x'\n": ("nmae", "did you mean 'name'"),
        "[levers\n": ("", "not valid TOML"),
    }
    for text, (field, hint) in cases.items():
        message = error_of(text, tmp_path)
        assert "scenario.toml" in message, message
        assert field in message and hint in message, message


def test_a_horizon_that_ends_before_a_lever_starts_names_the_horizon():
    message = r"run.months: 6 months end before levers.talent_apartments starts \(month 7\)"
    with pytest.raises(InputError, match=message):
        cfg.with_run(cfg.resolve("reform_2019"), months=6)
    assert cfg.with_run(cfg.resolve("reform_2019"), months=7).run.months == 7


def lever_fields():
    return st.sampled_from([(name, field, kind, spec) for name, cls in LEVERS.items()
                            for field, kind, spec, _ in specs(cls)])


BAD_VALUES = st.one_of(st.text(max_size=5), st.lists(st.integers(), max_size=2), st.booleans(),
                       st.floats(allow_nan=False, allow_infinity=False), st.integers(-10**9, 10**9),
                       st.dictionaries(st.text(max_size=3), st.integers(), max_size=1))


def accepted(kind: str, spec, value) -> bool:
    """Would the schema accept this value for this field? (The test's own reading of the spec.)"""
    if kind == "bool":
        return isinstance(value, bool)
    if kind in ("int", "float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if kind == "int" and isinstance(value, float) and not value.is_integer():
            return False
        return (spec.lo is None or value >= spec.lo) and (spec.hi is None or value <= spec.hi)
    if kind == "str":
        return isinstance(value, str) and (not spec.choices or value in spec.choices)
    return isinstance(value, list) and value == []  # an empty list of streets is fine


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=lever_fields(), value=BAD_VALUES)
def test_a_wrong_value_anywhere_is_an_error_naming_that_field(tmp_path, target, value):
    name, field, kind, spec = target
    if accepted(kind, spec, value):
        return
    text = tomli_w.dumps({"levers": {name: {field: value}}})
    message = error_of(text, tmp_path)
    assert f"levers.{name}.{field}" in message, message
    assert "allowed" in message or "unknown street" in message, message


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=st.text(min_size=1, max_size=40))
def test_malformed_files_exit_2_with_one_line_and_write_nothing(tmp_path, junk, capsys):
    path = tmp_path / "junk.toml"
    path.write_text("[levers.approval]\nitems = " + junk + "\n", encoding="utf-8")
    try:
        cfg.load(path)
        return  # the junk happened to be a valid value
    except InputError:
        pass
    out = tmp_path / "out"
    assert main(["run", "--scenario", str(path), "--months", "1", "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0]
    assert not out.exists()


def test_a_scenario_file_with_a_byte_order_mark_loads(tmp_path):
    path = tmp_path / "notepad.toml"
    path.write_bytes("\ufeffname = \"notepad\"\n".encode())
    assert cfg.load(path).name == "notepad"


def test_an_unknown_scenario_is_reported_where_it_was_given():
    with pytest.raises(InputError, match=r"^OTHER: unknown scenario 'reform2019'"):
        cfg.resolve("reform2019", field="OTHER")
    with pytest.raises(InputError, match=r"^--scenario: unknown scenario ''"):
        cfg.resolve("")
