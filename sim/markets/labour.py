"""The labour market: job seekers choose among vacancies by wage and commute time.

Contacts follow a matching function: a seeker hears of vacancies this month with probability
``efficiency × √(openings / seekers)``, capped at 1 (a Cobb–Douglas matching function with
elasticity ½). A seeker who hears of vacancies gets ``offers`` of them, drawn from one pool — the
district's open posts and the openings in each area of the rest of Chengdu — in proportion to
the openings and, since people hear of jobs near home more, to exp(−search_decay × commute
hours). It compares them with what it has now (its job, or unemployment at its reservation wage) by a logit
on log wage and commute hours. A post needs a tertiary degree with its firm's talent share;
only talent can take such a post, and it pays the talent premium. Firms take at most their
open posts; seekers turned away try again next month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.agents.residents import EXTERNAL_JOB
from sim.compiled import kernel
from sim.markets import admit, gumbel

STAY = -3  # a seeker's choice: keep what it has


@dataclass(frozen=True)
class JobChoice:
    wage_weight: float  # utility per unit of log wage
    commute_weight: float  # utility per hour of one-way commute
    offers: int  # vacancies a seeker who makes contact hears of
    search_decay: float  # per commute hour: how fast hearing of a vacancy fades with distance
    matching_efficiency: float  # scale of the matching function
    switch_cost: float  # utility a worker gives up by changing job
    talent_premium: float  # wage ratio of a talent post to a non-talent one


@dataclass(frozen=True)
class Seekers:
    home: np.ndarray  # street of residence
    factor: np.ndarray  # personal commute factor
    talent: np.ndarray
    current_wage: np.ndarray  # wage now; the reservation wage for the unemployed
    current_minutes: np.ndarray  # commute now; 0 for the unemployed
    employed: np.ndarray


@dataclass(frozen=True)
class Vacancies:
    firm: np.ndarray  # firm rows with open posts
    open_posts: np.ndarray  # open posts per row
    street: np.ndarray
    wage: np.ndarray  # non-talent wage
    talent_share: np.ndarray
    external_openings: np.ndarray  # openings in each outside area within this market's reach, in rows


def contact_probability(n_seekers: int, openings: float, efficiency: float) -> float:
    """Chance a seeker hears of vacancies this month (matching function, elasticity ½)."""
    if n_seekers == 0:
        return 0.0
    return float(min(1.0, efficiency * np.sqrt(openings / n_seekers)))


def draw_offers(rng: np.random.Generator, home: np.ndarray, vacancies: Vacancies, minutes: np.ndarray, ext: int,
                k: int, decay: float) -> np.ndarray:
    """``k`` offers per seeker: indices into ``vacancies``, or −1 − a for an opening in outside area a.

    P(firm f | home h) ∝ open posts of f × exp(−decay × minutes[h, street of f] / 60), drawn in two
    stages with the same result: the area first (its open posts × the decay), then a uniformly
    random open post of that area (so a firm in proportion to its open posts).
    """
    order = np.argsort(vacancies.street, kind="stable")
    street = vacancies.street[order]
    per_area = np.bincount(street, weights=vacancies.open_posts[order], minlength=ext).astype(np.int64)
    open_by_area = np.append(per_area, vacancies.external_openings)  # streets, then outside areas
    weight = np.exp(-decay * minutes[:ext, : len(open_by_area)] / 60.0) * open_by_area[None, :]  # home × area
    cum_area = np.cumsum(weight, axis=1)
    # Stage 1: the area of each offer — how many of its home's cumulative weights the draw passes.
    target = rng.random((len(home), k)) * cum_area[home, -1:]
    area = np.minimum(passed(cum_area, home.astype(np.int64), target), len(open_by_area) - 1)
    # Stage 2: a uniformly random open post of the area, i.e. a firm in proportion to its open posts.
    posts = np.repeat(order, vacancies.open_posts[order].astype(np.int64))  # one entry per open post
    first = np.concatenate([[0], np.cumsum(per_area)])
    local = area < ext
    a = np.where(local, area, 0)
    index = first[a] + (rng.random((len(home), k)) * per_area[a]).astype(np.int64)
    return np.where(local, posts[np.minimum(index, max(len(posts) - 1, 0))] if len(posts) else 0, ext - 1 - area)


@kernel("int64[:, :](float64[:, :], int64[:], float64[:, :])")
def passed(cum, row, target):
    """How many of ``cum[row[i]]`` (ascending) are ≤ ``target[i, j]``, for every i and j: the
    inverse-CDF draw ``np.searchsorted(cum[row[i]], target[i, j], side="right")``."""
    out = np.zeros(target.shape, np.int64)
    for i in range(target.shape[0]):
        for j in range(target.shape[1]):
            for a in range(cum.shape[1]):  # count them all: `cum` ascends, and no branch to mispredict
                out[i, j] += cum[row[i], a] <= target[i, j]
    return out


def choose_jobs(rng: np.random.Generator, seekers: Seekers, vacancies: Vacancies, minutes: np.ndarray,
                ext: int, p: JobChoice, external_wages) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each seeker's choice, the wage it would earn and the area of the job, before capacity (see
    ``match``).

    The choice is an index into ``vacancies`` (≥ 0), ``EXTERNAL_JOB`` for an offer from
    elsewhere in Chengdu (its area says which), or ``STAY`` (area −1). ``external_wages(rng,
    talent)`` draws the wages of offers from elsewhere (one per element of the boolean array).
    """
    n, k = len(seekers.home), p.offers
    choice = np.full(n, STAY, dtype=np.int64)
    wage = seekers.current_wage.astype(float)  # (a copy)
    area = np.full(n, -1, dtype=np.int64)
    local = float(vacancies.open_posts.sum())
    openings = local + float(vacancies.external_openings.sum())
    if n == 0 or openings <= 0:
        return choice, wage, area
    contact = rng.random(n) < contact_probability(n, openings, p.matching_efficiency)
    rows = np.flatnonzero(contact)
    m = len(rows)
    best = (p.wage_weight * np.log(np.maximum(seekers.current_wage[rows], 1.0))
            - p.commute_weight * seekers.current_minutes[rows] / 60.0
            + np.where(seekers.employed[rows], p.switch_cost, 0.0) + gumbel(rng, m))

    home, factor, talent = seekers.home[rows], seekers.factor[rows], seekers.talent[rows]
    cand = draw_offers(rng, home, vacancies, minutes, ext, k, p.search_decay)  # m × k; < 0: from outside
    external = cand < 0
    # A local post needs a degree with its firm's talent share (a draw per local offer); an offer
    # from elsewhere has its own wage (a draw per such offer); every offer has its taste shock.
    degree_draw = rng.random(int(np.count_nonzero(~external)))
    outside_wage = external_wages(rng, np.broadcast_to(talent[:, None], (m, k))[external]).astype(np.float64)
    shocks = gumbel(rng, (m, k))
    post_wage = vacancies.wage.astype(np.float64)
    pick, offer_wage, offer_area = best_offers(cand, degree_draw, outside_wage, np.log(outside_wage), shocks, best,
                                   home.astype(np.int64), factor.astype(np.float64), talent,
                                   vacancies.street.astype(np.int64), post_wage, np.log(post_wage),
                                   vacancies.talent_share.astype(np.float64), minutes, ext, p.wage_weight,
                                   p.commute_weight, p.talent_premium)
    take = pick != STAY
    choice[rows[take]] = pick[take]
    wage[rows[take]] = offer_wage[take]
    area[rows[take]] = offer_area[take]
    return choice, wage, area


