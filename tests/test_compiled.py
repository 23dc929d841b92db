"""The compiled loops (``sim.compiled``) against the rules they evaluate, on hand-built cases."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.agents.firms import first_zone, incommuter_flows, row_sums
from sim.agents.population import draw_without_replacement, sample_rows
from sim.agents.residents import update_satisfaction
from sim.markets import housing as hm
from sim.markets.labour import passed
from sim.processes.firms import used_space


def test_satisfaction_scores_work_commute_housing_and_place():
    # A worker 45 min from work paying a fifth of its wage, a job seeker and a pensioner, each in a
    # street with place score 0.5 (cell 1); the last row is empty (cell 0).
    work_area = np.array([3, -1, -1, -1], dtype=np.int8)
    active = np.array([True, True, False, False])
    commute = np.array([45.0, 0.0, 0.0, 0.0], dtype=np.float32)
    wage = np.array([5000.0, 0.0, 0.0, 0.0], dtype=np.float32)
    cell = np.array([1, 1, 1, 0], dtype=np.intp)
    cost = np.array([0.0, 1000.0], dtype=np.float32)
    place = np.array([0.0, 0.5], dtype=np.float32)
    satisfaction = np.full(4, 60.0)
    sums = np.zeros(2)
    update_satisfaction(work_area, active, commute, wage, cell, cost, place, np.float32(800.0), 0.0, satisfaction,
                        sums)
    # worker: 20 × (1 + (1 − 45/90) + (1 − 0.2) + 0.5); seeker: 20 × (0.2 + 0.7 + (1 − 1) + 0.5);
    # pensioner: 20 × (0.7 + 0.7 + 0 + 0.5) — housing cost capped at the whole income.
    np.testing.assert_allclose(satisfaction[:3], [56.0, 28.0, 38.0], rtol=1e-6)
    assert sums[1] == satisfaction[:3].sum()
    # With memory, last month's satisfaction keeps its weight.
    satisfaction[:] = 100.0
    update_satisfaction(work_area, active, commute, wage, cell, cost, place, np.float32(800.0), 0.75, satisfaction,
                        np.zeros(2))
    np.testing.assert_allclose(satisfaction[:3], [89.0, 82.0, 84.5], rtol=1e-6)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 500), st.integers(0, 500), st.floats(0.0, 1.0), st.integers(0, 2**31))
def test_a_sample_is_distinct_eligible_sorted_and_leaves_its_scratch_clean(n_rows, k, eligible_share, seed):
    rng = np.random.default_rng(seed)
    eligible = rng.random(n_rows) < eligible_share
    seen = np.zeros(n_rows, dtype=bool)
    rows = sample_rows(rng, seen, lambda r: eligible[r], int(eligible.sum()), k)
    assert len(rows) == min(k, eligible.sum())
    assert eligible[rows].all() and (np.diff(rows) > 0).all() and not seen.any()


def test_a_sample_picks_every_eligible_row_equally_often():
    rng = np.random.default_rng(7)
    eligible = np.arange(60) % 3 != 0  # 40 eligible rows
    seen = np.zeros(60, dtype=bool)
    counts = np.zeros(60)
    for _ in range(4000):
        counts[sample_rows(rng, seen, lambda r: eligible[r], 40, 10)] += 1
    assert counts[~eligible].sum() == 0
    share = counts[eligible] / 4000  # each 10/40, with a standard error of about 0.007
    assert np.abs(share - 0.25).max() < 0.03


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6), st.integers(1, 8), st.integers(0, 40), st.integers(0, 2**31))
def test_offer_areas_are_the_inverse_cdf_draws(homes, areas, n, seed):
    rng = np.random.default_rng(seed)
    cum = np.cumsum(rng.random((homes, areas)) * (rng.random((homes, areas)) < 0.7), axis=1)
    row = rng.integers(0, homes, n)
    target = rng.random((n, 3)) * cum[row, -1:]
    expected = np.array([np.searchsorted(cum[h], t, side="right") for h, t in zip(row, target, strict=True)])
    assert (passed(cum, row, target) == expected.reshape(n, 3)).all()


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 4), st.integers(1, 5), st.integers(0, 60), st.integers(0, 2**31))
def test_a_firm_is_in_the_first_zone_that_covers_its_place_in_the_street(zones, streets, n, seed):
    rng = np.random.default_rng(seed)
    coverage = rng.random((zones, streets)) * (rng.random((zones, streets)) < 0.6)
    street = rng.integers(-1, streets, n)
    zone_u = rng.random(n).astype(np.float32)
    alive = rng.random(n) < 0.9
    inside = zone_u[None, :] < coverage[:, np.maximum(street, 0)]
    expected = np.where(inside.any(axis=0) & alive, inside.argmax(axis=0), -1)
    assert (first_zone(street, zone_u, alive, coverage) == expected).all()


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 4), st.integers(1, 5), st.integers(0, 60), st.integers(0, 2**31))
def test_in_commuters_by_area_and_street_and_their_minutes_are_the_numpy_sums(streets, areas, n, seed):
    rng = np.random.default_rng(seed)
    street = rng.integers(-1, streets, n).astype(np.int8)
    held = (rng.integers(0, 4, (n, areas)) * (street[:, None] >= 0)).astype(np.int32)  # (empty rows hold none)
    minutes = rng.random((streets + areas, streets + areas)) * 90
    od, total = incommuter_flows(street, held, minutes, streets)
    at = np.maximum(street, 0)
    expected = np.stack([np.bincount(at, weights=held[:, a], minlength=streets) for a in range(areas)])
    assert np.allclose(od, expected) and (row_sums(held) == held.sum(axis=1)).all()
    assert np.allclose(total, (minutes[streets:, at].T * held).sum(axis=1))


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 4), st.integers(1, 5), st.integers(0, 60), st.integers(0, 2**31))
def test_floor_space_used_is_posts_times_m2_summed_by_street_and_kind(streets, sectors, n, seed):
    rng = np.random.default_rng(seed)
    private = rng.random(n) < 0.8
    street, sector = rng.integers(0, streets, n).astype(np.int8), rng.integers(0, sectors, n).astype(np.int8)
    target = rng.integers(0, 50, n).astype(np.int32)
    kind, m2 = rng.integers(0, 3, sectors), np.array([15.0, 40.0, 12.0])
    k = kind[sector]
    expected = np.zeros((streets, 3))
    np.add.at(expected, (street[private], k[private]), target[private] * m2[k[private]])
    assert np.allclose(used_space(private, street, sector, target, kind, m2, streets), expected)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 30), st.integers(1, 5), st.integers(0, 2**31))
def test_a_draw_without_replacement_takes_what_is_asked_and_no_more_than_each_kind_holds(n, kinds, seed):
    rng = np.random.default_rng(seed)
    held = rng.integers(0, 6, (n, kinds))
    k = rng.integers(0, 12, n)
    taken = draw_without_replacement(rng, held, k)
    assert (taken >= 0).all() and (taken <= held).all()
    assert (taken.sum(axis=1) == np.minimum(k, held.sum(axis=1))).all()


def test_a_draw_without_replacement_takes_each_item_equally_likely():
    taken = draw_without_replacement(np.random.default_rng(0), np.tile([[3, 1, 0]], (4000, 1)), np.ones(4000, int))
    assert abs(taken[:, 0].mean() - 0.75) < 0.03 and taken[:, 2].sum() == 0


def test_movers_choose_by_the_logit_over_the_options_open_to_them():
    # Displaced movers (they cannot stay) without a job, two streets differing by one unit of
    # amenity, no housing cost; resettlement units full and no talent eligibility, so only the two
    # market options are open: P(street 1) = e / (1 + e).
    n = 20000
    movers = hm.Movers(home=np.zeros(n, dtype=np.int64), tenure=np.zeros(n, dtype=np.int8), income=np.full(n, 5000.0),
                       work_area=np.full(n, -1), factor=np.ones(n, dtype=np.float32),
                       talent_eligible=np.zeros((n, 2), dtype=bool), displaced=np.ones(n, dtype=bool))
    vacant = np.array([[n, n], [0, 0], [n, n]])
    options = hm.HomeOptions(cost=np.zeros((3, 2)), vacant=vacant, amenity=np.array([0.0, 1.0]))
    minutes = np.array([[10.0, 20.0, 40.0], [20.0, 10.0, 40.0], [40.0, 40.0, np.nan]])
    params = hm.HomeChoice(rent_weight=1.0, commute_weight=1.0, moving_cost=0.5)
    choice = hm.choose_homes(np.random.default_rng(3), movers, options, minutes, params)
    assert set(np.unique(choice)) == {0, 1}  # market tenure (0) in street 0 or 1
    assert abs(np.mean(choice == 1) - np.e / (1 + np.e)) < 0.015
