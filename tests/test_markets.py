"""Rules of the two markets on tiny hand-built cases."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.agents.residents import EXTERNAL_JOB
from sim.markets import admit, partial_adjustment
from sim.markets import housing as hm
from sim.markets import labour as lm

# Two streets and two outside areas: street 0 is next to the seekers' homes, street 1 is an hour
# away; outside area 2 is 50 minutes from both streets, area 3 is 90.
MINUTES = np.array([[10.0, 70.0, 50.0, 90.0], [70.0, 10.0, 50.0, 90.0],
                    [50.0, 50.0, np.nan, np.nan], [90.0, 90.0, np.nan, np.nan]])
EXT = 2
NO_OUTSIDE = np.zeros(2)


def job_params(**kw) -> lm.JobChoice:
    base = dict(wage_weight=4.0, commute_weight=2.5, offers=4, search_decay=0.0, matching_efficiency=100.0,
                switch_cost=0.3, talent_premium=1.5)
    return lm.JobChoice(**{**base, **kw})


def seekers(n: int, talent: bool = False) -> lm.Seekers:
    return lm.Seekers(home=np.zeros(n, dtype=np.int64), factor=np.ones(n), talent=np.full(n, talent),
                      current_wage=np.full(n, 2000.0), current_minutes=np.zeros(n), employed=np.zeros(n, bool))


def outside_wages(rng, talent):
    return np.full(talent.shape, 5000.0)


def two_vacancies(wage_near=6000.0, wage_far=6000.0, talent_share=0.0) -> lm.Vacancies:
    return lm.Vacancies(firm=np.array([10, 11]), open_posts=np.array([1000, 1000]), street=np.array([0, 1]),
                        wage=np.array([wage_near, wage_far]), talent_share=np.full(2, talent_share),
                        external_openings=NO_OUTSIDE)


def test_of_two_equal_wage_vacancies_the_nearer_is_chosen_more_often():
    rng = np.random.default_rng(1)
    choice, _, _ = lm.choose_jobs(rng, seekers(4000), two_vacancies(), MINUTES, EXT, job_params(), outside_wages)
    near, far = np.count_nonzero(choice == 0), np.count_nonzero(choice == 1)
    assert near > 2 * far > 0


def test_a_much_better_wage_can_outweigh_the_commute():
    rng = np.random.default_rng(2)
    choice, _, _ = lm.choose_jobs(rng, seekers(4000), two_vacancies(wage_far=15000.0), MINUTES, EXT, job_params(),
                               outside_wages)
    assert np.count_nonzero(choice == 1) > np.count_nonzero(choice == 0)


def test_only_talent_takes_talent_posts():
    rng = np.random.default_rng(3)
    vac = two_vacancies(talent_share=1.0)
    choice, _, _ = lm.choose_jobs(rng, seekers(500, talent=False), vac, MINUTES, EXT, job_params(), outside_wages)
    assert (choice == lm.STAY).all()
    choice, wage, _ = lm.choose_jobs(rng, seekers(500, talent=True), vac, MINUTES, EXT, job_params(), outside_wages)
    took = choice >= 0
    assert took.mean() > 0.95  # a talent post pays 4.5 × the reservation wage: nearly all take one
    assert np.allclose(wage[took], 6000.0 * 1.5)


def test_search_decay_makes_offers_local():
    rng = np.random.default_rng(4)
    offers = lm.draw_offers(rng, np.zeros(5000, dtype=np.int64), two_vacancies(), MINUTES, EXT, 4, decay=3.0)
    assert np.count_nonzero(offers == 0) > 5 * np.count_nonzero(offers == 1)


def test_offers_from_outside_come_from_the_nearer_area_more_and_say_where_the_job_is():
    rng = np.random.default_rng(6)
    vac = lm.Vacancies(firm=np.zeros(0, dtype=np.int64), open_posts=np.zeros(0, dtype=np.int64),
                       street=np.zeros(0, dtype=np.int64), wage=np.zeros(0), talent_share=np.zeros(0),
                       external_openings=np.array([5000.0, 5000.0]))
    offers = lm.draw_offers(rng, np.zeros(5000, dtype=np.int64), vac, MINUTES, EXT, 4, decay=3.0)
    assert set(np.unique(offers)) <= {-1, -2}  # −1 − a: outside area a
    assert np.count_nonzero(offers == -1) > 3 * np.count_nonzero(offers == -2) > 0
    result, wage, area = lm.match(rng, seekers(2000), vac, MINUTES, EXT, job_params(), outside_wages)
    took = result == EXTERNAL_JOB
    assert took.any() and set(np.unique(area[took])) <= {2, 3} and (area[~took] == -1).all()
    assert np.count_nonzero(area == 2) > np.count_nonzero(area == 3)  # the same wage, a shorter commute


def test_firms_take_no_more_than_their_open_posts():
    rng = np.random.default_rng(5)
    vac = lm.Vacancies(firm=np.array([7]), open_posts=np.array([3]), street=np.array([0]), wage=np.array([9000.0]),
                       talent_share=np.zeros(1), external_openings=NO_OUTSIDE)
    result, _, _ = lm.match(rng, seekers(100), vac, MINUTES, EXT, job_params(), outside_wages)
    assert np.count_nonzero(result == 7) == 3
    assert set(np.unique(result)) <= {7, lm.STAY}


def movers(n: int, displaced: bool = False) -> hm.Movers:
    return hm.Movers(home=np.full(n, 1), tenure=np.zeros(n, dtype=np.int8), income=np.full(n, 6000.0),
                     work_area=np.full(n, -1), factor=np.ones(n), talent_eligible=np.zeros((n, 2), bool),
                     displaced=np.full(n, displaced))


def home_options(cost0: float, cost1: float, vacant0: int = 1000, vacant1: int = 1000) -> hm.HomeOptions:
    cost = np.array([[cost0, cost1], [100.0, 100.0], [500.0, 500.0]])
    vacant = np.array([[vacant0, vacant1], [0, 0], [0, 0]])
    return hm.HomeOptions(cost=cost, vacant=vacant, amenity=np.zeros(2))


def test_relocation_flows_toward_a_cheaper_street_with_room():
    rng = np.random.default_rng(6)
    params = hm.HomeChoice(rent_weight=4.0, commute_weight=1.6, moving_cost=0.0)
    options = home_options(cost0=900.0, cost1=1800.0, vacant0=10_000, vacant1=10_000)
    choice = hm.relocate(rng, movers(4000), options, MINUTES, params)
    to_cheap = np.count_nonzero(choice == hm.option_index(np.array(0), np.array(0), 2))
    to_dear = np.count_nonzero(choice == hm.option_index(np.array(0), np.array(1), 2))
    assert to_cheap > to_dear


def test_nobody_moves_into_a_street_without_room():
    rng = np.random.default_rng(7)
    params = hm.HomeChoice(rent_weight=4.0, commute_weight=1.6, moving_cost=0.0)
    choice = hm.relocate(rng, movers(2000), home_options(900.0, 1800.0, vacant0=0), MINUTES, params)
    assert not np.any(choice == 0)


def test_displaced_households_take_resettlement_and_never_stay():
    rng = np.random.default_rng(8)
    params = hm.HomeChoice(rent_weight=4.0, commute_weight=1.6, moving_cost=5.0)
    options = hm.HomeOptions(cost=np.array([[900.0, 900.0], [100.0, 100.0], [500.0, 500.0]]),
                             vacant=np.array([[0, 0], [50, 50], [0, 0]]), amenity=np.zeros(2))
    choice = hm.relocate(rng, movers(80, displaced=True), options, MINUTES, params)
    assert np.all(choice // 2 == 1)  # all 80 fit in 100 resettlement places


def test_talent_apartments_are_let_only_where_a_mover_is_eligible():
    rng = np.random.default_rng(9)
    params = hm.HomeChoice(rent_weight=4.0, commute_weight=1.6, moving_cost=0.0)
    options = hm.HomeOptions(cost=np.array([[1800.0, 1800.0], [100.0, 100.0], [200.0, 200.0]]),
                             vacant=np.array([[1000, 1000], [0, 0], [1000, 1000]]), amenity=np.zeros(2))
    group = movers(2000)
    eligible = np.zeros((2000, 2), bool)
    eligible[:1000, 1] = True  # the first half work for a firm of the zone around street 1
    group = hm.Movers(**{**group.__dict__, "talent_eligible": eligible})
    choice = hm.relocate(rng, group, options, MINUTES, params)
    talent = choice // 2 == 2
    assert talent[:1000].any() and not talent[1000:].any()
    assert np.all(choice[talent] % 2 == 1)  # never the apartments of another zone

def test_rents_rise_when_full_and_fall_when_empty():
    rent = partial_adjustment(np.array([40.0, 40.0]), np.array([0.99, 0.80]), response=0.1, target=0.94)
    assert rent[0] > 40.0 > rent[1]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-1, 5), max_size=60), st.lists(st.integers(0, 10), min_size=6, max_size=6),
       st.integers(0, 2**32 - 1))
def test_admit_never_exceeds_capacity_and_only_admits_choosers(choice, capacity, seed):
    choice, capacity = np.array(choice, dtype=np.int64), np.array(capacity)
    got = admit(np.random.default_rng(seed), choice, capacity)
    assert not got[choice < 0].any()
    counts = np.bincount(choice[got], minlength=6)
    assert (counts <= capacity).all()
    # Every option is filled as far as its choosers allow.
    wanted = np.bincount(choice[choice >= 0], minlength=6)
    assert (counts == np.minimum(wanted, capacity)).all()
