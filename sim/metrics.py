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
    """Row-sum and column-sum equality constraints of two n × n transportation problems side by
    side (block-diagonal): the least and the most commuting are solved in one call."""
    rows = sparse.kron(sparse.identity(n), np.ones((1, n)))
    cols = sparse.kron(np.ones((1, n)), sparse.identity(n))
    one = sparse.vstack([rows, cols])
    return sparse.block_diag([one, one]).tocsr()


class CommutingBounds:
    """T_obs, T_min and T_max of OD tables over a fixed cost matrix, with E and C_u.

    T_min and T_max solve the transportation problem that keeps every origin's and destination's
    total (Hamilton; White): the least and the most commuting the same homes and jobs allow. The
    costs never change between calls, so the last optimal solution's duals stay dual-feasible:
    when the new totals can be met on the last optimal support (a small least-squares solve,
    checked exact and non-negative), complementary slackness makes that solution optimal and the
    linear programme (scipy's HiGHS) is skipped. Otherwise it is solved afresh.
    """

    def __init__(self, cost: np.ndarray, forbidden: np.ndarray | None = None):
        self.n = cost.shape[0]
        self.c = np.nan_to_num(cost, nan=0.0).ravel()
        self.bounds = np.zeros((2 * self.n * self.n, 2))
        self.bounds[:, 1] = np.inf
        if forbidden is not None:
            self.bounds[np.tile(forbidden.ravel(), 2), 1] = 0.0
        one = _transport_constraints(self.n)[: 2 * self.n, : self.n * self.n].toarray()
        self.rows_cols = one  # the 2n equality rows of one problem, dense
        self.support: list[np.ndarray] | None = None  # optimal cells of the min and the max problem

    def __call__(self, od: np.ndarray) -> dict[str, float]:
        total = od.sum()
        nan = float("nan")
        if total <= 0:
            return {"t_obs": nan, "t_min": nan, "t_max": nan, "excess_commuting": nan,
                    "commuting_potential_used": nan}
        share = od / total  # in shares of all trips: well scaled whatever the population
        b = np.concatenate([share.sum(axis=1), share.sum(axis=0)])
        t_obs = float((share.ravel() * self.c).sum())
        values = self._reuse(b) if self.support is not None else None
        if values is None:
            values = self._solve(b)
        # The observed flows are feasible, so T_min ≤ T_obs ≤ T_max up to solver tolerance.
        t_min, t_max = min(values[0], t_obs), max(values[1], t_obs)
        spread = t_max - t_min
        return {
            "t_obs": t_obs,
            "t_min": t_min,
            "t_max": t_max,
            "excess_commuting": (t_obs - t_min) / t_obs if t_obs > 0 else nan,
            "commuting_potential_used": (t_obs - t_min) / spread if spread > 0 else nan,
        }

    def _reuse(self, b: np.ndarray) -> tuple[float, float] | None:
        out = []
        for cells in self.support:
            a = self.rows_cols[:, cells]
            x, *_ = np.linalg.lstsq(a, b, rcond=None)
            if np.abs(a @ x - b).max() > 1e-10 or x.min() < -1e-12:
                return None
            out.append(float(self.c[cells] @ x))
        return out[0], out[1]

    def _solve(self, b: np.ndarray) -> tuple[float, float]:
        size = self.n * self.n
        # One LP, two independent blocks: minimise commuting in the first, maximise it in the second.
        result = linprog(np.concatenate([self.c, -self.c]), A_eq=_transport_constraints(self.n),
                         b_eq=np.tile(b, 2), bounds=self.bounds, method="highs")
        if result.status != 0:
            raise RuntimeError(f"transportation problem failed: {result.message}")
        low, high = result.x[:size], result.x[size:]
        self.support = [np.flatnonzero(low > 1e-12), np.flatnonzero(high > 1e-12)]
        return float(low @ self.c), float(high @ self.c)


def excess_commuting(od: np.ndarray, cost: np.ndarray, forbidden: np.ndarray | None = None) -> dict[str, float]:
    """T_obs, T_min, T_max, E = (T_obs − T_min) / T_obs and C_u = (T_obs − T_min) / (T_max − T_min)
    of one OD table (see ``CommutingBounds``; ``forbidden`` cells carry no flow)."""
    return CommutingBounds(cost, forbidden)(od)


def commute_summary(workers: int, minutes: float, km: float, over: np.ndarray) -> dict[str, float]:
    """Mean commute and the shares short, within 45 minutes and over an hour (one way), from the
    workers' number, their total minutes and km, and how many commute over 5 km, 45 and 60 min."""
    over_5km, over_45min, over_60min = over
    return {
        "mean_commute_min": ratio(minutes, workers).item(),
        "mean_commute_km": ratio(km, workers).item(),
        "share_commute_le_5km": ratio(workers - over_5km, workers).item(),
        "share_commute_le_45min": ratio(workers - over_45min, workers).item(),
        "share_commute_gt_60min": ratio(over_60min, workers).item(),
    }
