"""Phase 5: the labour market (rules in ``sim.markets.labour``); in-commuters fill open posts.

Workers lose their job (exogenous separation) or look for a better one; the unemployed look.
Seekers and vacancies meet by the market's rule; the posts still open draw in-commuters from the
areas of the rest of Chengdu — a finite pool in each, more readily in the streets nearer to it and
at better pay.
Private sectors' wage offers then follow their vacancy rate, and the talent premium the relative
scarcity of talent (``wages``).
"""

from __future__ import annotations

import numpy as np

from sim.agents.residents import NO_JOB
from sim.flows import Flows
from sim.markets import labour, partial_adjustment


def step(model) -> Flows:
    rng, d, u, f, res, scale = (model.rng, model.district, model.config.uncertainties, model.firms, model.residents,
                                model.scale)
    month = model.steps
    flows = Flows()
    searching = res.sample(rng, u.on_the_job_search, "employed")
    lost = res.sample(rng, u.separation_rate, "employed")
    res.quit_jobs(lost, month)
    flows.add("separations", len(lost) * scale)
    searching = np.setdiff1d(searching, lost, assume_unique=True)
    unemployed = np.flatnonzero(res.active & (res.work_area < 0))  # (int8: a quarter of the bytes of `employer`)
    rows = np.concatenate([unemployed, searching])  # two disjoint sets
    employed = res.employer[rows] != NO_JOB
    talent = res.talent[rows]
    seekers = labour.Seekers(
        home=res.home[rows], factor=res.factor[rows], talent=talent,
        current_wage=np.where(employed, res.wage[rows], u.reservation_wage), current_minutes=res.commute[rows],
        employed=employed,
    )
    open_posts = f.open_posts(res.firm_counts(f.capacity)[0])
    firm_rows = np.flatnonzero(open_posts > 0)
    vacancies = labour.Vacancies(
        firm=firm_rows, open_posts=open_posts[firm_rows], street=f.street[firm_rows], wage=f.wage[firm_rows],
        talent_share=f.talent_share[firm_rows],
        external_openings=u.external_openings * np.count_nonzero(res.active) * d.outside_job_share,
    )
    params = labour.JobChoice(wage_weight=u.job_wage_weight, commute_weight=u.job_commute_weight,
                              offers=u.job_offers, search_decay=u.search_decay,
                              matching_efficiency=u.matching_efficiency,
                              switch_cost=u.switch_cost, talent_premium=model.talent_premium)
    result, wage, area = labour.match(rng, seekers, vacancies, model.minutes, d.ext, params,
                                      model.external.wage_offers)
    moved = result != labour.STAY
    res.take_jobs(rows[moved], result[moved], wage[moved], area[moved])
    still_unemployed = unemployed[~moved[: len(unemployed)]]
    flows.add("hires", int(np.count_nonzero(moved & (result >= 0))) * scale)

    in_now = f.incommuters_by_area() * scale  # persons, by outside area
    still_open = f.open_posts(res.firm_counts(f.capacity)[0])
    hiring = np.flatnonzero(still_open > 0)
    came = model.external.in_commuters(rng, still_open[hiring], f.street[hiring], f.wage[hiring],
                                       u.incommuter_fill_rate, u.job_commute_weight, in_now)
    got = np.flatnonzero(came.any(axis=1))
    f.incommuters[hiring[got]] += came[got].astype(f.incommuters.dtype)
    still_open[hiring[got]] -= came[got].sum(axis=1)
    wages(model, still_open, np.count_nonzero(res.talent[still_unemployed]), len(still_unemployed))
    return flows


def vacancy_by_sector(model, open_posts: np.ndarray) -> np.ndarray:
    """Open posts (``open_posts`` per firm row) over posts of private firms, by sector (0 for
    public sectors)."""
    f, n = model.firms, len(model.district.sectors)
    rows = np.flatnonzero(f.alive & ~f.public)
    posts = np.bincount(f.sector[rows], weights=f.target[rows], minlength=n)
    return np.bincount(f.sector[rows], weights=open_posts[rows], minlength=n) / np.maximum(posts, 1.0)


WAGE_REFERENCE_MONTHS = 12  # the first year sets each sector's usual vacancy rate (assumption)


def skill_gap(model, unemployed_talent: int, unemployed: int) -> float:
    """Other workers' unemployment rate less talent's: the higher, the scarcer talent is."""
    other, talent = model.residents.labour.sum(axis=0)  # labour-force rows by skill
    return (unemployed - unemployed_talent) / max(other, 1) - unemployed_talent / max(talent, 1)


def wages(model, open_posts: np.ndarray, unemployed_talent: int, unemployed: int) -> None:
    """Wage offers follow tightness, by sector and by skill. A private sector whose vacancy rate
    is above its usual rate raises the offers of all its firms (new hires get them; a worker's
    wage is the one agreed when hired), one below lowers them (``partial_adjustment``); public
    pay scales stay. The premium a post that needs a degree pays (every sector's) rises while
    talent is scarcer than usual against other workers — the gap between the two groups'
    unemployment rates (``skill_gap``) above its usual value — and falls while it is less scarce
    (a wage curve by skill; assumption). The usual values are the means over the first year, when
    offers stay put: the month-0 state is a transient (the first months fill posts the start left
    open), and a reference taken there would make wages drift for no reason. Offers from the rest
    of Chengdu keep the city's premium."""
    f, d, u = model.firms, model.district, model.config.uncertainties
    vacancy = vacancy_by_sector(model, open_posts)
    gap = skill_gap(model, unemployed_talent, unemployed)
    if model.steps <= WAGE_REFERENCE_MONTHS:
        model.vacancy_reference += vacancy / WAGE_REFERENCE_MONTHS
        model.skill_gap_reference += gap / WAGE_REFERENCE_MONTHS
        return
    model.talent_premium = float(partial_adjustment(np.float64(model.talent_premium), gap, u.premium_response,
                                                    model.skill_gap_reference))
    factor = partial_adjustment(np.ones(len(d.sectors)), vacancy, u.wage_response, model.vacancy_reference)
    factor[d.public_sector] = 1.0
    model.wage_index *= factor
    rows = np.flatnonzero(f.alive & ~f.public)
    f.wage[rows] *= factor[f.sector[rows]].astype(np.float32)
