"""Scenario discovery (sim.discovery): PRIM finds a known box in a hand-built sweep, refuses what
cannot give an answer, and writes its files for a real sweep."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import batch, design, discovery
from sim.errors import InputError

N = 300


def write_sweep(folder: Path, factors: dict[str, np.ndarray], outcome: np.ndarray, *, months: int = 3,
                status: list[str] | None = None, **labels) -> Path:
    """A sweep folder by hand: runs.csv with factor.* columns, model.csv with the outcome each month
    (the same every month, so its mean over any months is ``outcome``)."""
    folder.mkdir(parents=True, exist_ok=True)
    n = len(outcome)
    runs = pd.DataFrame({"run_id": range(n), **labels, "scenario": "baseline_2018", "seed": 1, "point": range(n),
                         "replication": 0, **{f"factor.{k}": v for k, v in factors.items()},
                         "status": status or ["ok"] * n})
    runs.to_csv(folder / "runs.csv", index=False, encoding="utf-8-sig")
    model = pd.DataFrame({"run_id": np.repeat(np.arange(n), months), "month": np.tile(np.arange(1, months + 1), n),
                          "self_containment": np.repeat(outcome, months)})
    model.to_csv(folder / "model.csv", index=False, encoding="utf-8-sig")
    return folder


@pytest.fixture(scope="module")
def boxed(tmp_path_factory) -> Path:
    """300 runs of a uniform design; self-containment is low exactly where a < 0.3 and b > 0.6."""
    rng = np.random.default_rng(5)
    a, b, c = (rng.uniform(0, 1, N) for _ in range(3))
    low = (a < 0.3) & (b > 0.6)
    outcome = np.where(low, 0.2, 0.6) + rng.normal(0, 0.01, N)
    factors = {"approval.a": a, "uncertainties.b": b, "uncertainties.c": c, "approval.fixed": np.full(N, 7)}
    return write_sweep(tmp_path_factory.mktemp("boxed") / "sweep", factors, outcome)


def test_prim_recovers_the_box_where_the_cases_of_interest_are(boxed):
    found = discovery.discover(boxed, "self_containment", below=0.4)
    assert found.n_runs == N and found.direction == "below" and found.threshold == 0.4
    box = found.chosen
    limits = {limit.factor: limit for limit in box.limits}
    assert set(limits) == {"approval.a", "uncertainties.b"}  # c does not matter, and is not restricted
    assert limits["approval.a"].high == pytest.approx(0.3, abs=0.1)
    assert limits["uncertainties.b"].low == pytest.approx(0.6, abs=0.1)
    assert box.coverage >= 0.8 and box.density >= 0.8
    assert found.left_out == (("approval.fixed", "the same in every run"),)
    # The trajectory starts from the whole design and the chosen box follows the shared rule.
    first = found.peeling.boxes[0]
    assert (first.coverage, first.mass, first.n_restricted) == (1.0, 1.0, 0)
    assert first.density == pytest.approx(found.n_cases / N)
    assert found.peeling.chosen == discovery.choose(found.peeling.boxes)
    text = discovery.summary(found)
    assert "approval.a ∈ [" in text and "uncertainties.b ∈ [" in text and "approval.fixed" in text


def test_an_integer_factor_is_peeled_like_a_number(tmp_path):
    rng = np.random.default_rng(11)
    items, b = rng.integers(30, 72, N), rng.uniform(0, 1, N)  # (a lever of whole numbers: approval items)
    outcome = np.where((items < 42) & (b > 0.6), 0.2, 0.6)
    found = discovery.discover(write_sweep(tmp_path / "sweep", {"approval.items": items, "uncertainties.b": b},
                                           outcome), "self_containment", below=0.4)
    limits = {limit.factor: limit for limit in found.chosen.limits}
    assert limits["approval.items"].high == pytest.approx(42, abs=4) and found.chosen.density >= 0.8


def test_above_selects_the_complement_and_a_category_is_a_factor(tmp_path):
    rng = np.random.default_rng(8)
    a = rng.uniform(0, 1, N)
    policy = rng.choice(["None", "package", "approval_only"], N)  # ("None" is a name, not a missing value)
    high = (policy == "package") & (a > 0.5)
    path = write_sweep(tmp_path / "sweep", {"approval.a": a}, np.where(high, 0.9, 0.3), policy=policy)
    found = discovery.discover(path, "self_containment", above=0.5)
    limits = {limit.factor: limit for limit in found.chosen.limits}
    assert limits["policy"].levels == ("package",)
    assert limits["approval.a"].low == pytest.approx(0.5, abs=0.1)
    assert found.chosen.density >= 0.8
    assert {r.factor: r.levels for r in found.peeling.ranges}["policy"] == ("None", "approval_only", "package")


def test_write_gives_tidy_boxes_a_record_and_two_figures(boxed, tmp_path):
    found = discovery.discover(boxed, "self_containment", below=0.4)
    out = discovery.write(found, tmp_path / "out")
    boxes = pd.read_csv(out / "boxes.csv", encoding="utf-8-sig")
    assert list(boxes.columns) == ["box", "coverage", "density", "mass", "n_runs", "n_cases", "n_restricted",
                                   "factor", "low", "high", "levels", "qp", "chosen"]
    assert sorted(boxes["box"].unique()) == list(range(len(found.peeling.boxes)))
    # one row per restricted factor, or one row for a box that restricts none
    per_box = boxes.groupby("box").size()
    assert (per_box == boxes.groupby("box")["n_restricted"].first().clip(lower=1)).all()
    chosen = boxes[boxes["chosen"]]
    assert set(chosen["box"]) == {found.peeling.chosen} and set(chosen["factor"]) == {"approval.a", "uncertainties.b"}
    record = json.loads((out / "discovery.json").read_text(encoding="utf-8"))
    assert record["outcome"] == "self_containment" and record["direction"] == "below"
    assert (record["n_runs"], record["n_cases"]) == (found.n_runs, found.n_cases)
    assert record["chosen"]["box"] == found.peeling.chosen
    assert set(record["chosen"]["limits"]) == {"approval.a", "uncertainties.b"}
    for name in ("tradeoff", "box"):
        assert (out / "figures" / f"discovery_{name}.png").stat().st_size > 1000
    assert discovery.write(found) == boxed / "discovery_self_containment"  # the default folder
    assert (boxed / "discovery_self_containment" / "boxes.csv").exists()


def test_failed_runs_are_not_cases(tmp_path):
    rng = np.random.default_rng(2)
    a = rng.uniform(0, 1, 60)
    status = ["ok"] * 50 + ["failed"] * 10
    path = write_sweep(tmp_path / "sweep", {"approval.a": a}, np.where(a < 0.4, 0.1, 0.5), status=status)
    assert discovery.discover(path, "self_containment", below=0.3).n_runs == 50


@pytest.mark.parametrize(("kwargs", "field", "says"), [
    ({"outcome": "happiness", "below": 0.4}, "--outcome", "allowed: "),
    ({"outcome": "self_containment"}, "--below/--above", "give one of"),
    ({"outcome": "self_containment", "below": 0.4, "above": 0.1}, "--below/--above", "give one of"),
    ({"outcome": "self_containment", "below": float("nan")}, "--below", "a finite number"),
    ({"outcome": "self_containment", "below": 0.0}, "--below", "0 of 300 runs are below 0"),
    ({"outcome": "self_containment", "above": 0.0}, "--above", "300 of 300 runs are above 0"),
    ({"outcome": "self_containment", "below": 0.4, "months": 0}, "--months", "≥ 1"),
])
def test_what_cannot_give_an_answer_is_refused_naming_the_option(boxed, kwargs, field, says):
    with pytest.raises(InputError) as error:
        discovery.discover(boxed, **kwargs)
    assert error.value.field == field and says in str(error.value)
    if field == "--outcome":
        assert "self_containment" in str(error.value) and str(boxed / "model.csv") in str(error.value)
    if field in ("--below", "--above") and "runs are" in str(error.value):
        assert "PRIM needs some runs inside and some outside" in str(error.value)


def test_a_folder_that_is_no_sweep_is_refused_naming_it(tmp_path, boxed):
    with pytest.raises(InputError, match="holds no runs.csv and model.csv") as error:
        discovery.discover(tmp_path, "self_containment", below=0.4)
    assert str(tmp_path) in str(error.value)
    with pytest.raises(InputError, match="no such folder"):
        discovery.discover(tmp_path / "missing", "self_containment", below=0.4)
    plain = tmp_path / "plain"
    plain.mkdir()
    runs = pd.read_csv(boxed / "runs.csv", encoding="utf-8-sig")
    runs.drop(columns=[c for c in runs.columns if c.startswith("factor.")]).to_csv(plain / "runs.csv", index=False)
    (plain / "model.csv").write_bytes((boxed / "model.csv").read_bytes())
    with pytest.raises(InputError, match="has no factor"):
        discovery.discover(plain, "self_containment", below=0.4)


def test_too_few_runs_or_no_varying_factor_is_refused(tmp_path):
    few = write_sweep(tmp_path / "few", {"approval.a": np.linspace(0, 1, 6)}, np.linspace(0, 1, 6))
    with pytest.raises(InputError, match=f"has 6 finished run.*at least {discovery.MIN_RUNS}"):
        discovery.discover(few, "self_containment", below=0.5)
    flat = write_sweep(tmp_path / "flat", {"approval.a": np.full(40, 0.5)}, np.linspace(0, 1, 40))
    with pytest.raises(InputError, match="no factor varies.*approval.a") as error:
        discovery.discover(flat, "self_containment", below=0.5)
    assert str(flat / "runs.csv") in str(error.value)


SPEC = """name = "discovery_test"
scenario = "baseline_2018"
replications = 1
seed = 11

