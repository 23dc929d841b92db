"""Excess commuting and the balance metrics on small tables with known answers."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from sim import metrics


def test_t_min_and_t_max_of_a_two_by_two_table():
    od = np.array([[2.0, 8.0], [8.0, 2.0]])  # most people commute across
    cost = np.array([[10.0, 50.0], [50.0, 10.0]])
    r = metrics.excess_commuting(od, cost)
    assert np.isclose(r["t_min"], 10.0)  # everyone could work at home
    assert np.isclose(r["t_max"], 50.0)
    assert np.isclose(r["t_obs"], (4 * 10 + 16 * 50) / 20)
    assert np.isclose(r["excess_commuting"], (r["t_obs"] - 10) / r["t_obs"])
    assert np.isclose(r["commuting_potential_used"], (r["t_obs"] - 10) / 40)


def brute_force_min(supply, demand, cost):
    """Minimum transport cost over all integer flows (tiny tables only)."""
    n = len(supply)
    best = np.inf
    cells = list(itertools.product(range(n), range(n)))
    for flows in itertools.product(*(range(min(supply[i], demand[j]) + 1) for i, j in cells)):
        x = np.array(flows).reshape(n, n)
        if (x.sum(axis=1) == supply).all() and (x.sum(axis=0) == demand).all():
            best = min(best, (x * cost).sum())
    return best


def test_t_min_matches_a_brute_force_optimum():
    od = np.array([[1, 2, 0], [0, 1, 2], [2, 0, 1]], dtype=float)
    cost = np.array([[5.0, 9.0, 20.0], [7.0, 3.0, 11.0], [12.0, 6.0, 4.0]])
    r = metrics.excess_commuting(od, cost)
    expected = brute_force_min(od.sum(axis=1).astype(int), od.sum(axis=0).astype(int), cost) / od.sum()
    assert np.isclose(r["t_min"], expected)


def test_forbidden_cells_carry_no_flow():
    od = np.array([[0.0, 5.0], [5.0, 0.0]])
    cost = np.array([[1.0, 10.0], [10.0, 1.0]])
    forbidden = np.array([[False, False], [False, True]])
    r = metrics.excess_commuting(od, cost, forbidden)
    # Origin 1 may not stay home, so its 5 trips cross and take destination 0's places: the
    # observed pattern is already the only feasible one.
    assert np.isclose(r["t_min"], 10.0)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 5).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 50), min_size=n * n, max_size=n * n),
    st.lists(st.floats(1.0, 120.0), min_size=n * n, max_size=n * n))))
def test_t_min_le_t_obs_le_t_max(tables):
    flows, costs = tables
    n = int(round(len(flows) ** 0.5))
    od = np.array(flows, dtype=float).reshape(n, n)
    if od.sum() == 0:
        od[0, 0] = 1.0
    r = metrics.excess_commuting(od, np.array(costs).reshape(n, n))
    assert r["t_min"] <= r["t_obs"] <= r["t_max"]
    assert 0.0 <= r["excess_commuting"] <= 1.0


def test_balance_of_a_grouped_table():
    # Two streets and the outside; street 0 has more jobs than workers.
    od = np.array([[3.0, 1.0, 2.0], [4.0, 2.0, 4.0], [5.0, 1.0, 0.0]])
    b = metrics.balance(od)
    assert np.allclose(b["jobs"], [12.0, 4.0])
    assert np.allclose(b["employed_residents"], [6.0, 10.0])
    assert np.allclose(b["jobs_housing_ratio"], [2.0, 0.4])
    assert np.allclose(b["self_containment"], [0.5, 0.2])
    assert np.allclose(b["internal_capture"], [0.25, 0.5])


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.floats(0.0, 0.5), st.sampled_from([0.0, 0.02, 0.1]), st.booleans())
def test_the_last_basis_mended_month_by_month_gives_the_fresh_optimum(seed, wobble, cheaper, empty_row):
    """A table that drifts month to month, as a district's does, and (``cheaper`` > 0) roads that
    shorten some trips a little each month: T_min and T_max from the last month's basis, mended by
    dual simplex pivots, are the optimum of the linear programme solved afresh."""
    rng = np.random.default_rng(seed)
    cost = rng.uniform(5, 90, (5, 5))
    forbidden = np.zeros((5, 5), dtype=bool)
    forbidden[4, 4] = True
    bounds = metrics.CommutingBounds(cost, forbidden)
    od = rng.uniform(0, 100, (5, 5))
    od[4, 4] = 0
    for _ in range(6):
        od = od * rng.uniform(1 - wobble, 1 + wobble, od.shape)
        od[4, 4] = 0
        if empty_row:  # (an area nobody lives in: a degenerate problem)
            od[1] = 0
        if cheaper:
            cost = cost * np.where(rng.random((5, 5)) < 0.4, 1 - cheaper, 1.0)
            bounds.set_costs(cost)
        kept = bounds(od)
        share = (od / od.sum()).ravel()
        for sign, key in ((1.0, "t_min"), (-1.0, "t_max")):
            fresh = linprog(sign * cost.ravel(), A_eq=metrics._transport_constraints(5).toarray(),
                            b_eq=np.concatenate([share.reshape(5, 5).sum(axis=1), share.reshape(5, 5).sum(axis=0)]),
                            bounds=[(0, 0 if f else None) for f in forbidden.ravel()], method="highs")
            assert np.isclose(kept[key], sign * fresh.fun, rtol=1e-9, atol=0)


def test_a_new_months_totals_are_met_by_pivots_not_a_fresh_solve(monkeypatch):
    """Totals that move the optimum to other cells: the dual simplex finds it from the last basis,
    and the linear programme is solved once per problem, in the first month only."""
    rng = np.random.default_rng(7)
    cost = rng.uniform(5, 90, (6, 6))
    bounds = metrics.CommutingBounds(cost)
    solves = []
    solve = bounds._solve
    monkeypatch.setattr(bounds, "_solve", lambda b, k: solves.append(k) or solve(b, k))
    od = rng.uniform(0, 100, (6, 6))
    bases = set()
    for _ in range(12):
        od = od * rng.uniform(0.5, 1.5, od.shape)
        kept = bounds(od)
        bases.add(tuple(sorted(bounds.trees[0])))
        assert np.isclose(kept["t_min"], metrics.excess_commuting(od, cost)["t_min"], rtol=1e-9, atol=0)
    assert solves == [0, 1] and len(bases) > 1  # (the optimum moved, and pivots followed it)


def test_new_costs_are_met_by_pivots_not_a_fresh_solve(monkeypatch):
    """Roads that make some trips cheaper month by month (the transport lever's ramp): the last
    basis' duals turn infeasible, primal simplex pivots bring in the cells now worth using, and
    the linear programme is solved once per problem, in the first month only."""
    rng = np.random.default_rng(11)
    cost = rng.uniform(5, 90, (6, 6))
    forbidden = np.zeros((6, 6), dtype=bool)
    forbidden[5, 5] = True
    bounds = metrics.CommutingBounds(cost, forbidden)
    solves = []
    solve = bounds._solve
    monkeypatch.setattr(bounds, "_solve", lambda b, k: solves.append(k) or solve(b, k))
    od = rng.uniform(0, 100, (6, 6))
    od[5, 5] = 0
    bases = set()
    for _ in range(12):
        cost = cost * np.where(rng.random((6, 6)) < 0.3, 0.8, 1.0)
        bounds.set_costs(cost)
        kept, fresh = bounds(od), metrics.excess_commuting(od, cost, forbidden)
        bases.add(tuple(sorted(bounds.trees[1])))
        assert np.isclose(kept["t_min"], fresh["t_min"], rtol=1e-9, atol=0)
        assert np.isclose(kept["t_max"], fresh["t_max"], rtol=1e-9, atol=0)
    assert solves == [0, 1] and len(bases) > 1
