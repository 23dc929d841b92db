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
    """Row-sum and column-sum equality constraints of an n × n transportation problem."""
    rows = sparse.kron(sparse.identity(n), np.ones((1, n)))
    cols = sparse.kron(np.ones((1, n)), sparse.identity(n))
    return sparse.vstack([rows, cols]).tocsr()


class CommutingBounds:
    """T_obs, T_min and T_max of OD tables over a cost matrix, with E and C_u.

    T_min and T_max solve the transportation problem that keeps every origin's and destination's
    total (Hamilton; White): the least and the most commuting the same homes and jobs allow. Each is
    solved afresh by scipy's HiGHS once; its optimal basis (a spanning tree of 2n − 1 cells over the
    n origins and n destinations) is kept. Each month's totals and costs change little, so the month
    starts from the last basis: with duals feasible for the costs (every cell's reduced cost ≥ 0)
    and the basis' flows ≥ 0 it is optimal. Flows < 0 are mended by the transportation problem's
    dual simplex (Dantzig 1951; Lemke 1954); duals made infeasible by new costs (``set_costs``),
    with the flows still ≥ 0, by its primal simplex (MODI; Dantzig 1951): a few pivots of a cell
    into the tree. Both infeasible at once, or a pivot limit reached, mean a fresh solve.
    """

    PIVOTS = 50  # simplex pivots a month before the problem is solved afresh (a guard: 0–3 are usual)

    def __init__(self, cost: np.ndarray, forbidden: np.ndarray | None = None):
        self.n = cost.shape[0]
        self.bounds = np.zeros((self.n * self.n, 2))
        self.bounds[:, 1] = np.inf
        if forbidden is not None:
            self.bounds[forbidden.ravel(), 1] = 0.0
        self.rows_cols = _transport_constraints(self.n).toarray()  # the 2n equality rows, dense
        self.allowed = np.flatnonzero(self.bounds[:, 1] > 0)  # cells that may carry flow
        self.trees: list[np.ndarray | None] = [None, None]  # optimal bases (cells) of the min and max problems
        self.set_costs(cost)

    def set_costs(self, cost: np.ndarray) -> None:
        """A new cost matrix (the same shape and forbidden cells): the last bases are tried first."""
        self.c = np.nan_to_num(cost, nan=0.0).ravel()
        self.tol = 1e-9 * max(1.0, float(np.abs(self.c).max()))  # reduced costs this close to 0 are 0

    def __call__(self, od: np.ndarray) -> dict[str, float]:
        total = od.sum()
        nan = float("nan")
        if total <= 0:
            return {"t_obs": nan, "t_min": nan, "t_max": nan, "excess_commuting": nan,
                    "commuting_potential_used": nan}
        share = od / total  # in shares of all trips: well scaled whatever the population
        b = np.concatenate([share.sum(axis=1), share.sum(axis=0)])
        t_obs = float((share.ravel() * self.c).sum())
        values = [self._warm(b, k) for k in range(2)]  # the least and the most commuting
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

    def _warm(self, b: np.ndarray, k: int) -> float | None:
        """Problem k's optimum from its last basis by simplex pivots, or None (no basis yet, flows
        and duals both infeasible, the pivot limit): then it is solved afresh."""
        tree = self.trees[k]
        if tree is None:
            return None
        c = (1.0 if k == 0 else -1.0) * self.c
        n = self.n
        for _ in range(self.PIVOTS):
            # The tree's equations without the last (implied by the others): square and regular.
            a = self.rows_cols[:-1, tree]
            duals = np.append(np.linalg.solve(a.T, c[tree]), 0.0)  # u_i + v_j = c_ij on the tree (last v = 0)
            reduced = c - self.rows_cols.T @ duals
            x = np.linalg.solve(a, b[:-1])  # the tree's flows
            out, worst = int(np.argmin(x)), self.allowed[np.argmin(reduced[self.allowed])]
            flows_ok, duals_ok = x[out] >= -1e-12, reduced[worst] >= -self.tol
            if flows_ok and duals_ok:
                self.trees[k] = tree
                return float(self.c[tree] @ np.maximum(x, 0.0))
            if duals_ok:
                # Dual simplex: cell (p, q) leaves. Its origin's side S of the tree without it is
                # short of supply, so the entering cell carries flow from the other side's origins
                # to S's destinations, the one of least reduced cost (the duals of S move by it;
                # every other cell's stays ≥ 0).
                side = _reach(tree, n, int(tree[out]) // n, skip=out) >= -1
                origin_out, destination_in = ~side[:n], side[n:]
                candidates = self.allowed[origin_out[self.allowed // n] & destination_in[self.allowed % n]]
                if not len(candidates):
                    return None
                tree = np.append(np.delete(tree, out), candidates[np.argmin(reduced[candidates])])
            elif flows_ok:
                # Primal simplex (after new costs): the cell of least reduced cost enters with a flow θ
                # that goes round the cycle it closes with the tree's path between its origin and its
                # destination: θ comes off the path's first cell (at the origin) and every second one
                # after it, and is added to the others; the first cell to reach 0 leaves.
                path = _path(tree, n, int(worst) // n, n + int(worst) % n)
                minus = path[0::2]
                tree = np.append(np.delete(tree, minus[np.argmin(x[minus])]), worst)
            else:
                return None
        return None

    def _solve(self, b: np.ndarray, k: int) -> float:
        """Problem k (0: least commuting, 1: most) solved afresh; keeps its optimal basis."""
        sign = 1.0 if k == 0 else -1.0
        result = linprog(sign * self.c, A_eq=_transport_constraints(self.n), b_eq=b, bounds=self.bounds,
                         method="highs")
        if result.status != 0:
            raise RuntimeError(f"transportation problem failed: {result.message}")
        reduced = sign * self.c - self.rows_cols.T @ result.eqlin.marginals
        self.trees[k] = _basis(result.x, reduced, self.allowed, self.n, self.tol)
        return float(result.x @ self.c)


def _reach(tree: np.ndarray, n: int, start: int, skip: int = -1) -> np.ndarray:
    """Over the nodes (n origins, then n destinations) joined by the tree's cells but ``skip``: the
    tree index of the cell each node is reached by from ``start`` (−1 at ``start``, −2 where not
    reached)."""
    links: list[list[tuple[int, int]]] = [[] for _ in range(2 * n)]
    for i, cell in enumerate(tree.tolist()):
        if i != skip:
            o, d = divmod(cell, n)
            links[o].append((n + d, i))
            links[n + d].append((o, i))
    by = np.full(2 * n, -2)
    by[start] = -1
    stack = [start]
    while stack:
        for node, i in links[stack.pop()]:
            if by[node] == -2:
                by[node] = i
                stack.append(node)
    return by


def _path(tree: np.ndarray, n: int, start: int, end: int) -> np.ndarray:
    """The tree indices of the cells on the tree's path from node ``start`` to node ``end``, in order."""
    by, path, node = _reach(tree, n, start), [], end
    while node != start:
        i = int(by[node])
        path.append(i)
        o, d = divmod(int(tree[i]), n)
        node = o if node == n + d else n + d
    return np.array(path[::-1])


def _basis(x: np.ndarray, reduced: np.ndarray, allowed: np.ndarray, n: int, tol: float) -> np.ndarray | None:
    """A spanning tree of 2n − 1 allowed cells of zero reduced cost holding every cell with flow:
    an optimal basis of the solution (None if the cells cannot span every node)."""
    zero = allowed[np.abs(reduced[allowed]) <= tol]
    order = zero[np.argsort(-x[zero], kind="stable")]  # cells with flow first
    parent = list(range(2 * n))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    tree = []
    for cell in order.tolist():
        o, d = root(cell // n), root(n + cell % n)
        if o != d:
            parent[o] = d
            tree.append(cell)
    return np.array(tree) if len(tree) == 2 * n - 1 else None


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