[run]
months = 4
scale = 500

[design]
kind = "latin_hypercube"
samples = 12

[factors]
"approval.items" = { low = 30, high = 80 }
"uncertainties.job_commute_weight" = { low = 1.0, high = 4.0 }
"""


def test_discover_on_a_real_sweep_writes_its_files(tmp_path):
    spec_file = tmp_path / "spec.toml"
    spec_file.write_text(SPEC, encoding="utf-8")
    folder = tmp_path / "sweep"
    outcome = batch.sweep(design.load_spec(spec_file), folder, batch.InProcess())
    assert (outcome.ok, outcome.failed) == (12, 0)
    model = pd.read_csv(folder / "model.csv", encoding="utf-8-sig")
    per_run = model.groupby("run_id")["mean_commute_min"].mean()
    found = discovery.discover(folder, "mean_commute_min", above=float(per_run.median()), months=4)
    assert found.n_runs == 12 and found.n_cases == 6
    assert {r.factor for r in found.peeling.ranges} == {"approval.items", "uncertainties.job_commute_weight"}
    out = discovery.write(found)
    assert out == folder / "discovery_mean_commute_min"
    for name in ("boxes.csv", "discovery.json", "figures/discovery_tradeoff.png", "figures/discovery_box.png"):
        assert (out / name).is_file(), name
    assert "of 12 runs" in discovery.summary(found)
