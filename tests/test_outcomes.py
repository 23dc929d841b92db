"""Outcomes are declared once: the recorder writes exactly the declared columns, every name the
command line, the page and the comparisons show is declared, every column that can be empty
says why, docs/MODEL.md shows the declaration — and the front door stays light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim import analysis, cli, outcomes
from sim.config import resolve
from sim.runner import run
from tests.conftest import small

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def frames():
    """Thirteen months (an OD month included) of the baseline and the reform at a coarse scale,
    where approvals are rare: the empty cells a user meets."""
    out = {t: [] for t in outcomes.TABLES}
    for name in ("baseline_2018", "reform_2019"):
        result = run(small(resolve(name), months=13, scale=100), 0)
        for t in outcomes.TABLES:
            out[t].append(result.frames[t])
    return {t: pd.concat(v, ignore_index=True) for t, v in out.items()}


def test_each_table_has_exactly_the_declared_columns_in_order(frames):
    for table, frame in frames.items():
        assert list(frame.columns) == [*outcomes.RUN_KEY, *outcomes.COLUMNS[table]], table


def test_every_column_that_can_be_empty_says_why(frames):
    for table, frame in frames.items():
        for name in frame.columns[frame.isna().any()]:
            assert outcomes.column(name).empty, f"{table}.{name} has empty cells but no declared reason"


def test_every_declared_column_has_both_names_a_definition_and_a_unit():
    for name, o in {**outcomes.MEASURES, **outcomes.KEYS}.items():
        assert o.zh and o.en and o.doc, name
        assert o.better in (outcomes.HIGHER, outcomes.LOWER, outcomes.BAND, ""), name
    assert all(o.unit for o in outcomes.MEASURES.values())
    assert set(outcomes.FLOWS) <= set(outcomes.COLUMNS["model"])


def test_the_names_the_views_show_are_declared_for_their_tables():
    from sim.ui import page

    model = set(outcomes.COLUMNS["model"])
    for names in (cli.HEADLINE, cli.COMPARE_HEADLINE, cli.COMPARE_FIGURES, page.HEADLINE, page.LINE_PANELS,
                  page.ZONE_PANELS):
        assert set(names) <= model, names
    assert set(page.MAP_METRICS) <= set(outcomes.COLUMNS["streets"])
    assert set(analysis.ZONE_METRICS) <= set(outcomes.COLUMNS["zones"])
    assert set(page.ZONE_PANELS) <= set(outcomes.COLUMNS["zones"])


def test_docs_show_the_declaration():
    text = (ROOT / "docs" / "MODEL.md").read_text(encoding="utf-8")
    assert outcomes.markdown() in text, "docs/MODEL.md's outcome table is stale: run `make docs`"


def test_docs_show_every_lever_alone_from_its_simulated_table():
    import importlib.util

    from sim.policies import LEVERS

    spec = importlib.util.spec_from_file_location("levers_doc", ROOT / "docs" / "levers.py")
    levers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(levers)
    table = pd.read_csv(levers.CSV)
    assert set(table["lever"]) == set(LEVERS), "docs/levers.csv misses a lever: run `make lever-table`"
    text = (ROOT / "docs" / "MODEL.md").read_text(encoding="utf-8")
    assert levers.markdown() in text, "docs/MODEL.md's lever table is stale: run `make docs`"


def test_the_front_door_imports_no_numerical_library():
    code = ("import sys, sim.cli, sim.config, sim.design, sim.outcomes, sim.policies.state; "
            "heavy = {'numpy', 'pandas', 'scipy', 'mesa', 'numba', 'matplotlib'} & set(sys.modules); "
            "print(sorted(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stdout
