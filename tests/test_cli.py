"""The command line as a user meets it: outputs, bad input, interruption, and `make run`."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]


def chancheng(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT)


def test_run_writes_every_output_file(tmp_path):
    out = tmp_path / "out"
    assert main(["run", "--months", "13", "--seeds", "2", "--scale", "50", "--out", str(out), "--quiet"]) == 0
    names = {p.name for p in out.iterdir()}
    assert {"runs.csv", "model.csv", "streets.csv", "zones.csv", "od.csv", "metadata.json", "scenario.toml"} <= names
    model = pd.read_csv(out / "model.csv")
    assert len(model) == 2 * 13
    required = [
        "run_id", "seed", "month", "residents", "employed", "jobs", "firms", "unemployment_rate",
        "jobs_housing_ratio", "self_containment", "mean_commute_min", "mean_commute_km",
        "share_commute_le_5km", "share_commute_le_45min", "share_commute_gt_60min", "t_obs", "t_min", "t_max",
        "excess_commuting", "commuting_potential_used", "approval_days_mean", "in_commuters", "out_commuters",
        "rent_index", "students_per_teacher_primary", "students_per_teacher_junior",
        "students_per_teacher_senior", "satisfaction",
    ]
    assert not set(required) - set(model.columns)
    area_cols = {"jobs", "employed_residents", "jobs_housing_ratio", "self_containment", "internal_capture",
                 "mean_commute_min", "rent_index"}
    zones, streets = pd.read_csv(out / "zones.csv"), pd.read_csv(out / "streets.csv")
    assert area_cols <= set(zones.columns) and area_cols <= set(streets.columns)
    assert len(zones) == 2 * 13 * 3 and len(streets) == 2 * 13 * 14
    od = pd.read_csv(out / "od.csv")
    assert sorted(od["month"].unique()) == [12, 13]  # every 12th month and the last
    assert {"run_id", "month", "origin", "destination", "commuters", "minutes", "km"} <= set(od.columns)
    runs = pd.read_csv(out / "runs.csv")
    assert list(runs["seed"]) == [0, 1] and (runs["status"] == "ok").all()
    assert "levers.approval.items" in runs.columns and "uncertainties.job_commute_weight" in runs.columns
    # The saved scenario runs again as it is.
    again = tmp_path / "again"
    assert main(["run", "--scenario", str(out / "scenario.toml"), "--months", "2", "--scale", "50",
                 "--out", str(again), "--quiet"]) == 0


BAD_INPUT = [
    (["run", "--scenario", "no_such_scenario"], "unknown scenario 'no_such_scenario'"),
    (["run", "--scenario", "missing/file.toml"], "no such file"),
    (["run", "--months", "-3"], "--months"),
    (["run", "--months", "abc"], "--months"),
    (["run", "--seeds", "0"], "--seeds"),
    (["run", "--seeds", "x"], "--seeds"),
    (["run", "--scale", "0"], "--scale"),
    (["run", "--seed", "-1"], "--seed"),
    (["run", "--set", "approval.itemz=50"], "did you mean 'items'"),
    (["run", "--set", "approval.items=-5"], "levers.approval.items"),
    (["run", "--set", "nonsense"], "lever.field=value"),
    (["run", "--scenario", "reform_2019", "--months", "6"], "run.months: 6 months end before"),
]


@pytest.mark.parametrize(("args", "message"), BAD_INPUT)
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, args, message):
    out = tmp_path / "out"
    proc = chancheng(*args, "--out", str(out))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert message in lines[0]
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_malformed_scenario_file_names_the_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "x"\n[levers.approval]\nitems = "many"\n', encoding="utf-8")
    proc = chancheng("run", "--scenario", str(bad), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert str(bad) in proc.stderr and "levers.approval.items" in proc.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text("name = [unclosed\n", encoding="utf-8")
    proc = chancheng("run", "--scenario", str(broken), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2 and "not valid TOML" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_an_output_folder_that_cannot_be_made_is_one_line(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("", encoding="utf-8")
    proc = chancheng("run", "--months", "1", "--scale", "100", "--out", str(blocker / "out"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [f"chancheng run: error: {blocker / 'out'}: --out: cannot create the "
                                                "folder (Not a directory)"]


def test_a_folder_of_other_files_is_never_overwritten(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    proc = chancheng("run", "--months", "1", "--scale", "100", "--out", str(out))
    assert proc.returncode == 2 and "did not write" in proc.stderr
    assert [p.name for p in out.iterdir()] == ["thesis.docx"]


def test_a_folder_of_the_users_toml_files_and_figures_is_never_overwritten(tmp_path):
    out = tmp_path / "mine"
    (out / "figures").mkdir(parents=True)
    (out / "my_scenario.toml").write_text('name = "mine"\n')
    (out / "figures" / "notes.txt").write_text("precious")
    proc = chancheng("run", "--months", "1", "--scale", "100", "--out", str(out))
    assert proc.returncode == 2 and "did not write (figures, my_scenario.toml)" in proc.stderr
    assert (out / "my_scenario.toml").exists() and (out / "figures" / "notes.txt").exists()


@pytest.mark.parametrize("out", ["", ".", "..", "sub/.."])
def test_an_out_that_names_no_folder_of_its_own_is_refused(tmp_path, out, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["run", "--months", "1", "--scale", "100", "--out", out, "--quiet"]) == 2
    assert "--out: give a folder of its own" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("command", "damage", "message"), [
    ("summarize", lambda f: (f / "runs.csv").write_text(""), "runs.csv: cannot be read as a table"),
    ("summarize", lambda f: (f / "runs.csv").write_text("run_id,scenario\n0,x\n"), "has no column 'status'"),
    ("plot", lambda f: (f / "model.csv").write_bytes((f / "model.csv").read_bytes() + b"\xff"), "model.csv: cannot"),
    ("plot", lambda f: (f / "scenario.toml").write_text("garbage"), "scenario.toml: not valid TOML"),
    ("plot", lambda f: (f / "sensitivity.csv").write_text("a,b\n"), "has no column 'outcome'"),
])
def test_a_damaged_results_folder_is_a_clear_error_and_gets_no_figures(tmp_path, capsys, command, damage, message):
    folder = tmp_path / "out"
    assert main(["run", "--months", "2", "--scale", "100", "--out", str(folder), "--quiet"]) == 0
    damage(folder)
    assert main([command, str(folder)]) == 2
    assert message in capsys.readouterr().err
    assert not (folder / "figures").exists() and not (folder / "summary.csv").exists()


def test_the_help_prints(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0 and "compare" in capsys.readouterr().out


def test_previous_results_are_replaced_whole_on_success(tmp_path):
    out = tmp_path / "out"
    assert main(["run", "--months", "2", "--seeds", "2", "--scale", "100", "--out", str(out), "--quiet"]) == 0
    assert main(["run", "--months", "3", "--scale", "100", "--out", str(out), "--quiet"]) == 0
    assert len(pd.read_csv(out / "model.csv")) == 3
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folders left


def test_an_interrupted_run_leaves_no_output(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "run", "--months", "600", "--seeds", "5",
                             "--out", str(out)], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    time.sleep(4)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode != 0
    assert "interrupted" in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # the staging folder is gone too


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_on_a_short_horizon(tmp_path):
    out = tmp_path / "results"
    env = {**os.environ, "PYTHON": sys.executable}
    # 8 months: the reform's last levers start in month 7 (a lever starting past the horizon is an error).
    proc = subprocess.run(["make", "run", "MONTHS=8", "SEEDS=2", f"OUT={out}"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr
    assert "reform_2019 vs baseline_2018" in proc.stdout and "difference [95% CI]" in proc.stdout
    assert "jobs–housing ratio" in proc.stdout and "longtan" in proc.stdout
    assert len(pd.read_csv(out / "model.csv")) == 2 * 2 * 8  # two scenarios × two seeds × eight months
    assert (out / "compare.csv").exists() and any((out / "figures").iterdir())


def test_an_interrupt_that_surfaces_as_a_system_error_still_reads_as_interrupted():
    from sim.cli import _interrupted

    try:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as cause:
            raise SystemError("CPUDispatcher(...) returned a result with an exception set") from cause
    except SystemError as exc:
        assert _interrupted(exc)
    assert not _interrupted(SystemError("something else"))
