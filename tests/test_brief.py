"""`chancheng brief`: the PDF of a comparison opens, says what it must in Chinese or English, holds
its figures on at most two pages, sets user text as text; bad input writes nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from sim import brief, plots
from sim.cli import main
from sim.errors import InputError
from sim.ui.i18n import scenario_title


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A tiny comparison with contributions (reform_2019's last levers start in month 7)."""
    out = tmp_path_factory.mktemp("brief") / "cmp"
    assert main(["compare", "baseline_2018", "reform_2019", "--seeds", "2", "--months", "7", "--scale", "1000",
                 "--contributions", "--out", str(out), "--quiet"]) == 0
    return out


def pdf_text(path: Path) -> tuple[str, PdfReader]:
    reader = PdfReader(path)
    return "\n".join(page.extract_text() for page in reader.pages), reader


def copy(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / "cmp"
    shutil.copytree(folder, target, ignore=shutil.ignore_patterns("*.pdf"))
    return target


def test_chinese_brief(folder, capsys):
    assert main(["brief", str(folder)]) == 0
    path = folder / "brief.pdf"
    assert f"→ {path}" in capsys.readouterr().out
    text, reader = pdf_text(path)
    assert 1 <= len(reader.pages) <= 2
    for term in ("成华区产城融合政策模拟", "职住比", "就业自足率", "平均通勤时间", "各政策杠杆的贡献",
                 "工程建设项目审批事项数", "示意图：街道形状为示意", scenario_title("baseline_2018", "zh"),
                 scenario_title("reform_2019", "zh")):
        assert term in text
    assert "无明显差异" in text or "显著改善" in text or "显著恶化" in text
    assert sum(len(page.images) for page in reader.pages) == len(brief.CHARTS) + 1  # the charts and the map
    assert all(page.images for page in reader.pages)
    assert not list(folder.glob(".*.tmp"))


def test_english_brief(folder, tmp_path):
    out = tmp_path / "brief.pdf"
    assert main(["brief", str(folder), "--lang", "en", "--out", str(out)]) == 0
    text, reader = pdf_text(out)
    assert len(reader.pages) <= 2 and all(page.images for page in reader.pages)
    for term in ("policy brief", "self-containment", "mean commute", "What each lever contributed",
                 "schematic: street shapes are stylised", scenario_title("reform_2019", "en")):
        assert term in text
    assert "职住比" not in text
    assert not (folder / "brief_en.pdf").exists()


def test_user_text_is_set_as_text(folder, tmp_path):
    """A scenario name full of Typst markup reaches the page as written."""
    target = copy(folder, tmp_path)
    name = 'pilot #strong[x] $y$ "q" *z*'
    meta = json.loads((target / "metadata.json").read_text(encoding="utf-8"))
    meta["scenarios"][1] = name
    (target / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    (target / "scenario_reform_2019.toml").rename(target / f"scenario_{name}.toml")
    model = target / "model.csv"
    model.write_text(model.read_text(encoding="utf-8-sig").replace(",reform_2019,", f',"{name.replace('"', '""')}",'),
                     encoding="utf-8-sig")
    text, _ = pdf_text_of(brief.render(target, "en"), tmp_path)
    assert name in text


def pdf_text_of(pdf: bytes, tmp_path: Path) -> tuple[str, PdfReader]:
    assert pdf.startswith(b"%PDF")
    (tmp_path / "x.pdf").write_bytes(pdf)
    return pdf_text(tmp_path / "x.pdf")


def damage(name: str, old: str, new: str):
    def change(target: Path) -> None:
        path = target / name
        path.write_text(path.read_text(encoding="utf-8-sig").replace(old, new, 1), encoding="utf-8")
    return change


BAD = [
    (lambda t: shutil.rmtree(t), "no such folder"),
    (lambda t: (t / "differences.csv").unlink(), "differences.csv: no such file"),
    (lambda t: (t / "metadata.json").write_text("{"), "metadata.json: is not JSON"),
    (damage("metadata.json", '"months"', '"monthz"'), "metadata.json: months: must be a whole number"),
    (damage("differences.csv", "district,district,jobs_housing_ratio,", "district,district,jobs_housing_ratio,abc"),
     "differences.csv: a_mean: holds"),
    (damage("differences.csv", "difference", "diff"), "differences.csv: has no column 'difference'"),
    (damage("contributions.csv", ",same", ",fine"), "contributions.csv: verdict: holds 'fine'"),
    (lambda t: (t / "model.csv").write_bytes(b"\x00\xff garbage"), "model.csv"),
    (lambda t: (t / "scenario_baseline_2018.toml").unlink(), "scenario_baseline_2018.toml: no such file"),
]


@pytest.mark.parametrize(("spoil", "message"), BAD)
def test_bad_folder_writes_nothing(folder, tmp_path, capsys, spoil, message):
    target = copy(folder, tmp_path)
    spoil(target)
    assert main(["brief", str(target)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not target.exists() or not list(target.glob("*.pdf")) and not list(target.glob(".*.tmp"))


def test_bad_options(folder, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["brief", str(folder), "--lang", "fr"])
    assert exit_.value.code == 2 and "--lang" in capsys.readouterr().err
    with pytest.raises(InputError, match="unknown language 'fr'"):
        brief.render(folder, "fr")
    assert main(["brief", str(folder), "--out", str(tmp_path / "missing" / "b.pdf")]) == 2
    assert "--out: its folder does not exist" in capsys.readouterr().err


def test_no_chinese_font(folder, tmp_path, capsys, monkeypatch):
    """Without a CJK font the brief says what to install, in either language."""
    monkeypatch.setattr(plots, "cjk_font", lambda: None)
    for lang in ("zh", "en"):
        out = tmp_path / f"{lang}.pdf"
        assert main(["brief", str(folder), "--lang", lang, "--out", str(out)]) == 2
        err = capsys.readouterr().err
        assert "apt-get install fonts-wqy-microhei" in err and err.count("\n") == 1
        assert not out.exists()
