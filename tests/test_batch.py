"""Sweeps: designs, seeds, executors that agree, streaming, failures as rows, resuming after a kill."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import batch, design, runner
from sim.cli import main
from sim.errors import InputError
from sim.model import IndustryCityModel

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT / "experiments" / "sweeps" / "smoke.toml"
KEYS = {"runs": ["run_id"], "model": ["run_id", "month"], "streets": ["run_id", "month", "street"],
        "zones": ["run_id", "month", "zone"], "od": ["run_id", "month", "origin", "destination"]}


def table(folder: Path, name: str) -> pd.DataFrame:
    frame = pd.read_csv(folder / f"{name}.csv").sort_values(KEYS[name]).reset_index(drop=True)
    return frame.drop(columns="wall_seconds") if name == "runs" else frame


def assert_same_rows(a: Path, b: Path) -> None:
    for name in KEYS:
        pd.testing.assert_frame_equal(table(a, name), table(b, name), obj=name)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The smoke sweep run in this process: the rows every other executor must reproduce."""
    out = tmp_path_factory.mktemp("reference") / "smoke"
    outcome = batch.sweep(design.load_spec(SMOKE), out, batch.InProcess())
    assert (outcome.ok, outcome.failed) == (8, 0)
    return out


def test_smoke_spec_is_small_and_seeds_are_spawned_per_run():
    spec = design.load_spec(SMOKE)
    assert spec.n_runs <= 8 and spec.base.run.months == 12
    seeds = [t.seed for t in spec.tasks()]
    assert [s.spawn_key for s in seeds] == [(i,) for i in range(spec.n_runs)]
    assert {s.entropy for s in seeds} == {spec.seed}
    assert len({s.generate_state(1)[0] for s in seeds}) == spec.n_runs


def test_latin_hypercube_points_stay_in_their_ranges():
    spec = design.load_spec(ROOT / "experiments" / "sweeps" / "approval_lhs.toml")
    points = pd.DataFrame(spec.points)
    assert len(points) == 40
    assert points["approval.items"].between(30, 80).all()
    assert points["approval.one_window_share"].between(0.3, 1.0).all()
    # Latin: each of 40 equal slices of a range holds exactly one point.
    slices = np.floor((points["uncertainties.patience_days"] - 120) / 240 * 40).astype(int)
    assert sorted(slices) == list(range(40))


def test_an_explicit_table_of_points(tmp_path):
    spec_file = tmp_path / "table.toml"
    spec_file.write_text('scenario = "baseline_2018"\n[run]\nmonths = 2\nscale = 100\n'
                         '[[points]]\n"approval.items" = 60\n[[points]]\n"approval.items" = 40\n'
                         '"levers.approval.full_agency" = true\n', encoding="utf-8")
    spec = design.load_spec(spec_file)
    assert spec.points == ({"approval.items": 60}, {"approval.items": 40, "levers.approval.full_agency": True})


@pytest.mark.parametrize(("text", "field", "hint"), [
    ('[factors]\n"approval.itemz" = [1, 2]\n', "factors.approval.itemz", "did you mean 'items'"),
    ('[factors]\n"aproval.items" = [1, 2]\n', "factors.aproval.items", "did you mean 'approval'"),
    ('[factors]\n"approval.items" = [-5, 52]\n', "design point 0", "levers.approval.items"),
    ('[factors]\n"approval.items" = { low = 30, high = 70 }\n', "factors.approval.items", "needs levels"),
    ('[design]\nkind = "latin"\n', "design.kind", "full_factorial"),
    ('replications = 0\n', "replications", "≥ 1"),
    ('scenario = "nope"\n', "scenario", "unknown scenario"),
    ('[factors\n', "", "not valid TOML"),
    ('[factors]\n"approval.items" = [71, 52]\n"levers.approval.items" = [30, 40]\n', "factors.approval.items",
     "a factor twice"),
    ('[[points]]\n"approval.items" = 60\n"levers.approval.items" = 40\n', "points[0]", "twice"),
    ('name = "../../elsewhere"\n', "name", "letters, digits"),
    ('outcomes = ["bogus_metric"]\n[factors]\n"approval.items" = [71, 52]\n', "outcomes", "jobs_housing_ratio"),
    ('outcomes = 5\n[factors]\n"approval.items" = [71, 52]\n', "outcomes", "a list of names"),
    ('tables = ["model", "model"]\n[factors]\n"approval.items" = [71, 52]\n', "tables", "twice"),
])
def test_a_malformed_spec_is_a_clear_error(tmp_path, text, field, hint):
    spec_file = tmp_path / "bad.toml"
    spec_file.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        design.load_spec(spec_file)
    assert "bad.toml" in str(err.value) and field in str(err.value) and hint in str(err.value), str(err.value)


