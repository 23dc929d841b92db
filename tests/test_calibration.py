"""chancheng calibrate: the prior, the screening, ABC-SMC that recovers known parameters and gives the
same sets whichever executor ran it, the posterior's summaries, and the command itself."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import batch, calibration
from sim import config as cfg
from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]

TINY = calibration.Settings(seeds=1, months=14, scale=1000, population=8, generations=2, trajectories=2)


def test_the_prior_covers_every_behavioural_parameter_around_its_default():
    priors = calibration.prior()
    defaults = cfg.Uncertainties()
    assert [p.name for p in priors] == [f.name for f in fields(cfg.Uncertainties)]
    for p in priors:
        assert p.low < p.high and p.low <= getattr(defaults, p.name) <= p.high, p.name
        assert p.reason


def test_the_prior_of_every_calibrated_parameter_is_fixed_and_the_shipped_one():
    shipped = pd.read_csv(ROOT / "docs" / "evidence" / "priors.csv", encoding="utf-8-sig").set_index("parameter")
    calibrated = pd.read_csv(ROOT / "docs" / "evidence" / "parameters.csv", encoding="utf-8-sig")
    for row in calibrated.itertuples():
        assert row.parameter in calibration.RANGES  # (not ±50% of a default that the fit replaced)
        low, high, _ = calibration.RANGES[row.parameter]
        assert (low, high) == pytest.approx((shipped.loc[row.parameter, "low"], shipped.loc[row.parameter, "high"]))
        # the defaults are the central set
        assert getattr(cfg.Uncertainties(), row.parameter) == pytest.approx(row.central, rel=1e-3)


def test_held_out_goals_have_no_weight_in_the_distance():
    on_target = {g.name: g.value for g in calibration.GOALS}
    assert calibration.distance(on_target) == 0.0
    held = next(g for g in calibration.GOALS if g.held_out)
    assert calibration.distance({**on_target, held.name: held.value + 10 * held.tolerance}) == 0.0
    fitted = calibration.FITTED[0]
    assert calibration.distance({**on_target, fitted.name: fitted.value + 2 * fitted.tolerance}) == pytest.approx(2.0)


def test_annual_growth_of_a_hand_built_series():
    model = pd.DataFrame({"month": [13, 25, 37], "residents": [100.0, 110.0, 121.0]})
    assert calibration.annual_growth(model) == pytest.approx(0.10)


def test_screening_selects_what_moves_a_goal_by_a_tolerance():
    priors = (calibration.Prior("a", 0.0, 1.0, ""), calibration.Prior("b", 0.0, 1.0, ""))
    x = calibration.screening_design(priors, calibration.Settings(trajectories=6))
    goal = calibration.FITTED[0]
    # "a" moves the first goal by 3 tolerances across its range; "b" by a hundredth of one.
    y = [{g.name: g.value for g in calibration.GOALS} | {goal.name: goal.value + 3 * goal.tolerance * a
                                                        + 0.01 * goal.tolerance * b} for a, b in x]
    table = calibration.screening(priors, calibration.Settings(), x, y)
    assert calibration.selected(table) == ["a"]
    row = table[(table["parameter"] == "a") & (table["goal"] == goal.name)].iloc[0]
    assert row["mu_star_tolerances"] == pytest.approx(3.0)


def test_summaries_of_a_hand_built_posterior():
    priors = (calibration.Prior("a", 0.0, 1.0, ""), calibration.Prior("b", 0.0, 10.0, ""))
    rng = np.random.default_rng(1)
    a = rng.uniform(0.0, 0.04, 200)  # all of it in the lowest 5% of the range: at the lower bound
    post = pd.DataFrame({"weight": np.ones(200), "a": a, "b": 100 * a + rng.normal(0, 0.05, 200),
                         "distance": rng.uniform(0, 1, 200)})
    parameters, pairs = calibration.identifiability(post, ["a", "b"], priors)
    assert parameters.set_index("parameter").loc["a", "at_bound"] == "lower"
    assert parameters.set_index("parameter").loc["a", "shrinkage"] > 0.9
    assert pairs.iloc[0]["trade_off"] and pairs.iloc[0]["correlation"] > 0.9
    central = calibration.central_set(post, ["a", "b"], priors)
    middle = np.abs(a - np.median(a)) <= np.quantile(np.abs(a - np.median(a)), 0.55)
    assert middle[central.name]  # one of the central sets …
    assert central["distance"] <= post.loc[middle, "distance"].quantile(0.1)  # … among the best-fitting of them
    assert calibration.weighted_quantile(np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 3.0]), 0.5) == 3.0


def run_abc(tmp_path, name, executor, names, observed, settings):
    base = cfg.with_run(cfg.resolve("baseline_2018"), months=settings.months, scale=settings.scale)
    simulator = calibration.Simulator(base, tuple(range(settings.seeds)))
    history = calibration.abc(simulator, names, calibration.prior(), settings, f"sqlite:///{tmp_path / name}.db",
                              executor.map, False, observed=observed)
    executor.close()
    return calibration.posterior_table(history)


def test_abc_gives_the_same_sets_in_process_and_on_a_pool(tmp_path):
    names = ["search_decay", "matching_efficiency"]
    one = run_abc(tmp_path, "one", batch.InProcess(), names, None, TINY)
    two = run_abc(tmp_path, "two", batch.LocalPool(2), names, None, TINY)
    assert len(one) == TINY.population
    pd.testing.assert_frame_equal(one, two)


def test_abc_recovers_parameters_from_data_the_model_made(tmp_path):
    """Synthetic goals from known values (the same seeds the fit uses): the posterior's 90% interval
    holds each known value and is far narrower than the prior."""
    settings = calibration.Settings(seeds=1, months=24, scale=200, population=20, generations=3)
    truth = {"search_decay": 2.0, "matching_efficiency": 0.2}  # (above ≈ 0.4 contacts saturate: unidentifiable)
    base = cfg.with_run(cfg.resolve("baseline_2018"), months=settings.months, scale=settings.scale)
    observed = calibration.Simulator(base, (0,))(truth)
    post = run_abc(tmp_path, "synthetic", batch.LocalPool(2), list(truth), observed, settings)
    parameters, _ = calibration.identifiability(post, list(truth), calibration.prior())
    for row in parameters.itertuples():
        assert row.p05 <= truth[row.parameter] <= row.p95, row
        assert (row.p95 - row.p05) < 0.5 * (row.prior_high - row.prior_low), row


def test_calibrate_writes_a_posterior_and_refuses_to_overwrite_an_unfinished_one(tmp_path, capsys):
    out = tmp_path / "cal"
    args = ["calibrate", "--trajectories", "2", "--population", "8", "--generations", "1", "--months", "14",
            "--threshold", "3", "--scale", "1000", "--workers", "2", "--out", str(out)]
    assert main(args) == 0
    for name in ("priors", "screening", "posterior", "generations", "predictive", "parameters", "pairs"):
        assert (out / f"{name}.csv").exists(), name
    assert (out / "figures" / "posterior_marginals.png").exists() and (out / "abc.db").exists()
    posterior = pd.read_csv(out / "posterior.csv", encoding="utf-8-sig")
    assert len(posterior) == 8 and posterior["weight"].gt(0).all()
    predictive = pd.read_csv(out / "predictive.csv", encoding="utf-8-sig")
    assert predictive["held_out"].any() and (predictive["p05"] <= predictive["p95"]).all()
    fitted = cfg.load(out / "calibrated.toml")
    central = posterior.iloc[0]  # (any accepted set: the central one is one of them)
    chosen = list(pd.read_csv(out / "parameters.csv", encoding="utf-8-sig")["parameter"])
    assert any(np.isclose(getattr(fitted.uncertainties, n), posterior[n]).any() for n in chosen), central
    assert not (tmp_path / ".cal.unfinished").exists()
    assert "accepted sets" in capsys.readouterr().out
    # An interrupted calibration is kept for --resume, never silently overwritten.
    (tmp_path / ".again.unfinished").mkdir()
    assert main([*args[:-1], str(tmp_path / "again")]) == 2
    assert "--resume" in capsys.readouterr().err
