"""Sweeps: a design of parameter points × replications, run on any executor, streamed to CSV.

A sweep spec (TOML, ``experiments/sweeps/``) names a base scenario, factors (levers or
uncertainties) with their levels or ranges, a design (full factorial, Latin hypercube, or an
explicit table of points), replications and a root seed. Every run gets its own child of the
root ``SeedSequence`` (spawn key = its run id), recorded in ``runs.csv``, so any run can be
re-run alone (``--run``) and gives the same rows.

Executors share one interface — ``results(tasks)`` yields finished runs as they complete — so a
sweep's rows are the same in-process, on a local process pool or on a Dask cluster. Rows are
appended as runs finish; ``--resume`` skips runs already in ``runs.csv`` and first trims any
rows a killed sweep left half-written.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim import config as cfg
from sim.analysis import ID_COLUMNS
from sim.errors import InputError, read_toml
from sim.io import RunWriter, create_folder, write_atomically, write_json
from sim.params import specs, suggest
from sim.policies import LEVERS
from sim.runner import TABLES, Result, run

DESIGNS = ("full_factorial", "latin_hypercube", "table")
MAX_RUNS = 1_000_000  # design points × replications at most (a million runs is weeks on a cluster)
SPEC_KEYS = ("name", "description", "scenario", "replications", "seed", "common_random_numbers", "run", "design",
             "factors", "points", "outcomes", "tables")


@dataclass(frozen=True)
class Factor:
    """A lever or uncertainty the design varies: explicit levels, or a numeric range."""

    path: str  # as in --set: lever.field or uncertainties.field
    kind: str  # the parameter's declared kind
    levels: tuple = ()
    low: float | None = None
    high: float | None = None

    def value(self, unit: float) -> Any:
        """The value at a point in [0, 1] of the range (Latin hypercube)."""
        x = self.low + unit * (self.high - self.low)
        return int(round(x)) if self.kind == "int" else float(x)


@dataclass(frozen=True)
class SweepSpec:
    name: str
    source: str
    base: cfg.Config
    factors: tuple[Factor, ...]
    points: tuple[dict[str, Any], ...]  # the design: one dict of factor values per point
    replications: int
    seed: int
    common_random_numbers: bool = False
    outcomes: tuple[str, ...] = ()
    tables: tuple[str, ...] = TABLES
    digest: str = ""

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.replications

    def tasks(self, only: Iterable[int] | None = None) -> Iterator[RunTask]:
        """Every run of the design in run-id order (point-major), or just the run ids in ``only``."""
        wanted = None if only is None else set(only)
        for point, values in enumerate(self.points):
            for rep in range(self.replications):
                run_id = point * self.replications + rep
                if wanted is not None and run_id not in wanted:
                    continue
                yield RunTask(run_id=run_id, point=point, replication=rep, values=values, base=self.base,
                              seed=self.seed_for(run_id, rep), tables=self.tables, source=self.source,
                              key=f"chancheng-{self.digest}-{run_id}")

    def seed_for(self, run_id: int, replication: int) -> np.random.SeedSequence:
        """The run's own child of the root seed; with common random numbers, the replication's."""
        key = replication if self.common_random_numbers else run_id
        return np.random.SeedSequence(self.seed, spawn_key=(key,))


@dataclass(frozen=True)
class RunTask:
    """Everything one run of a sweep needs, and no more (it travels to a worker)."""

    run_id: int
    point: int
    replication: int
    values: dict[str, Any]
    base: cfg.Config = field(repr=False)
    seed: np.random.SeedSequence = field(repr=False)
    tables: tuple[str, ...] = TABLES
    source: str = ""
    key: str = ""  # a unique task name for Dask


def _restore_malloc() -> None:
    """Undo a low ``MALLOC_TRIM_THRESHOLD_`` (Dask's nanny sets 65536 for its workers).

    With it, glibc maps and unmaps every large numpy temporary and the month runs ~60% slower
    (measured here); a larger mmap threshold lets arrays come from the heap again.
    """
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ or _restore_malloc.done:
        return
    _restore_malloc.done = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-1, 256 * 2**20)  # M_TRIM_THRESHOLD
        libc.mallopt(-3, 64 * 2**20)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass


_restore_malloc.done = False


def execute(task: RunTask) -> Result:
    """Run one task of a sweep (in this process or a worker); a failure becomes a failed row."""
    _restore_malloc()
    config = cfg.assign(task.base, task.values, source=task.source)
    result = run(config, task.seed, run_id=task.run_id, catch=True)
    key = ("run_id", "scenario", "seed", "seed_spawn_key")
    result.info = {**{k: result.info[k] for k in key}, "point": task.point, "replication": task.replication,
                   **{f"factor.{k}": v for k, v in task.values.items()},
                   **{k: v for k, v in result.info.items() if k not in key}}
    result.frames = {name: frame for name, frame in result.frames.items() if name in task.tables}
    return result


# ---------------------------------------------------------------------------------------- spec
def load_spec(path: str | Path) -> SweepSpec:
    """Read and check a sweep spec; every problem is an ``InputError`` naming the file and field."""
    path = Path(path)
    source = str(path)
    raw = read_toml(path)
    for key in raw:
        if key not in SPEC_KEYS:
            raise InputError(suggest(key, list(SPEC_KEYS)), source=source, field=key)

    def number(key, default, lo, hi=2**63 - 1):
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            most = f" and ≤ {hi:,}" if hi < 2**63 - 1 else ""
            raise InputError(f"got {value!r}; allowed: a whole number ≥ {lo}{most}", source=source, field=key)
        return value

    name = cfg.check_name(raw.get("name", path.stem), source)
    replications = number("replications", 1, 1, MAX_RUNS)
    seed = number("seed", 0, 0)
    crn = raw.get("common_random_numbers", False)
    if not isinstance(crn, bool):
        raise InputError(f"got {crn!r}; allowed: true or false", source=source, field="common_random_numbers")

    scenario = raw.get("scenario", cfg.DEFAULT_SCENARIO)
    if not isinstance(scenario, str):
        raise InputError("must be a scenario name or file", source=source, field="scenario")
    if scenario not in cfg.builtin_scenarios() and not Path(scenario).is_absolute():
        candidate = path.parent / scenario
        scenario = str(candidate) if candidate.exists() or scenario.endswith(".toml") else scenario
    base = cfg.resolve(scenario, field="scenario", source=source)
    run_table = raw.get("run", {})
    if not isinstance(run_table, dict):
        raise InputError("must be a table of run settings", source=source, field="run")
    base = cfg.assign(base, {f"run.{k}": v for k, v in run_table.items()}, source=source)

    factors = tuple(_factor(key, value, source) for key, value in _table(raw, "factors", source).items())
    for i, factor in enumerate(factors):
        if factor.path in (f.path for f in factors[:i]):
            raise InputError("the same parameter is a factor twice (under two spellings)", source=source,
                             field=f"factors.{factor.path}")
    design = _table(raw, "design", source)
    kind = design.get("kind", "table" if "points" in raw else "full_factorial")
    if kind not in DESIGNS:
        raise InputError(f"got {kind!r}; allowed: {', '.join(DESIGNS)}", source=source, field="design.kind")
    points = _design(kind, design, factors, raw, seed, source)
    if not points:
        raise InputError("the design has no points", source=source, field="design")
    if len(points) * replications > MAX_RUNS:
        raise InputError(f"{len(points):,} points × {replications:,} replications; allowed: at most {MAX_RUNS:,} "
                         "runs", source=source, field="replications")
    for i, point in enumerate(points):  # every point must make a valid scenario
        try:
            cfg.assign(base, point, source=source)
        except InputError as exc:
            raise InputError(f"design point {i}: {exc}") from None

    outcomes = _names(raw, "outcomes", ("jobs_housing_ratio", "self_containment", "mean_commute_min",
                                        "excess_commuting"), model_metrics(), source)
    tables = _names(raw, "tables", TABLES, TABLES, source)
    if "model" not in tables:
        raise InputError("the model table is always written; list it", source=source, field="tables")
    digest = hashlib.sha256(repr((name, base.to_toml(), points, replications, seed, crn, tables)).encode())
    return SweepSpec(name=name, source=source, base=base, factors=factors, points=tuple(points),
                     replications=replications, seed=seed, common_random_numbers=crn, outcomes=outcomes,
                     tables=tables, digest=digest.hexdigest()[:16])


def _table(raw: dict, key: str, source: str) -> dict:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise InputError("must be a table", source=source, field=key)
    return value


def _names(raw: dict, key: str, default: tuple[str, ...], allowed: tuple[str, ...], source: str) -> tuple[str, ...]:
    """A list of distinct names from ``allowed`` (or ``default`` when the spec has none)."""
    names = raw.get(key, default)
    if not isinstance(names, list | tuple) or not names or not all(isinstance(n, str) for n in names):
        raise InputError(f"got {names!r}; allowed: a list of names, e.g. {list(default[:2])}", source=source,
                         field=key)
    for name in names:
        if name not in allowed:
            raise InputError(suggest(name, list(allowed)), source=source, field=key)
    if len(set(names)) < len(names):
        raise InputError("lists a name twice", source=source, field=key)
    return tuple(names)


@cache
def model_metrics() -> tuple[str, ...]:
    """The metrics of ``model.csv`` (its columns less the identifiers), from a one-month run at the
    coarsest scale: the recorder names them as it writes its rows."""
    model = run(cfg.with_run(cfg.Config(), scale=1000, months=1), 0).model
    return tuple(c for c in model.columns if c not in ID_COLUMNS)


def _factor(path: str, value: Any, source: str) -> Factor:
    where = f"factors.{path}"
    try:
        section, name = cfg.parameter_path(path)
    except InputError as exc:
        raise InputError(str(exc).split(": ", 1)[-1], source=source, field=where) from None
    if section == "run":
        raise InputError("run settings cannot be factors; set them in [run]", source=source, field=where)
    cls = cfg.Uncertainties if section == "uncertainties" else LEVERS[section]
    kind = next(k for f, k, *_ in specs(cls) if f == name)
    path = f"{section}.{name}"  # one spelling: approval.items, uncertainties.search_decay
    if isinstance(value, list):
        if not value:
            raise InputError("needs at least one level", source=source, field=where)
        return Factor(path=path, kind=kind, levels=tuple(value))
    if isinstance(value, dict) and set(value) == {"low", "high"}:
        low, high = value["low"], value["high"]
        if kind not in ("int", "float") or not all(isinstance(v, int | float) and not isinstance(v, bool)
                                                   for v in (low, high)) or not low < high:
            raise InputError("a range needs a numeric field and numbers low < high", source=source, field=where)
        return Factor(path=path, kind=kind, low=float(low), high=float(high))
    raise InputError("give a list of levels, or { low = …, high = … }", source=source, field=where)


def _design(kind: str, design: dict, factors: tuple[Factor, ...], raw: dict, seed: int, source: str) -> list[dict]:
    if kind == "table":
        points = raw.get("points")
        if not isinstance(points, list) or not all(isinstance(p, dict) for p in points):
            raise InputError("a table design needs [[points]] tables of factor = value", source=source,
                             field="points")
        for i, point in enumerate(points):
            seen = set()
            for key in point:
                try:
                    parameter = cfg.parameter_path(key)
                except InputError as exc:
                    raise InputError(str(exc).split(": ", 1)[-1], source=source, field=f"points[{i}]") from None
                if parameter in seen:
                    raise InputError(f"sets {'.'.join(parameter)} twice (under two spellings)", source=source,
                                     field=f"points[{i}]")
                seen.add(parameter)
        return [dict(p) for p in points]
    if not factors:
        raise InputError("list at least one factor", source=source, field="factors")
    if kind == "full_factorial":
        ranged = [f.path for f in factors if not f.levels]
        if ranged:
            raise InputError("a full factorial needs levels (a list), not a range", source=source,
                             field=f"factors.{ranged[0]}")
        return [dict(zip([f.path for f in factors], combo, strict=True))
                for combo in itertools.product(*(f.levels for f in factors))]
    samples = design.get("samples")
    if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= MAX_RUNS:
        raise InputError(f"got {samples!r}; allowed: a whole number ≥ 1 and ≤ {MAX_RUNS:,}", source=source,
                         field="design.samples")
    listed = [f.path for f in factors if f.levels]
    if listed:
        raise InputError("a Latin hypercube needs ranges { low, high }, not levels", source=source,
                         field=f"factors.{listed[0]}")
    unit = qmc.LatinHypercube(d=len(factors), rng=np.random.default_rng(seed)).random(samples)
    return [{f.path: f.value(u) for f, u in zip(factors, row, strict=True)} for row in unit]


# ----------------------------------------------------------------------------------- executors
class InProcess:
    """Runs one after another in this process (for tests and debugging)."""

    workers = 1

    def results(self, tasks: Iterable[RunTask]) -> Iterator[Result]:
        for task in tasks:
            yield execute(task)


def _worker_init(parent: int) -> None:
    """Pool workers die with the sweep: on Linux, ask the kernel to kill them if the parent goes,
    and leave at once if it went while this worker was still starting."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


class LocalPool:
    """A pool of worker processes on this machine; at most ``2 × workers`` runs in flight."""

    def __init__(self, workers: int):
        self.workers = workers

    def results(self, tasks: Iterable[RunTask]) -> Iterator[Result]:
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=_worker_init,
                                   initargs=(os.getpid(),))
        pending = set()
        queue = iter(tasks)
        try:
            for task in itertools.islice(queue, 2 * self.workers):
                pending.add(pool.submit(execute, task))
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    for task in itertools.islice(queue, 1):
                        pending.add(pool.submit(execute, task))
                    yield future.result()
        except BaseException:
            # An interrupted sweep leaves no orphans: cancel what waits, stop what runs.
            pool.shutdown(wait=False, cancel_futures=True)
            for child in multiprocessing.active_children():
                child.terminate()
                child.join(5)
            raise
        pool.shutdown(wait=True)


