"""Phase 5: the labour market (rules in ``sim.markets.labour``); in-commuters fill open posts.

Workers lose their job (exogenous separation) or look for a better one; the unemployed look.
Seekers and vacancies meet by the market's rule; the posts still open draw in-commuters from the
rest of Chengdu — a finite pool, more readily in the streets nearer to it and at better pay.
Private sectors' wage offers then follow their vacancy rate (``wages``).
"""

from __future__ import annotations

import numpy as np

from sim.agents.residents import EXTERNAL_JOB, NO_JOB
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
        external_openings=u.external_openings * np.count_nonzero(res.active),
    )
    params = labour.JobChoice(wage_weight=u.job_wage_weight, commute_weight=u.job_commute_weight,
                              offers=u.job_offers, search_decay=u.search_decay,
                              matching_efficiency=u.matching_efficiency,
                              switch_cost=u.switch_cost, talent_premium=d.external.talent_wage_premium)
    result, wage = labour.match(rng, seekers, vacancies, model.minutes, d.ext, params, model.external.wage_offers)
    moved = result != labour.STAY
    taken = result[moved]
    area = np.where(taken == EXTERNAL_JOB, d.ext, f.street[np.maximum(taken, 0)])
    res.take_jobs(rows[moved], taken, wage[moved], area)
    flows.add("hires", int(np.count_nonzero(moved & (result >= 0))) * scale)

    in_now = int(f.incommuters[f.alive].sum()) * scale
    still_open = f.open_posts(res.firm_counts(f.capacity)[0])
    hiring = np.flatnonzero(still_open > 0)
    came = model.external.in_commuters(rng, still_open[hiring], f.street[hiring], f.wage[hiring],
                                       u.incommuter_fill_rate, u.job_commute_weight, in_now)
    f.incommuters[hiring] += came
    still_open[hiring] -= came
    wages(model, still_open)
    return flows


def vacancy_by_sector(model, open_posts: np.ndarray) -> np.ndarray:
    """Open posts (``open_posts`` per firm row) over posts of private firms, by sector (0 for
    public sectors)."""
    f, n = model.firms, len(model.district.sectors)
    rows = np.flatnonzero(f.alive & ~f.public)
    posts = np.bincount(f.sector[rows], weights=f.target[rows], minlength=n)
    return np.bincount(f.sector[rows], weights=open_posts[rows], minlength=n) / np.maximum(posts, 1.0)


WAGE_REFERENCE_MONTHS = 12  # the first year sets each sector's usual vacancy rate (assumption)


def wages(model, open_posts: np.ndarray) -> None:
    """Private sectors' wage offers follow tightness: a sector whose vacancy rate is above its
    usual rate raises the offers of all its firms (new hires get them; a worker's wage is the one
    agreed when hired), one below lowers them (``partial_adjustment``); public pay scales stay.
    The usual rate is the sector's mean over the first year, when offers stay put: the month-0
    state is a transient (the first months fill posts the start left open), and a reference
    taken there would make wages drift for no reason."""
    f, d = model.firms, model.district
    vacancy = vacancy_by_sector(model, open_posts)
    if model.steps <= WAGE_REFERENCE_MONTHS:
        model.vacancy_reference += vacancy / WAGE_REFERENCE_MONTHS
        return
    factor = partial_adjustment(np.ones(len(d.sectors)), vacancy, model.config.uncertainties.wage_response,
                                model.vacancy_reference)
    factor[d.public_sector] = 1.0
    model.wage_index *= factor
    rows = np.flatnonzero(f.alive & ~f.public)
    f.wage[rows] *= factor[f.sector[rows]].astype(np.float32)
