"""Jobs–housing metrics: balance, self-containment, commute and excess commuting.

Most are read off the origin–destination (OD) table of commuters between streets and the external
region: ``od[h, w]`` persons living in area ``h`` and working in area ``w`` (the last area is the
rest of Chengdu; nobody is counted as both living and working there).
"""

from __future__ import annotations

from functools import cache

import numpy as np
from scipy import sparse
from scipy.optimize import linprog, nnls


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
    """Row-sum and column-sum equality constraints of an n × n transportation problem."""
    rows = sparse.kron(sparse.identity(n), np.ones((1, n)))
    cols = sparse.kron(np.ones((1, n)), sparse.identity(n))
    return sparse.vstack([rows, cols]).tocsr()


class CommutingBounds:
    """T_obs, T_min and T_max of OD tables over a cost matrix, with E and C_u.

    T_min and T_max solve the transportation problem that keeps every origin's and destination's
    total (Hamilton; White): the least and the most commuting the same homes and jobs allow. Each
    month's tables and costs change little, so the last optimum is tried first: the new totals
    are met on the cells of zero reduced cost of the last solution (a small non-negative
    least-squares solve, checked exact); when the costs have changed (``set_costs``), duals are
    fitted to the new costs on the cells that carry flow and checked feasible on every cell. A
    feasible flow with feasible duals and complementary slackness is optimal, so the linear
    programme (scipy's HiGHS) is skipped; otherwise it is solved afresh.
    """

    def __init__(self, cost: np.ndarray, forbidden: np.ndarray | None = None):
        self.n = cost.shape[0]
        self.bounds = np.zeros((self.n * self.n, 2))
        self.bounds[:, 1] = np.inf
        if forbidden is not None:
            self.bounds[forbidden.ravel(), 1] = 0.0
        self.rows_cols = _transport_constraints(self.n).toarray()  # the 2n equality rows, dense
        self.allowed = np.flatnonzero(self.bounds[:, 1] > 0)  # cells that may carry flow
        self.support: list[np.ndarray | None] = [None, None]  # zero-reduced-cost cells of the min and max problems
        self.set_costs(cost)

    def set_costs(self, cost: np.ndarray) -> None:
        """A new cost matrix (the same shape and forbidden cells): the last optima are tried first."""
        self.c = np.nan_to_num(cost, nan=0.0).ravel()
        self.costs_changed = [True, True]  # per problem: duals to fit again before a reuse

    def __call__(self, od: np.ndarray) -> dict[str, float]:
        total = od.sum()
        nan = float("nan")
        if total <= 0:
            return {"t_obs": nan, "t_min": nan, "t_max": nan, "excess_commuting": nan,
                    "commuting_potential_used": nan}
        share = od / total  # in shares of all trips: well scaled whatever the population
        b = np.concatenate([share.sum(axis=1), share.sum(axis=0)])
        t_obs = float((share.ravel() * self.c).sum())
        values = [self._reuse(b, k) for k in range(2)]  # the least and the most commuting
        values = [self._solve(b, k) if v is None else v for k, v in enumerate(values)]
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

    def _reuse(self, b: np.ndarray, k: int) -> float | None:
        """Problem k's optimum on the last zero-reduced-cost cells, if the new totals fit them and
        (after new costs) duals fitted on the cells used stay feasible."""
        cells = self.support[k]
        if cells is None:
            return None
        a = self.rows_cols[:, cells]
        x, _ = nnls(a, b)
        if np.abs(a @ x - b).max() > 1e-10:
            return None
        if self.costs_changed[k]:
            c = (1.0 if k == 0 else -1.0) * self.c
            used, scale = cells[x > 0], max(1.0, float(np.abs(self.c).max()))
            duals = np.linalg.lstsq(self.rows_cols[:, used].T, c[used], rcond=None)[0]
            reduced = c - self.rows_cols.T @ duals
            if np.abs(reduced[used]).max(initial=0.0) > 1e-9 * scale or reduced[self.allowed].min() < -1e-9 * scale:
                return None
            self._keep(k, reduced, scale)
        return float(self.c[cells] @ x)

    def _solve(self, b: np.ndarray, k: int) -> float:
        """Problem k (0: least commuting, 1: most) solved afresh; keeps its cells of zero reduced cost."""
        sign = 1.0 if k == 0 else -1.0
        result = linprog(sign * self.c, A_eq=_transport_constraints(self.n), b_eq=b, bounds=self.bounds,
                         method="highs")
        if result.status != 0:
            raise RuntimeError(f"transportation problem failed: {result.message}")
        reduced = sign * self.c - self.rows_cols.T @ result.eqlin.marginals
        self._keep(k, reduced, max(1.0, float(np.abs(self.c).max())))
        return float(result.x @ self.c)

    def _keep(self, k: int, reduced: np.ndarray, scale: float) -> None:
        """Problem k's cells of zero reduced cost under duals feasible for the current costs."""
        self.support[k] = self.allowed[np.abs(reduced[self.allowed]) <= 1e-9 * scale]
        self.costs_changed[k] = False


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
