"""The page's per-session controller, without a browser: exports, uploads, presets, isolation."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.errors import InputError
from sim.params import specs
from sim.policies import LEVERS
from sim.ui import charts, i18n
from sim.ui.session import LEAD, SEEDS, UPLOAD_LIMIT, Session, session_for


@pytest.fixture(scope="module")
def session() -> Session:
    s = Session()
    s.draft["run"]["scale"] = 100
    s.reset()
    for _ in range(3):
        s.step()
    return s


def test_the_export_is_the_files_chancheng_run_writes(session, tmp_path):
    archive = zipfile.ZipFile(io.BytesIO(session.export_zip()))
    names = set(archive.namelist())
    assert {"runs.csv", "model.csv", "streets.csv", "zones.csv", "metadata.json", "scenario.toml"} <= names
    archive.extractall(tmp_path)
    model = pd.read_csv(tmp_path / "model.csv")
    # every seed of the ensemble, up to the month on display (not the month computed ahead)
    assert model.groupby("seed")["month"].apply(list).to_dict() == {k: [1, 2, 3] for k in range(SEEDS)}
    assert main(["run", "--months", "1", "--scale", "100", "--out", str(tmp_path / "cli"), "--quiet"]) == 0
    cli = pd.read_csv(tmp_path / "cli" / "model.csv")
    assert list(cli.columns) == list(model.columns)


def test_an_export_while_the_months_ahead_are_computed_holds_the_months_shown():
    """The month ahead extends the rows in another thread while an export reads them: each table
    is read whole, and holds the months shown only (a project's row by the month it ended)."""
    s = Session("reform_2019")
    s.draft["run"]["scale"] = 100
    s.reset()
    for shown in range(1, 7):
        s.step()  # (and the months ahead start at once)
        with zipfile.ZipFile(io.BytesIO(s.export_zip())) as archive:
            model = pd.read_csv(archive.open("model.csv"))
            projects = pd.read_csv(archive.open("projects.csv"))
        assert sorted(set(model["month"])) == list(range(1, shown + 1))
        assert len(model) == SEEDS * shown
        assert (projects["month_ended"] <= shown).all()
    s.settle()
    assert s.live.computed > s.shown  # months were computed ahead of the one exported


def test_the_lever_settings_download_runs_with_the_cli(session, tmp_path):
    session.set_value("approval", "items", 52)
    path = tmp_path / "mine.toml"
    path.write_text(session.scenario_toml(), encoding="utf-8")
    assert main(["run", "--scenario", str(path), "--months", "2", "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert pd.read_csv(tmp_path / "out" / "runs.csv")["levers.approval.items"].iloc[0] == 52


def test_uploads_are_checked_data_only_and_size_limited():
    s = Session()
    with pytest.raises(InputError, match="not valid TOML"):
        s.load_upload("bad.toml", b"[levers\n")
    with pytest.raises(InputError, match="levers.approval.items"):
        s.load_upload("bad.toml", b"[levers.approval]\nitems = 'many'\n")
    with pytest.raises(InputError, match="too large"):
        s.load_upload("big.toml", b"#" * (UPLOAD_LIMIT + 1))
    with pytest.raises(InputError, match="run.data"):
        s.load_upload("sneaky.toml", b"[run]\ndata = '/etc/passwd'\n")
    config = s.load_upload("ok.toml", b'name = "mine"\n[levers.approval]\nitems = 52\n')
    assert config.name == "mine" and s.pending


def test_an_invalid_draft_is_reported_on_reset_and_the_run_is_kept():
    s = Session()
    s.draft["run"]["scale"] = 100
    s.reset()
    s.step()
    s.set_value("committee", "attraction_share", 0.9)  # the three shares no longer sum to 1
    with pytest.raises(InputError, match="sum to 1"):
        s.reset()
    assert s.month == 1


def test_two_sessions_do_not_share_a_model():
    a, b = Session(), Session()
    a.step()
    assert (a.month, b.month) == (1, 0)
    assert not set(a.live.keys) & set(b.live.keys)


def test_every_lever_field_and_page_string_has_both_languages():
    for name, cls in LEVERS.items():
        for field, *_ in specs(cls):
            assert f"{name}.{field}" in i18n.FIELDS_ZH or field in i18n.FIELDS_ZH, (name, field)
        assert cls.label and cls.label_en and cls.mechanism and cls.mechanism_zh
    for key, (zh, en) in i18n.TEXT.items():
        assert zh and en, key


def test_the_page_follows_sampled_residents(session):
    people = session.panel_people()
    assert len(people) > 100  # (all of them at this scale: fewer rows than the panel's size)
    line = session.person_line(people[0])
    assert list(line["month"]) == list(range(1, session.month + 1)) and line["person"].eq(people[0]).all()
    assert (line["events"] != "").any()  # the most eventful first
    assert session.person_line(-5).empty
    assert {i18n.panel_word(code, "zh") for code in ("moved", "job_lost", "talent")} == {"搬家", "失去工作", "人才公寓"}


def test_the_ensemble_steps_every_seed_and_computes_one_month_ahead():
    s = Session()
    s.draft["run"]["scale"] = 200
    s.reset()
    s.settle()
    s.step()
    s.settle()
    assert (s.month, s.live.computed) == (1, 1 + LEAD)  # Step will show a month already computed
    assert s.live.values("jobs_housing_ratio", s.month).shape == (SEEDS, 1)
    s.step()
    assert s.month == 2 and len({row["residents"] for row in (s.live.table(k, "model")[1] for k in range(SEEDS))}) > 1


def test_the_series_kept_for_the_charts_grow_with_the_rows():
    """``Ensemble.column`` keeps each series read and extends it as months come: read after more
    months, every series equals the rows read afresh."""
    s = Session()
    s.draft["run"]["scale"] = 200
    s.reset()
    s.step()
    live, n = s.live, len(s.district.zones)
    assert live.values("jobs", 1).shape == (SEEDS, 1)
    zone_before = live.area_values("zones", 1, n, "jobs", 1)
    for _ in range(3):
        s.step()
    s.settle()
    months = live.computed
    fresh = [[row["jobs"] for row in live.table(k, "model")[:months]] for k in range(SEEDS)]
    assert live.values("jobs", months).tolist() == fresh
    zones = [[live.table(k, "zones")[m * n + 1]["jobs"] for m in range(months)] for k in range(SEEDS)]
    assert live.area_values("zones", 1, n, "jobs", months).tolist() == zones
    assert live.area_values("zones", 1, n, "jobs", 1).tolist() == zone_before.tolist()


def test_a_session_goes_on_when_a_model_worker_dies():
    """A page model worker that dies (killed, out of memory) takes its models with it: the next
    month rebuilds the ensemble in a fresh worker from its config and seeds, and the months go on
    as an undisturbed run's (the same rows); a session started afterwards runs too."""
    from sim.ui import hosts

    s = Session()
    s.draft["run"]["scale"] = 200
    s.reset()
    for _ in range(3):
        s.step()
    s.settle()
    host = hosts.host()
    victim = host.procs[host.where[s.live.keys[0]]]
    victim.kill()
    victim.join(timeout=30)
    for _ in range(LEAD + 2):  # past the months computed ahead: these need the models
        s.step()
    s.settle()
    assert s.month == 3 + LEAD + 2
    undisturbed = hosts.page_model(s.config, s.seeds[0], persons=True)
    for _ in range(s.live.computed):
        undisturbed.step()
    rows = hosts.rows_since(undisturbed, {}, persons=True)
    for name in ("model", "streets", "projects", hosts.PERSON_BLOCKS):
        assert repr(s.live.table(0, name)) == repr(rows[name]), name  # (NaN as text: NaN != NaN)
    assert victim not in host.procs and all(proc.is_alive() for proc in host.procs)
    host.procs[-1].kill()  # a worker dead before anyone asks it: a new session's models
    host.procs[-1].join(timeout=30)
    later = Session()
    later.step()
    assert later.month == 1 and all(proc.is_alive() for proc in host.procs)


def test_a_models_error_leaves_no_answer_unread():
    """One worker's model fails while another answers: both answers are read, so the next request
    gets its own answers (the other worker's was once left in its pipe, for the next one to read)."""
    from sim.config import Config, with_run
    from sim.ui import hosts

    host, config = hosts.host(), with_run(Config(), scale=200)
    keys = host.make(config, [0, 1])  # (one in each worker)
    host._ask("drop", keys[:1])  # gone from its worker only: its next step fails there
    with pytest.raises(RuntimeError, match="a page model failed"):
        host.step(keys)
    host.drop(keys)
    again = host.make(config, [0, 1])
    assert [rows["model"][0]["month"] for rows in host.step(again)] == [1, 1]
    host.drop(again)


def test_a_reload_finds_the_browsers_run_again():
    first = session_for("browser-a")
    first.step()
    assert session_for("browser-a") is first and session_for("browser-a").month == 1
    assert session_for("browser-b") is not first


def test_a_comparison_runs_a_and_b_on_the_same_seeds_and_exports_both(tmp_path):
    s = Session("baseline_2018", seeds=3)
    s.draft["run"].update(scale=500, months=8)
    s.reset()
    done = threading.Event()
    s.redraw = done.set
    s.set_reference(s.config)
    assert done.wait(300) and s.reference is not None and s.reference.computed == 8
    s.load_preset("only_approval")
    s.draft["run"].update(scale=500, months=8)
    s.reset()  # the reference stays: same horizon and scale
    assert s.reference is not None
    done.clear()
    s.compare()
    assert done.wait(300) and s.comparison is not None
    table = s.comparison["differences"]
    assert set(table["level"]) == {"district", "zone", "street"}
    days = table[(table["level"] == "district") & (table["metric"] == "approval_days_12m")].iloc[0]
    assert days["difference"] < 0 and days["n_seeds"] == 3
    assert s.comparison["levers"] == ["approval"]
    assert s.live is s.comparison["b"] and s.month == s.months == 8  # the charts show B to the horizon
    assert s.live.values("approval_days_12m", s.month).shape == (3, 8)
    done.clear()
    s.contribute()
    assert done.wait(300) and s.comparison["contributions"] is not None
    assert set(s.comparison["contributions"]["lever"]) == {"total", "approval", "interaction"}
    with zipfile.ZipFile(io.BytesIO(s.export_zip("zh"))) as archive:
        archive.extractall(tmp_path / "zh")
    differences = pd.read_csv(tmp_path / "zh" / "differences.csv", encoding="utf-8-sig")
    assert "差值（B − A）" in differences.columns and "近12个月审批天数（工作日）" in set(differences["指标"])
    assert (tmp_path / "zh" / "字段说明.csv").exists()
    with zipfile.ZipFile(io.BytesIO(s.export_zip("en"))) as archive:
        archive.extractall(tmp_path / "en")
    runs = pd.read_csv(tmp_path / "en" / "runs.csv")
    assert list(runs["scenario"]) == ["baseline_2018"] * 3 + ["only_approval"] * 3
    assert main(["brief", str(tmp_path / "en"), "--out", str(tmp_path / "brief.pdf")]) == 0
    s.step()  # at the horizon: nothing more to show
    s.compare()
    with zipfile.ZipFile(io.BytesIO(s.export_zip("en"))) as archive:  # B's runs while the new comparison runs
        archive.extractall(tmp_path / "b")
    assert list(pd.read_csv(tmp_path / "b" / "runs.csv")["scenario"]) == ["only_approval"] * 3
    assert pd.read_csv(tmp_path / "b" / "model.csv")["month"].max() == 8
    s.reset()  # a new B: the comparison under way is dropped
    assert s.comparison is None and s.comparison_job is None and s.month == 0


def test_every_panel_draws_its_lines_and_bands_over_the_whole_run(session):
    """Each line and band has a value or None for every month of the run (uPlot draws series of
    the x-axis' length); the months shown hold the mean inside its 95% band, the rest nothing."""
    for figure in (charts.indicator_panels(session, ("jobs_housing_ratio",), ("mean_commute_min",), "zh"),
                   charts.street_trends(session, session.district.street_names[0], "zh")):
        assert len(figure["dates"]) == session.months
        for panel in figure["panels"]:
            current, band = panel["series"][0], panel["bands"][0]
            assert all(len(x) == session.months for x in (current["data"], band["low"], band["high"]))
            shown = slice(0, session.month)
            assert all(lo <= mean <= hi for lo, mean, hi in zip(band["low"][shown], current["data"][shown],
                                                                band["high"][shown], strict=True))
            assert set(current["data"][session.month:]) == {None}
    ratio = charts.indicator_panels(session, ("jobs_housing_ratio",), (), "zh")["panels"][0]
    assert ratio["marks"]["band"]["low"] == 0.8 and ratio["y"]["max"] >= 1.25  # the balanced band in view


def test_share_differences_keep_their_size_below_a_tenth_of_a_point():
    assert i18n.signed(-0.04321, "share", "en") == "−0.043 pp"
    assert i18n.signed(0.26, "share", "zh") == "+0.3 个百分点"
    assert i18n.signed(0.0, "share", "en") == "0.0 pp"


def test_the_export_at_the_horizon_is_what_chancheng_run_writes(tmp_path):
    """Played to its end, the page's run exports the same tables as the command line: the projects
    still under way at the horizon too (``month_ended`` empty)."""
    s = Session()
    s.draft["run"].update(scale=100, months=14)
    s.reset()
    while s.step():
        pass
    with zipfile.ZipFile(io.BytesIO(s.export_zip())) as archive:
        archive.extractall(tmp_path / "page")
    assert main(["run", "--months", "14", "--scale", "100", "--seeds", str(SEEDS), "--out", str(tmp_path / "cli"),
                 "--quiet"]) == 0
    for name in ("model.csv", "streets.csv", "projects.csv"):
        page, cli = (pd.read_csv(tmp_path / side / name) for side in ("page", "cli"))
        pd.testing.assert_frame_equal(page, cli)
    assert pd.read_csv(tmp_path / "page" / "projects.csv")["month_ended"].isna().any()


def test_runs_to_the_horizon_go_on_after_a_pool_worker_dies():
    """A worker of the run pool that dies breaks the pool: the job it was running reports the
    failure, and the next job runs in a fresh pool (not: every comparison failing until restart)."""
    import multiprocessing

    from sim import config as cfg
    from sim.ui.session import Job

    config = cfg.with_run(cfg.resolve("baseline_2018"), scale=200, months=6)
    ended = threading.Event()

    def then(job):  # (as the page's do: their runs' rows, or the error)
        try:
            job.ensembles()
        finally:
            ended.set()

    job = Job({"a": config}, [0, 1, 2, 3], then)
    workers = [p for p in multiprocessing.active_children() if p.name != "page-models"]
    assert workers
    workers[0].kill()
    assert ended.wait(120)
    assert job.error and "BrokenProcessPool" in job.error and job.lost  # (the page says so in its language)
    assert i18n.t("job_lost", "zh").startswith("运行失败：") and "BrokenProcessPool" not in i18n.t("job_lost", "zh")
    ended.clear()
    job = Job({"a": config}, [0, 1], then)
    assert ended.wait(120) and job.error is None and not job.lost
    assert [len(e.rows[0]["model"]) for e in job.ensembles().values()] == [6]


def test_the_pools_workers_end_with_the_server(tmp_path):
    """A server stopped by a signal (as `solara run` is by SIGTERM) runs no exit hooks: its pool's
    workers must end by themselves, not wait for work for ever."""
    script = tmp_path / "server.py"
    script.write_text(
        "import os, signal, time\n"
        "from sim.ui import session\n"
        "def pid(_):\n"
        "    time.sleep(0.2)  # (so that every worker takes a task)\n"
        "    return os.getpid()\n"
        "if __name__ == '__main__':\n"
        "    print(*set(session.pool().map(pid, range(8))), flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n", encoding="utf-8")
    out, err = tmp_path / "out.txt", tmp_path / "err.txt"
    with out.open("w") as stdout, err.open("w") as stderr:  # (files: a worker left behind would hold a pipe open)
        done = subprocess.run([sys.executable, str(script)], stdout=stdout, stderr=stderr, timeout=120,
                              cwd=Path(__file__).resolve().parents[1])
    pids = [int(p) for p in out.read_text().split()]
    assert pids and done.returncode == -signal.SIGTERM, err.read_text()

    def running(pid: int) -> bool:  # (an ended process not yet reaped is a zombie: "Z")
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    deadline = time.monotonic() + 30
    while any(map(running, pids)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(map(running, pids))