class DaskCluster:
    """Runs on a Dask distributed cluster; the scheduler and workers must have ``sim`` installed."""

    def __init__(self, address: str):
        from distributed import Client

        try:
            self.client = Client(address, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:  # ValueError: not an address (no port, bad scheme)
            raise InputError(f"cannot reach the Dask scheduler at {address!r} ({exc}); give tcp://HOST:PORT",
                             field="--scheduler") from None
        self.workers = max(sum(self.client.nthreads().values()), 1)

    def results(self, tasks: Iterable[RunTask]) -> Iterator[Result]:
        from distributed import as_completed

        queue = iter(tasks)
        first = [self.client.submit(execute, t, key=t.key) for t in itertools.islice(queue, 2 * self.workers)]
        flow = as_completed(first)
        try:
            for future in flow:
                for task in itertools.islice(queue, 1):
                    flow.add(self.client.submit(execute, task, key=task.key))
                result = future.result()
                future.release()
                yield result
        finally:
            self.client.close()


def executor_for(workers: int | None, scheduler: str | None):
    if scheduler is not None:
        return DaskCluster(scheduler)
    if workers == 0:
        return InProcess()
    return LocalPool(workers or os.cpu_count() or 1)


# -------------------------------------------------------------------------------------- output
def finished_runs(folder: Path) -> set[int]:
    """Run ids recorded in ``runs.csv`` (complete lines only)."""
    path = folder / "runs.csv"
    if not path.exists():
        return set()
    return {_run_id(line, path) for line in _complete_lines(path)[1:]}


def _complete_lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("is damaged (not UTF-8 text); move it aside or choose another folder",
                         source=str(path)) from None
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines = lines[:-1]  # a torn last line
    return lines


def _run_id(line: str, path: Path) -> int:
    """The run id a row of a sweep's CSV file starts with."""
    try:
        return int(line.split(",", 1)[0])
    except ValueError:
        raise InputError(f"holds a row that is not a run's ({line[:40].strip()!r}); move it aside or choose "
                         "another folder", source=str(path)) from None


def repair(folder: Path) -> set[int]:
    """Trim a killed sweep's files to the runs ``runs.csv`` lists; return those run ids.

    A run's table rows are written before its ``runs.csv`` row, so rows of unlisted runs (and
    any torn last line) are the only damage a kill can do; they are removed atomically.
    """
    done = finished_runs(folder)
    for name in ("runs", *TABLES):
        path = folder / f"{name}.csv"
        if not path.exists():
            continue
        lines = _complete_lines(path)
        keep = lines[:1] + [line for line in lines[1:] if _run_id(line, path) in done]
        if keep != path.read_text(encoding="utf-8-sig").splitlines(keepends=True):
            text = "".join(keep)  # (an empty file stays empty: no byte-order mark, so a header comes next)
            encoding = "utf-8-sig" if text else "utf-8"
            write_atomically(path, lambda tmp, text=text, encoding=encoding: tmp.write_text(text, encoding=encoding))
    return done


@dataclass
class SweepOutcome:
    ok: int
    failed: int
    skipped: int
    seconds: float


def prepare_folder(spec: SweepSpec, out: Path, resume: bool) -> set[int]:
    """Check the output folder fits this sweep; return the runs already done (when resuming)."""
    marker = out / "sweep.json"
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder", source=str(out), field="--out")
    if out.is_dir() and any(out.iterdir()):
        if not marker.exists():
            raise InputError("holds files of something else; choose an empty or new folder", source=str(out),
                             field="--out")
        try:
            held = json.loads(marker.read_text(encoding="utf-8"))
        except ValueError:  # (not UTF-8, or not JSON)
            held = None
        if not isinstance(held, dict):
            raise InputError("is damaged; choose another folder", source=str(marker), field="--out")
        if held.get("digest") != spec.digest:
            raise InputError(f"holds a different sweep ({held.get('name')!r}, {held.get('digest')}); "
                             "choose another folder", source=str(out), field="--out")
        if not resume:
            raise InputError("already holds this sweep; add --resume to finish it, or choose another folder",
                             source=str(out), field="--out")
        return repair(out)
    create_folder(out, out)
    write_json(marker, {"name": spec.name, "digest": spec.digest, "runs": spec.n_runs, "spec": spec.source,
                        "seed": spec.seed, "replications": spec.replications,
                        "common_random_numbers": spec.common_random_numbers})
    design = pd.DataFrame(spec.points)
    design.insert(0, "point", range(len(spec.points)))
    design.to_csv(out / "design.csv", index=False, encoding="utf-8-sig", lineterminator="\n")
    cfg.save(spec.base, out / "scenario.toml")
    return set()


def sweep(spec: SweepSpec, out: Path, executor, *, resume: bool = False, only: Iterable[int] | None = None,
          on_result=None) -> SweepOutcome:
    """Run the design's runs not yet done, appending each as it finishes."""
    started = time.perf_counter()
    done = prepare_folder(spec, out, resume)
    writer = RunWriter(out)
    ok = failed = 0
    todo = spec.tasks(only=[i for i in (range(spec.n_runs) if only is None else only) if i not in done])
    for result in executor.results(todo):
        writer.write(result)
        ok += result.ok
        failed += not result.ok
        if on_result is not None:
            on_result(result)
    return SweepOutcome(ok=ok, failed=failed, skipped=len(done), seconds=time.perf_counter() - started)

