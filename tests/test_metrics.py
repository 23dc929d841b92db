"""Excess commuting and the balance metrics on small tables with known answers."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

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
@given(st.integers(0, 2**32 - 1), st.floats(0.0, 0.5), st.sampled_from([0.0, 0.02, 0.1]))
def test_reusing_the_last_optimum_gives_the_fresh_one(seed, wobble, cheaper):
    """A table that drifts month to month, as a district's does, and (``cheaper`` > 0) roads that
    shorten some trips a little each month: the last optimum is reused only when it is still
    optimal — with new costs, when duals fitted to them prove it."""
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
        if cheaper:
            cost = cost * np.where(rng.random((5, 5)) < 0.4, 1 - cheaper, 1.0)
            bounds.set_costs(cost)
        kept, fresh = bounds(od), metrics.CommutingBounds(cost, forbidden)(od)
        assert np.isclose(kept["t_min"], fresh["t_min"]) and np.isclose(kept["t_max"], fresh["t_max"])
