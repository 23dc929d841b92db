"""The page's per-session controller, without a browser: exports, uploads, presets, isolation."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest

from sim.cli import main
from sim.errors import InputError
from sim.params import specs
from sim.policies import LEVERS
from sim.ui import i18n
from sim.ui.session import UPLOAD_LIMIT, Session


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
    assert list(model["month"]) == [1, 2, 3]
    assert main(["run", "--months", "1", "--scale", "100", "--out", str(tmp_path / "cli"), "--quiet"]) == 0
    cli = pd.read_csv(tmp_path / "cli" / "model.csv")
    assert list(cli.columns) == list(model.columns)


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
    assert a.model is not b.model


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