@kernel("Tuple((int64[:], float64[:], int64[:]))(int64[:, :], float64[:], float64[:], float64[:], float64[:, :], "
        "float64[:], int64[:], float64[:], boolean[:], int64[:], float64[:], float64[:], float64[:], float64[:, :], "
        "int64, float64, float64, float64)")
def best_offers(cand, degree_draw, outside_wage, ln_outside_wage, shocks, best, home, factor, talent, street,
                post_wage, ln_post_wage, talent_share, minutes, ext, wage_weight, commute_weight, talent_premium):
    """Each seeker's best feasible offer by utility (log wage, commute hours, taste shock) if it
    beats what the seeker has (``best``): a vacancy index, ``EXTERNAL_JOB`` or ``STAY``, its
    wage and its area (a street, an outside area, −1 for ``STAY``). Draws are consumed offer by
    offer, seeker by seeker: ``degree_draw`` by local offers, ``outside_wage`` by offers from
    elsewhere. Log wages come in computed (numpy's vectorised log)."""
    m, k = cand.shape
    ln_premium = np.log(talent_premium)
    pick = np.full(m, STAY, np.int64)
    wage = np.zeros(m)
    where = np.full(m, -1, np.int64)
    local = outside = 0
    for i in range(m):
        best_u, best_j, best_wage, best_area = -np.inf, STAY, 0.0, -1
        for j in range(k):
            c = cand[i, j]
            if c < 0:
                w, ln_w = outside_wage[outside], ln_outside_wage[outside]
                area, feasible, option = ext - 1 - c, True, EXTERNAL_JOB
                outside += 1
            else:
                needs_degree = degree_draw[local] < talent_share[c]
                local += 1
                w = post_wage[c] * (talent_premium if needs_degree else 1.0)
                ln_w = ln_post_wage[c] + (ln_premium if needs_degree else 0.0)
                area, feasible, option = street[c], talent[i] | (not needs_degree), c
            u = wage_weight * ln_w - commute_weight * (minutes[home[i], area] * factor[i] / 60.0) + shocks[i, j]
            if feasible and u > best_u:
                best_u, best_j, best_wage, best_area = u, option, w, area
        if best_u > best[i]:
            pick[i], wage[i], where[i] = best_j, best_wage, best_area
    return pick, wage, where


def match(rng: np.random.Generator, seekers: Seekers, vacancies: Vacancies, minutes: np.ndarray, ext: int,
          p: JobChoice, external_wages) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Choices after capacity: a firm row (≥ 0), ``EXTERNAL_JOB`` or ``STAY``; the wages; the
    jobs' areas (−1 for ``STAY``)."""
    choice, wage, area = choose_jobs(rng, seekers, vacancies, minutes, ext, p, external_wages)
    local = np.where(choice >= 0, choice, -1)
    got = admit(rng, local, vacancies.open_posts)
    result = np.where(choice == EXTERNAL_JOB, EXTERNAL_JOB, STAY)
    result[got] = vacancies.firm[local[got]]
    return result, wage, np.where(result == STAY, -1, area)
