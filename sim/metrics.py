"""Jobs–housing metrics: balance, self-containment, commute and excess commuting.

Most are read off the origin–destination (OD) table of commuters between streets and the external
region: ``od[h, w]`` persons living in area ``h`` and working in area ``w`` (the last area is the
rest of Chengdu; nobody is counted as both living and working there).
"""

from __future__ import annotations

from functools import cache

import numpy as np
from scipy import sparse
from scipy.optimize import linprog


def ratio(num, den):
    """num / den, and nan where the denominator is zero."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)


def od_table(home: np.ndarray, work_area: np.ndarray, n_areas: int, weight: float = 1.0) -> np.ndarray:
    """OD table (persons) from each commuter's home and work area."""
    counts = np.bincount(home.astype(np.int64) * n_areas + work_area, minlength=n_areas * n_areas)
    return counts.reshape(n_areas, n_areas) * float(weight)


def aggregate(od: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Sum an OD table over groups of areas (e.g. streets into zones); -1 drops an area."""
    onehot = np.zeros((len(groups), n_groups))
    keep = groups >= 0
    onehot[np.flatnonzero(keep), groups[keep]] = 1.0
    return onehot.T @ od @ onehot


def balance(od_areas: np.ndarray) -> dict[str, np.ndarray]:
    """Per area of a square (grouped) OD table without the external row and column.

    ``od_areas`` must be the full table aggregated so that the last row/column is the outside.
    """
    inside = od_areas[:-1, :-1]
    jobs = od_areas[:, :-1].sum(axis=0)  # filled by anyone, residents or in-commuters
    employed = od_areas[:-1, :].sum(axis=1)  # residents working anywhere
    own = np.diag(inside)
    return {
        "jobs": jobs,
        "employed_residents": employed,
        "jobs_housing_ratio": ratio(jobs, employed),
        "self_containment": ratio(own, employed),
        "internal_capture": ratio(own, jobs),
    }


@cache
def _transport_constraints(n: int):
    """Row-sum and column-sum equality constraints of an n × n transportation problem."""
    rows = sparse.kron(sparse.identity(n), np.ones((1, n)))
    cols = sparse.kron(np.ones((1, n)), sparse.identity(n))
    return sparse.vstack([rows, cols]).tocsr()


def excess_commuting(od: np.ndarray, cost: np.ndarray, forbidden: np.ndarray | None = None) -> dict[str, float]:
    """Observed, minimum and maximum mean commute for the OD table's trip ends, and the indices.

    T_min and T_max solve the transportation problem that keeps every origin's and destination's
    total (Hamilton; White): the least and the most commuting the same homes and jobs allow.
    E = (T_obs − T_min) / T_obs is excess commuting; C_u = (T_obs − T_min) / (T_max − T_min)
    is the share of the commuting potential used. ``forbidden`` cells (the outside to the
    outside) carry no flow.
    """
    total = od.sum()
    nan = float("nan")
    if total <= 0:
        return {"t_obs": nan, "t_min": nan, "t_max": nan, "excess_commuting": nan, "commuting_potential_used": nan}
    n = od.shape[0]
    c = np.nan_to_num(cost, nan=0.0).ravel()
    bounds = np.zeros((n * n, 2))
    bounds[:, 1] = np.inf
    if forbidden is not None:
        bounds[forbidden.ravel(), 1] = 0.0
    a_eq = _transport_constraints(n)
    share = od / total  # the problem in shares of all trips: well scaled whatever the population
    b_eq = np.concatenate([share.sum(axis=1), share.sum(axis=0)])
    t_obs = float((share.ravel() * c).sum())
    lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if lo.status != 0 or hi.status != 0:
        raise RuntimeError(f"transportation problem failed: {lo.message} / {hi.message}")
    # The observed flows are feasible, so T_min ≤ T_obs ≤ T_max up to solver tolerance.
    t_min = min(float(lo.fun), t_obs)
    t_max = max(float(-hi.fun), t_obs)
    spread = t_max - t_min
    return {
        "t_obs": t_obs,
        "t_min": t_min,
        "t_max": t_max,
        "excess_commuting": (t_obs - t_min) / t_obs if t_obs > 0 else nan,
        "commuting_potential_used": (t_obs - t_min) / spread if spread > 0 else nan,
    }


def commute_summary(minutes: np.ndarray, km: np.ndarray) -> dict[str, float]:
    """Mean commute and the shares short, within 45 minutes and over an hour (one way)."""
    if len(minutes) == 0:
        nan = float("nan")
        return dict.fromkeys(("mean_commute_min", "mean_commute_km", "share_commute_le_5km",
                              "share_commute_le_45min", "share_commute_gt_60min"), nan)
    return {
        "mean_commute_min": float(minutes.mean()),
        "mean_commute_km": float(km.mean()),
        "share_commute_le_5km": float(np.count_nonzero(km <= 5.0) / len(km)),
        "share_commute_le_45min": float(np.count_nonzero(minutes <= 45.0) / len(minutes)),
        "share_commute_gt_60min": float(np.count_nonzero(minutes > 60.0) / len(minutes)),
    }
