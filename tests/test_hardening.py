"""Inputs made to break the tool: each class of them is one line naming the file or option, the
field and what is allowed, exit status 2, nothing written, no traceback."""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import batch, config, design
from sim.cli import main
from sim.data import DATA_FILE
from sim.errors import InputError, read_toml
from sim.params import specs
from sim.policies import LEVERS

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT / "experiments" / "sweeps" / "smoke.toml"
SECTIONS = (("uncertainties", config.Uncertainties), ("run", config.RunSettings), *LEVERS.items())
NUMERIC = [f"{section}.{name}" for section, cls in SECTIONS for name, kind, *_ in specs(cls)
           if kind in ("int", "float")]


def refused(capsys, args: list[str]) -> str:
    """The command's one line on stderr; it must exit 2 and print no traceback."""
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


@settings(max_examples=40, deadline=None)
@given(path=st.sampled_from(NUMERIC), digits=st.integers(309, 2000), where=st.sampled_from(["set", "file"]))
def test_numbers_too_large_for_a_float_are_input_errors(tmp_path_factory, path, digits, where):
    big = "1" + "0" * digits
    if where == "set":
        with pytest.raises(InputError) as err:
            config.override(config.Config(), [f"{path}={big}"])
    else:
        section, name = config.parameter_path(path)
        table = section if section in ("run", "uncertainties") else f"levers.{section}"
        scenario = tmp_path_factory.mktemp("big") / "big.toml"
        scenario.write_text(f"[{table}]\n{name} = {big}\n", encoding="utf-8")
        with pytest.raises(InputError) as err:
            config.load(scenario)
    assert path.split(".")[-1] in str(err.value) and len(str(err.value)) < 400


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=st.integers(0, 400), digits=st.integers(309, 800))
def test_a_data_file_number_too_large_for_a_float_is_an_input_error(tmp_path, line, digits):
    lines = DATA_FILE.read_text(encoding="utf-8").splitlines()
    numeric = [i for i, text in enumerate(lines) if re.match(r"^\s*\w+\s*=\s*-?\d+(\.\d+)?\s*(#.*)?$", text)]
    i = numeric[line % len(numeric)]
    lines[i] = re.sub(r"=\s*-?\d+(\.\d+)?", "= 1" + "0" * digits, lines[i], count=1)
    data = tmp_path / "data.toml"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    scenario = tmp_path / "s.toml"
    scenario.write_text(f'[run]\ndata = "{data}"\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        config.load(scenario)
    assert "data" in str(err.value)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(depth=st.integers(50, 20000), kind=st.sampled_from(["array", "table"]),
       key=st.sampled_from(["a", "levers.approval.items", "factors.x"]))
def test_deeply_nested_toml_is_an_input_error(tmp_path, depth, kind, key):
    value = "[" * depth + "]" * depth if kind == "array" else "{a = " * depth + "1" + "}" * depth
    path = tmp_path / "deep.toml"
    path.write_text(f"{key.split('.')[-1]} = {value}\n", encoding="utf-8")
    for read in (config.load, design.load_spec):
        with pytest.raises(InputError):
            read(path)


@pytest.fixture
def hostile_files(tmp_path):
    big = tmp_path / "big.toml"
    big.write_text("# " + "x" * (2 * 1024 * 1024) + "\n", encoding="utf-8")
    link = tmp_path / "zero.toml"
    link.symlink_to("/dev/zero")
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    return {"/dev/zero": "not a regular file", str(link): "not a regular file", str(fifo): "not a regular file",
            str(big): "larger than 1024 KB"}


def test_devices_pipes_and_huge_files_are_refused_wherever_a_file_is_named(tmp_path, capsys, hostile_files):
    for path, message in hostile_files.items():
        assert message in refused(capsys, ["run", "--scenario", path, "--out", str(tmp_path / "out")])
        assert message in refused(capsys, ["sweep", path, "--out", str(tmp_path / "sweep")])
        spec = tmp_path / "spec.toml"
        spec.write_text(f'scenario = "{path}"\n[factors]\n"approval.items" = [52]\n', encoding="utf-8")
        assert message in refused(capsys, ["sweep", str(spec), "--out", str(tmp_path / "sweep")])
        scenario = tmp_path / "s.toml"
        scenario.write_text(f'[run]\ndata = "{path}"\n', encoding="utf-8")
        assert "run.data" in refused(capsys, ["run", "--scenario", str(scenario), "--out", str(tmp_path / "out")])
    assert not (tmp_path / "out").exists() and not (tmp_path / "sweep").exists()


def test_points_may_not_set_run_settings(tmp_path, capsys):
    spec = tmp_path / "spec.toml"
    spec.write_text('[[points]]\n"run.scale" = 1\n[[points]]\n"approval.items" = 52\n', encoding="utf-8")
    assert "points[0]" in refused(capsys, ["sweep", str(spec), "--out", str(tmp_path / "out")])


def test_a_sweep_folder_takes_one_sweep_at_a_time(tmp_path, capsys):
    out = tmp_path / "sweep"
    with batch.folder_lock(out):  # as a running sweep holds it
        assert "in use by another chancheng sweep" in refused(capsys, ["sweep", str(SMOKE), "--out", str(out),
                                                                        "--workers", "0", "--resume"])
    assert main(["sweep", str(SMOKE), "--out", str(out), "--workers", "0"]) == 0


def test_resume_keeps_one_copy_of_a_run_written_twice(tmp_path):
    out = tmp_path / "sweep"
    assert main(["sweep", str(SMOKE), "--out", str(out), "--workers", "0", "--run", "0", "--run", "1"]) == 0
    before = {name: (out / f"{name}.csv").read_text(encoding="utf-8-sig") for name in ("runs", "model", "od")}
    for name in ("model", "streets", "zones", "od", "runs"):  # two sweeps appended runs 0 and 1 again
        text = (out / f"{name}.csv").read_text(encoding="utf-8-sig")
        with open(out / f"{name}.csv", "a", encoding="utf-8") as fh:
            fh.write("".join(text.splitlines(keepends=True)[1:]))
    assert main(["sweep", str(SMOKE), "--out", str(out), "--workers", "0", "--resume"]) == 0
    runs = pd.read_csv(out / "runs.csv")
    assert sorted(runs["run_id"]) == list(range(8))
    model = pd.read_csv(out / "model.csv")
    assert not model.duplicated(["run_id", "month"]).any() and model["run_id"].nunique() == 8
    assert (out / "od.csv").read_text(encoding="utf-8-sig").startswith(before["od"])


def test_a_broken_pipe_ends_quietly():
    out = subprocess.run(f"{sys.executable} -m sim.cli scenarios | head -1", shell=True, capture_output=True,
                         text=True, cwd=ROOT, check=False)
    assert out.stdout.startswith("Built-in scenarios") and out.stderr == ""


def test_a_full_disk_names_the_file(tmp_path, capsys, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    assert main(["run", "--months", "1", "--scale", "200", "--quiet", "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "model.csv: No space left on device" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_the_data_file_itself_is_read_within_its_limit():
    assert read_toml(DATA_FILE)["district"]["name"] == "成华区"


FIELDS = {"run": [n for n, *_ in specs(config.RunSettings)],
          "uncertainties": [n for n, *_ in specs(config.Uncertainties)],
          **{f"levers.{name}": [n for n, *_ in specs(cls)] for name, cls in LEVERS.items()}}
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**400), 10**400) | st.floats(allow_nan=True)
    | st.text(max_size=30) | st.sampled_from(["龙潭", "longtan", "2019-01", "", "talent"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(st.tuples(st.sampled_from(sorted(FIELDS)), st.integers(0, 40), VALUES), max_size=6),
       name=st.one_of(st.none(), VALUES))
def test_any_scenario_document_loads_or_is_an_input_error(tmp_path, entries, name):
    """Generated scenarios — every section, any field, values of any type and size: a scenario or
    an input error, never another exception."""
    import tomli_w

    raw: dict = {} if name is None else {"name": name}
    for section, index, value in entries:
        if value is None:
            continue
        fields = FIELDS[section]
        table = raw
        for part in section.split("."):
            table = table.setdefault(part, {})
        table[fields[index % len(fields)] if index < 40 else "nonsense"] = value
    path = tmp_path / "generated.toml"
    try:
        path.write_text(tomli_w.dumps(raw), encoding="utf-8")
    except (TypeError, ValueError):  # (a document TOML cannot write)
        return
    try:
        config.load(path)
    except InputError as exc:
        assert str(exc).count("\n") == 0


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(top=st.dictionaries(st.sampled_from(list(design.SPEC_KEYS) + ["other"]), VALUES, max_size=4),
       factors=st.dictionaries(st.sampled_from(NUMERIC[:12] + ["nonsense.x", "run.months"]), VALUES, max_size=3))
def test_any_sweep_spec_loads_or_is_an_input_error(tmp_path, top, factors):
    import tomli_w

    raw = {**top, "factors": factors} if factors else top
    path = tmp_path / "spec.toml"
    try:
        path.write_text(tomli_w.dumps(raw), encoding="utf-8")
    except (TypeError, ValueError):
        return
    try:
        design.load_spec(path)
    except InputError as exc:
        assert str(exc).count("\n") == 0


def test_a_field_named_with_a_newline_is_reported_on_one_line(tmp_path):
    """A key of a control character (found by the sweep spec test above: ``[run]`` with a key
    "\\n"): the error shows it escaped, on the one line the CLI prints."""
    path = tmp_path / "spec.toml"
    path.write_text('[run]\n"\\n" = false\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        design.load_spec(path)
    assert "\n" not in str(caught.value) and "run.\\n" in str(caught.value)