def test_a_local_pool_gives_the_same_rows(reference, tmp_path):
    out = tmp_path / "pool"
    batch.sweep(design.load_spec(SMOKE), out, batch.LocalPool(2))
    assert_same_rows(reference, out)


def test_any_single_run_can_be_rerun_alone(reference, tmp_path):
    out = tmp_path / "alone"
    assert main(["sweep", str(SMOKE), "--out", str(out), "--run", "5", "--workers", "0"]) == 0
    for name in KEYS:
        full = table(reference, name)
        pd.testing.assert_frame_equal(table(out, name), full[full["run_id"] == 5].reset_index(drop=True), obj=name)


def test_a_failing_run_is_a_row_not_a_crashed_sweep(tmp_path, monkeypatch):
    class Fragile(IndustryCityModel):
        def step(self):
            if self.seed.spawn_key == (3,) and self.steps == 4:
                raise FloatingPointError("a broken month")
            super().step()

    monkeypatch.setattr(runner, "IndustryCityModel", Fragile)
    outcome = batch.sweep(design.load_spec(SMOKE), tmp_path / "out", batch.InProcess())
    assert (outcome.ok, outcome.failed) == (7, 1)
    runs = pd.read_csv(tmp_path / "out" / "runs.csv").set_index("run_id")
    assert runs.loc[3, "status"] == "failed" and "a broken month" in runs.loc[3, "error"]
    assert (runs.drop(index=3)["status"] == "ok").all()
    assert 3 not in set(pd.read_csv(tmp_path / "out" / "model.csv")["run_id"])


