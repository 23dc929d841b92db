"""Phase 4: the labour market (rules in ``sim.markets.labour``); in-commuters fill open posts.

Workers lose their job (exogenous separation) or look for a better one; the unemployed look.
Seekers and vacancies meet by the market's rule; the posts still open draw in-commuters from the
rest of Chengdu, more readily in the streets nearer to it.
"""

from __future__ import annotations

import numpy as np

from sim.agents.residents import EXTERNAL_JOB, NO_JOB
from sim.flows import Flows
from sim.markets import labour


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
    result, wage = labour.match(rng, seekers, vacancies, d.minutes, d.ext, params, model.external.wage_offers)
    moved = result != labour.STAY
    taken = result[moved]
    area = np.where(taken == EXTERNAL_JOB, d.ext, f.street[np.maximum(taken, 0)])
    res.take_jobs(rows[moved], taken, wage[moved], area)
    flows.add("hires", int(np.count_nonzero(moved & (result >= 0))) * scale)

    f.incommuters += model.external.in_commuters(rng, f.open_posts(res.firm_counts(f.capacity)[0]),
                                                 np.maximum(f.street, 0), u.incommuter_fill_rate,
                                                 u.job_commute_weight) * f.alive
    return flows
