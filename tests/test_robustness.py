"""chancheng robustness: the parameter sets, the runs as one resumable sweep, and conclusions.csv."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from sim import config as cfg
from sim import robustness
from sim.calibration import Prior, prior
from sim.cli import main
from sim.policies import LEVERS


def test_a_lever_alone_differs_from_the_baseline_only_in_its_own_fields():
    base = cfg.resolve("baseline_2018")
    values = cfg.lever_values(cfg.resolve("only_approval"), base)
    assert values and all(key.startswith("levers.approval.") for key in values)
    assert cfg.lever_values(base, base) == {}


def test_parameter_sets_draw_the_posterior_and_fill_the_rest_from_the_prior():
    priors = prior()
    posterior = pd.DataFrame({"search_decay": [1.0, 2.0, 3.0], "weight": [0.0, 1.0, 0.0]})
    settings = robustness.Settings(sets=20)
    sets = robustness.parameter_sets(posterior, priors, settings)
    assert (sets["search_decay"] == 2.0).all()  # only the set with weight is ever drawn
    for p in priors:
        if p.name != "search_decay":
            assert sets[p.name].between(p.low, p.high).all()
            # a Latin hypercube: one draw in each twentieth of the range
            bins = np.floor((sets[p.name] - p.low) / (p.high - p.low) * 20).clip(0, 19)
            assert sorted(bins) == list(range(20)), p.name
    pd.testing.assert_frame_equal(sets, robustness.parameter_sets(posterior, priors, settings))


def test_conclusions_find_the_median_the_sign_share_and_where_it_fails():
    rng = np.random.default_rng(3)
    n = 80
    sets = pd.DataFrame({"set": range(n), "posterior_row": 0, "a": rng.uniform(0, 1, n), "b": rng.uniform(0, 1, n)})
    effect = np.where(sets["a"] > 0.75, -1.0, 1.0) * rng.uniform(0.5, 1.5, n)
    table = pd.DataFrame({"lever": "x", "area": "district", "metric": "self_containment", "set": range(n),
                          "effect": effect})
    row = robustness.conclusions(table, sets).iloc[0]
    assert row["median"] > 0 and row["better"] == "higher" and row["median_is"] == "better"
    assert row["sign_share"] == pytest.approx((sets["a"] <= 0.75).mean())
    assert row["failure_region"].startswith("a ∈ [0.7")  # the failing sets: a above 0.75
    assert "b ∈" not in row["failure_region"] and row["prim_coverage"] >= 0.5 and row["prim_density"] > 0.8
    held = robustness.conclusions(table.assign(effect=np.abs(effect)), sets).iloc[0]
    assert held["sign_share"] == 1.0 and held["failure_region"] == ""


def test_robustness_writes_conclusions_for_every_lever_and_resumes_to_the_same_bytes(tmp_path, capsys):
    out = tmp_path / "rob"
    args = ["robustness", "--sets", "2", "--seeds", "1", "--months", "13", "--scale", "1000", "--workers", "2"]
    assert main([*args, "--out", str(out)]) == 0
    table = pd.read_csv(out / "conclusions.csv", encoding="utf-8-sig")
    assert set(table["lever"]) == {"package", *LEVERS}
    assert len(table) == (len(LEVERS) + 1) * len(robustness.HEADLINES)
    assert table["sign_share"].between(0, 1).all() and (table["p05"] <= table["p95"]).all()
    assert (out / "figures" / "robustness_self_containment.png").exists()
    assert "sign holds" in capsys.readouterr().out
    # A kill leaves some runs done: --resume runs the rest — here in process, not on the pool — and
    # gives the same conclusions, byte for byte.
    killed = tmp_path / "killed"
    shutil.copytree(out, killed)
    (killed / "conclusions.csv").unlink()
    runs = (killed / "runs" / "runs.csv").read_text(encoding="utf-8-sig").splitlines(keepends=True)
    (killed / "runs" / "runs.csv").write_text("".join(runs[:12]), encoding="utf-8-sig")
    assert main([*args, "--out", str(killed)]) == 2  # (not without --resume)
    assert main([*args[:-2], "--workers", "0", "--out", str(killed), "--resume"]) == 0  # (another executor)
    assert "already done" in capsys.readouterr().out
    assert (killed / "conclusions.csv").read_bytes() == (out / "conclusions.csv").read_bytes()


def test_a_bad_posterior_file_is_refused_naming_it(tmp_path, capsys):
    path = tmp_path / "posterior.csv"
    pd.DataFrame({"search_decay": [1.0], "weight": ["heavy"]}).to_csv(path, index=False)
    assert main(["robustness", "--posterior", str(path), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and "weight" in err
    assert not (tmp_path / "r").exists()


def test_the_shipped_posterior_names_calibrated_parameters():
    sets = robustness.read_posterior(robustness.POSTERIOR, prior())
    assert len(sets) >= 500 and set(sets.columns) - {"weight"} <= {p.name for p in prior()}
    assert isinstance(prior()[0], Prior)