def test_repair_trims_rows_a_kill_left_behind(reference, tmp_path):
    out = tmp_path / "torn"
    shutil.copytree(reference, out)
    runs = (out / "runs.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)
    (out / "runs.csv").write_text("".join(runs[:4]) + runs[4][:20], encoding="utf-8-sig")  # 3 runs + a torn line
    with open(out / "model.csv", "a", encoding="utf-8") as fh:
        fh.write("7,baseline_2018,20190101,7,1,2019-01,13")  # half a row of an unfinished run
    assert batch.repair(out) == {int(line.split(",")[0]) for line in runs[1:4]}
    model = pd.read_csv(out / "model.csv")
    assert set(model["run_id"]) == batch.finished_runs(out)
    assert (out / "model.csv").read_text(encoding="utf-8-sig").endswith("\n")


def test_resume_after_sigkill_gives_exactly_the_uninterrupted_rows(reference, tmp_path):
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "sweep", str(SMOKE), "--out", str(out),
                             "--workers", "2"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(batch.finished_runs(out)) < 2:
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    done = batch.finished_runs(out)
    assert 2 <= len(done) < 8, "the sweep should be killed in the middle"
    assert main(["sweep", str(SMOKE), "--out", str(out), "--resume", "--workers", "2"]) == 0
    assert_same_rows(reference, out)
    assert len(pd.read_csv(out / "runs.csv")) == 8  # no run written twice


@pytest.mark.parametrize(("file", "damage", "message"), [
    ("sweep.json", b"{bad", "sweep.json: --out: is damaged"),
    ("runs.csv", b"garbage,line\n", "runs.csv: holds a row that is not a run's"),
    ("model.csv", b"\xff\n", "model.csv: is damaged (not UTF-8 text)"),
])
def test_resuming_a_damaged_sweep_folder_is_a_clear_error(reference, tmp_path, capsys, file, damage, message):
    held = tmp_path / "held"
    shutil.copytree(reference, held)
    with open(held / file, "ab" if file.endswith(".csv") else "wb") as f:
        f.write(damage)
    assert main(["sweep", str(SMOKE), "--out", str(held), "--resume", "--workers", "0"]) == 2
    assert message in capsys.readouterr().err


def test_the_output_folder_must_hold_this_sweep(reference, tmp_path, capsys):
    other = tmp_path / "other.toml"
    other.write_text(SMOKE.read_text(encoding="utf-8").replace("seed = 20190101", "seed = 5"), encoding="utf-8")
    held = tmp_path / "held"
    shutil.copytree(reference, held)
    before = {p.name: p.read_bytes() for p in held.iterdir() if p.is_file()}
    assert main(["sweep", str(other), "--out", str(held), "--workers", "0"]) == 2
    assert "holds a different sweep" in capsys.readouterr().err
    assert main(["sweep", str(SMOKE), "--out", str(held), "--workers", "0"]) == 2
    assert "--resume" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in held.iterdir() if p.is_file()} == before


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    assert main(["sweep", str(SMOKE), "--out", str(tmp_path / "out"), "--scheduler", f"tcp://127.0.0.1:{port}"]) == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dask_cluster(tmp_path):
    """A real ``dask scheduler`` and ``dask worker`` on 127.0.0.1, stopped after the test."""
    dask = Path(sys.executable).parent / "dask"
    if not dask.exists():
        pytest.skip("the dask command is not installed in this environment")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    scheduler = subprocess.Popen([str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                  "--no-dashboard"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([str(dask), "worker", address, "--nworkers", "2", "--nthreads", "1", "--no-dashboard",
                               "--local-directory", str(tmp_path / "dask-workers")], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for proc in (worker, scheduler):
            proc.send_signal(signal.SIGTERM)
        for proc in (worker, scheduler):
            try:
                proc.wait(timeout=3)  # (a worker's graceful shutdown takes ~8 s; nothing of it is tested)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_a_dask_cluster_gives_the_same_rows(crossed, tmp_path, dask_cluster):
    """(A policies × scenarios sweep is a design of 48 points: it covers the single design too.)"""
    spec_file, folder = crossed
    out = tmp_path / "dask_crossed"
    assert main(["sweep", str(spec_file), "--out", str(out), "--scheduler", dask_cluster]) == 0
    assert_same_rows(folder, out)


@pytest.fixture(scope="module")
def crossed(tmp_path_factory) -> tuple[Path, Path]:
    """The example policies × scenarios spec on a short horizon, run in this process; its package
    is a few levers that start at once (the 2019 package's last lever starts in month 24: reading
    it is tested on the example itself)."""
    folder = tmp_path_factory.mktemp("crossed")
    text = (ROOT / "experiments" / "sweeps" / "policies_x_scenarios.toml").read_text(encoding="utf-8")
    package = '"approval.items" = 52\n"talent_apartments.floor_m2" = 370000.0\n"talent_apartments.streets" = ["龙潭"]\n'
    text = text.replace("months = 36", "months = 6").replace("scale = 50", "scale = 1000")
    text = re.sub(r'scenario = "reform_2019".*\n', package, text)
    spec_file = folder / "crossed.toml"
    spec_file.write_text(text, encoding="utf-8")
    outcome = batch.sweep(design.load_spec(spec_file), folder / "out", batch.InProcess())
    assert (outcome.ok, outcome.failed) == (48, 0)
    return spec_file, folder / "out"


def test_policies_cross_scenarios_on_common_random_numbers(crossed):
    spec_file, out = crossed
    runs = pd.read_csv(out / "runs.csv").sort_values("run_id")
    assert list(runs.columns[:7]) == ["run_id", "policy", "scenario", "seed", "seed_spawn_key", "point", "replication"]
    assert len(runs) == 48 and (runs["status"] == "ok").all()
    assert runs.groupby("policy").size().to_dict() == {"approval_only": 16, "none": 16, "package": 16}
    assert runs["scenario"].nunique() == 8 and runs.groupby(["policy", "scenario"]).size().eq(2).all()
    # Each policy meets each scenario on the same seed, and the same uncertainty values.
    seeds = runs.pivot_table(index=["scenario", "replication"], columns="policy", values="seed_spawn_key",
                             aggfunc="first")
    assert seeds.nunique(axis=1).eq(1).all() and seeds.iloc[:, 0].nunique() == 16
    values = runs.pivot_table(index=["scenario", "replication"], columns="policy",
                              values="factor.uncertainties.search_decay", aggfunc="first")
    assert values.nunique(axis=1).eq(1).all()
    # Fixed values hold in every run; a policy's levers differ only where it sets them.
    assert (runs["uncertainties.patience_days"] == 240).all()
    items = runs.groupby("policy")["levers.approval.items"].first().to_dict()
    assert items == {"approval_only": 52, "none": 71, "package": 52}
    floor = runs.groupby("policy")["levers.talent_apartments.floor_m2"].first()
    assert (floor["approval_only"], floor["package"]) == (0, 370000)
    # The tables carry the scenario's name; the spec is kept beside the rows.
    model = pd.read_csv(out / "model.csv")
    assert set(model["scenario"]) == set(runs["scenario"]) and not (out / "persons.csv").exists()
    assert (out / "spec.toml").read_bytes() == spec_file.read_bytes()
    assert list(pd.read_csv(out / "design.csv").columns[:3]) == ["point", "policy", "scenario"]


def test_a_local_pool_gives_the_same_rows_for_policies_cross_scenarios(crossed, tmp_path):
    spec_file, folder = crossed
    batch.sweep(design.load_spec(spec_file), tmp_path / "pool", batch.LocalPool(2))
    assert_same_rows(folder, tmp_path / "pool")


@pytest.mark.parametrize("text, field, hint", [
    ('[policies.a]\n"uncertainties.search_decay" = 2.0\n', "policies.a.uncertainties.search_decay", "not a lever"),
    ('[policies.a]\n"approval.itemz" = 2\n', "policies.a.approval.itemz", "did you mean 'items'"),
    ('[scenarios]\nkind = "latin_hypercube"\nsamples = 2\n[scenarios.factors]\n"approval.items" = '
     '{ low = 30, high = 70 }\n', "scenarios.points[0]", "not an uncertainty"),
    ('[scenarios]\nkind = "sobol"\n[scenarios.factors]\n"uncertainties.search_decay" = { low = 1, high = 2 }\n',
     "scenarios.samples", "whole number"),
    ('[scenarios]\nkinds = "sobol"\n', "scenarios.kinds", "did you mean 'kind'"),
    ('[policies.a]\n[factors]\n"approval.items" = [1, 2]\n', "factors", "not both"),
    ('[fixed]\n"run.months" = 3\n', "fixed.run.months", "[run]"),
    ('[policies.a]\nscenario = "nowhere_2030"\n', "policies.a.scenario", "unknown scenario"),
])
def test_a_malformed_policies_or_scenarios_part_is_a_clear_error(tmp_path, text, field, hint):
    spec_file = tmp_path / "bad.toml"
    spec_file.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        design.load_spec(spec_file)
    assert field in str(caught.value) and hint in str(caught.value)


def test_a_policy_can_be_a_scenario_s_levers():
    spec = design.load_spec(ROOT / "experiments" / "sweeps" / "policies_x_scenarios.toml")
    assert spec.n_runs == 48 and spec.n_scenarios == 8
    package = spec.points[[p for p, _ in spec.labels].index("package")]
    reform = design.cfg.resolve("reform_2019").to_dict()["levers"]
    assert package["levers.talent_apartments.floor_m2"] == reform["talent_apartments"]["floor_m2"]
    assert package["levers.transport.metro_month"] == reform["transport"]["metro_month"] == 24
    none = spec.points[0]
    assert none["levers.talent_apartments.floor_m2"] == 0 and none["levers.approval.items"] == 71


def test_named_scenarios_and_a_sobol_design(tmp_path):
    spec_file = tmp_path / "s.toml"
    spec_file.write_text('[policies]\nkind = "sobol"\nsamples = 4\n[policies.factors]\n"approval.items" = '
                         '{ low = 30, high = 70 }\n[[scenarios.points]]\nname = "patient"\n'
                         '"uncertainties.patience_days" = 360\n[[scenarios.points]]\nname = "hasty"\n'
                         '"uncertainties.patience_days" = 90\n', encoding="utf-8")
    spec = design.load_spec(spec_file)
    assert spec.n_runs == 8 and [s for _, s in spec.labels[:2]] == ["patient", "hasty"]
    assert [p for p, _ in spec.labels[::2]] == ["policy_0", "policy_1", "policy_2", "policy_3"]
    items = sorted(p["levers.approval.items"] for p in spec.points[::2])
    assert len(set(items)) == 4 and all(30 <= i <= 70 for i in items)


def test_summarize_gives_mean_sd_and_ci_per_design_point(reference, tmp_path):
    folder = tmp_path / "s"
    shutil.copytree(reference, folder)
    assert main(["summarize", str(folder)]) == 0
    summary = pd.read_csv(folder / "summary.csv")
    assert set(summary["statistic"]) == {"final", "average"}
    assert summary["point"].nunique() == 4
    assert {"approval.items", "uncertainties.job_commute_weight"} <= set(summary.columns)
    jhr = summary[(summary["metric"] == "jobs_housing_ratio")]
    assert len(jhr) == 4 * 2 and (jhr["n"] == 2).all()
    assert ((jhr["ci_low"] <= jhr["mean"]) & (jhr["mean"] <= jhr["ci_high"])).all()


def test_plot_draws_series_maps_and_sensitivity_bars(reference, tmp_path):
    folder = tmp_path / "p"
    shutil.copytree(reference, folder)
    assert main(["plot", str(folder)]) == 0
    names = {p.name for p in (folder / "figures").iterdir()}
    assert "series_jobs_housing_ratio.png" in names and "map_jobs_housing_ratio.png" in names


def test_sensitivity_ranks_the_factors(tmp_path):
    spec = tmp_path / "sens.toml"
    spec.write_text('scenario = "reform_2019"\nseed = 3\nreplications = 2\n'
                    'outcomes = ["grid_backlog", "jobs_housing_ratio"]\n'
                    '[run]\nmonths = 8\nscale = 100\n[design]\nkind = "latin_hypercube"\nsamples = 2\n[factors]\n'
                    '"smart_governance.centre_staff" = { low = 0, high = 60 }\n'
                    '"approval.items" = { low = 30, high = 71 }\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["sensitivity", str(spec), "--method", "morris", "--samples", "3", "--out", str(out),
                 "--workers", "0"]) == 0
    indices = pd.read_csv(out / "sensitivity.csv")
    assert set(indices["factor"]) == {"smart_governance.centre_staff", "approval.items"}
    backlog = indices[indices["outcome"] == "grid_backlog"].set_index("factor")["mu_star"]
    assert backlog["smart_governance.centre_staff"] > backlog["approval.items"]  # the lever that acts on it
    assert (out / "figures" / "sensitivity_grid_backlog.png").exists()
    # Each sample point ran on the same two seeds; the indices average them and report their spread.
    runs = pd.read_csv(out / "runs.csv")
    assert len(runs) == 2 * 9 and runs.groupby("replication")["seed_spawn_key"].nunique().eq(1).all()
    assert (indices["replications"] == 2).all() and (indices["seed_sd"] > 0).all()
    assert indices["seed_share"].between(0, 1).all()


def test_sigterm_stops_a_pool_sweep_without_orphans(tmp_path):
    out = tmp_path / "term"
    proc = subprocess.Popen([sys.executable, "-m", "sim.cli", "sweep", str(SMOKE), "--out", str(out),
                             "--workers", "2"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while len(_children(proc.pid)) < 2 and time.time() < deadline:  # wait for the workers to start
        time.sleep(0.05)
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert proc.returncode != 0
    time.sleep(1.0)
    assert [pid for pid in workers if Path(f"/proc/{pid}").exists() and _state(pid) not in "ZX"] == []


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "X"


def _children(pid: int) -> list[int]:
    """Live processes whose parent is ``pid`` (Linux /proc)."""
    out = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid) and fields.get("State", "").strip()[:1] not in ("Z", "X"):
            out.append(int(status.parent.name))
    return out


def test_run_from_a_sweep_folder_reproduces_its_run(crossed, tmp_path):
    _, folder = crossed
    out = tmp_path / "again"
    assert main(["run", "--from", str(folder), "--run-id", "21", "--out", str(out), "--quiet",
                 "--format", "parquet"]) == 0
    for name in ("model", "zones", "od"):
        sweep = table(folder, name)
        pd.testing.assert_frame_equal(sweep[sweep["run_id"] == 21].reset_index(drop=True), table(out, name), obj=name)
    # The run is the package policy in its scenario; its panel and Parquet copies come with it.
    runs = pd.read_csv(folder / "runs.csv").set_index("run_id")
    assert runs.loc[21, "policy"] == "package" and pd.read_csv(out / "model.csv")["scenario"].iloc[0] == \
        runs.loc[21, "scenario"]
    persons = pd.read_parquet(out / "persons.parquet")
    pd.testing.assert_frame_equal(persons, pd.read_csv(out / "persons.csv", keep_default_na=False,
                                                       na_values=[""], dtype={"seed_spawn_key": str}),
                                  check_dtype=False)


@pytest.mark.parametrize("argv, message", [
    (["--run-id", "99"], "run 99 is not in runs.csv"),
    (["--run-id", "1", "--seed", "3"], "leave out --seed"),
    ([], "--run-id I"),
])
def test_run_from_refuses_what_it_cannot_reproduce(reference, capsys, argv, message):
    assert main(["run", "--from", str(reference), *argv]) == 2
    assert message in capsys.readouterr().err


def test_long_tables_keep_runs_on_common_random_numbers_apart(crossed):
    from sim import analysis

    _, folder = crossed
    model, zones = pd.read_csv(folder / "model.csv"), pd.read_csv(folder / "zones.csv")
    long = analysis.long_form(model, zones)
    district = long[(long["area"] == "district") & (long["metric"] == "jobs_housing_ratio")]
    assert len(district) == len(model) and district["run_id"].nunique() == 48
    final = analysis.final_year(long)
    assert final[final["area"] == "district"]["run_id"].nunique() == 48


def test_summarize_and_plot_a_policies_cross_scenarios_sweep_by_policy(crossed, tmp_path):
    _, folder = crossed
    copy = tmp_path / "crossed"
    shutil.copytree(folder, copy)
    assert main(["summarize", str(copy)]) == 0
    summary = pd.read_csv(copy / "summary.csv")
    assert set(summary["policy"]) == {"none", "package", "approval_only"}
    balance = summary[summary["metric"] == "jobs_housing_ratio"]
    assert len(balance) == 6 and (balance["n"] == 16).all()  # each policy over its 8 scenarios × 2 seeds
    assert main(["plot", str(copy)]) == 0 and any((copy / "figures").glob("*.png"))
