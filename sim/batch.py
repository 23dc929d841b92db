"""Sweeps: the runs of a sweep spec (``sim.design``) on any executor, streamed to CSV.

Executors share one interface — ``results(tasks)`` yields finished runs as they complete,
``map(fn, items)`` returns ``fn`` of each item in order, and ``close()`` (or leaving a ``with``
block) lets the workers go; an executor serves any number of calls until then — so a sweep's
rows are the same in-process, on a local process pool or on a Dask cluster. Rows are
appended as runs finish; ``--resume`` skips runs already in ``runs.csv`` and first trims any
rows a killed sweep left half-written.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim import config as cfg
from sim.design import SWEEP_TABLES, RunTask, SweepSpec
from sim.errors import JSON_LIMIT, InputError, read_bounded
from sim.io import RunWriter, create_folder, write_atomically, write_json
from sim.outcomes import TABLES
from sim.runner import Result, run


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


def task_config(task: RunTask) -> cfg.Config:
    """The configuration a sweep's run simulates: the base with the point's values; in a policies ×
    scenarios sweep, named after its scenario (the ``scenario`` column of every table)."""
    config = cfg.assign(task.base, task.values, source=task.source)
    return dataclasses.replace(config, name=task.scenario) if task.scenario else config


def execute(task: RunTask) -> Result:
    """Run one task of a sweep (in this process or a worker); a failure becomes a failed row."""
    _restore_malloc()
    result = run(task_config(task), task.seed, run_id=task.run_id, catch=True)
    key = ("run_id", "scenario", "seed", "seed_spawn_key")
    labels = {"policy": task.policy} if task.policy else {}
    result.info = {"run_id": task.run_id, **labels, **{k: result.info[k] for k in key}, "point": task.point,
                   "replication": task.replication,
                   **{f"factor.{k}": v for k, v in task.values.items()},
                   **{k: v for k, v in result.info.items() if k not in key}}
    result.frames = {name: frame for name, frame in result.frames.items() if name in task.tables}
    return result


# ----------------------------------------------------------------------------------- executors
class Executor:
    """What every executor shares: ``with executor_for(...) as executor:`` closes it at the end."""

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class InProcess(Executor):
    """Runs one after another in this process (for tests and debugging)."""

    workers = 1

    def results(self, tasks: Iterable[RunTask]) -> Iterator[Result]:
        for task in tasks:
            yield execute(task)

    def map(self, fn: Callable, items: Iterable) -> list:
        """``fn`` of every item, in order (the calibration's evaluations)."""
        return [fn(item) for item in items]


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


class LocalPool(Executor):
    """A pool of worker processes on this machine, started at first use and kept until ``close``;
    at most ``2 × workers`` runs in flight."""

    def __init__(self, workers: int):
        self.workers = workers
        self._pool = None

    def _started(self):
        from concurrent.futures import ProcessPoolExecutor

        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_worker_init, initargs=(os.getpid(),))
        return self._pool

    def map(self, fn: Callable, items: Iterable) -> list:
        """``fn`` of every item, in order."""
        return list(self._started().map(fn, items))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def results(self, tasks: Iterable[RunTask]) -> Iterator[Result]:
        from concurrent.futures import FIRST_COMPLETED, wait

        pool = self._started()
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
            self.close()
            for child in multiprocessing.active_children():
                child.terminate()
                child.join(5)
            raise


class DaskCluster(Executor):
    """Runs on a Dask distributed cluster; the scheduler and workers must have ``sim`` installed."""

    def __init__(self, address: str):
        from distributed import Client

        _listening(address)
        try:
            self.client = Client(address, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:  # ValueError: not an address (no port, bad scheme)
            raise InputError(f"cannot reach the Dask scheduler at {address!r} ({exc}); give tcp://HOST:PORT",
                             field="--scheduler") from None
        self.workers = max(sum(self.client.nthreads().values()), 1)

    def map(self, fn: Callable, items: Iterable) -> list:
        """``fn`` of every item, in order, on the cluster."""
        return self.client.gather(self.client.map(fn, list(items), pure=False))

    def close(self) -> None:
        self.client.close()

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
        except BaseException:
            self.close()  # (what waits on the cluster is cancelled with the client)
            raise


def _listening(address: str) -> None:
    """Refuse at once a ``tcp://HOST:PORT`` where nothing listens (Dask's client would retry for
    its whole timeout); other addresses are left to Dask."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address)
    try:
        host, port = parts.hostname, parts.port
    except ValueError:  # (a port that is not a number: Dask says what it expects)
        return
    if parts.scheme != "tcp" or not host or not port:
        return
    try:
        socket.create_connection((host, port), timeout=5).close()
    except OSError as exc:
        raise InputError(f"cannot reach the Dask scheduler at {address!r} ({exc.strerror or exc}); start it "
                         "(dask scheduler) or give tcp://HOST:PORT of a running one", field="--scheduler") from None


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
    if not path.is_file():
        raise InputError("is not a regular file; move it aside or choose another folder", source=str(path))
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
    any torn last line) are the only damage a kill can do; they are removed atomically. A run
    written twice (two sweeps on one folder before folders were locked) keeps its first copy:
    its first ``runs.csv`` row, and its table rows once (a run's rows are the same bytes
    whichever process wrote them).
    """
    done = finished_runs(folder)
    for name in ("runs", *TABLES):
        path = folder / f"{name}.csv"
        if not path.exists():
            continue
        lines = _complete_lines(path)
        if name == "runs":
            first = {}
            for line in lines[1:]:
                first.setdefault(_run_id(line, path), line)
            rows = list(first.values())
        else:
            rows = list(dict.fromkeys(lines[1:]))  # (distinct lines, in order)
        keep = lines[:1] + [line for line in rows if _run_id(line, path) in done]
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


LOCK = ".lock"  # in a sweep folder: held by the one sweep writing to it


def check_folder(out: Path, marker: str = "sweep.json") -> bool:
    """Whether ``out`` already holds a sweep (its ``marker`` file: ``sweep.json``, or a search's
    ``optimize.json``); ``InputError`` if it is a file or holds anything else."""
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder", source=str(out), field="--out")
    if not out.is_dir() or not any(p.name != LOCK for p in out.iterdir()):
        return False
    if not (out / marker).is_file():
        raise InputError("holds files of something else; choose an empty or new folder", source=str(out),
                         field="--out")
    return True


def prepare_folder(spec: SweepSpec, out: Path, resume: bool) -> set[int]:
    """Check the output folder fits this sweep; return the runs already done (when resuming)."""
    marker = out / "sweep.json"
    if holds(out, marker.name, spec.digest, "sweep"):
        if not resume:
            raise InputError("already holds this sweep; add --resume to finish it, or choose another folder",
                             source=str(out), field="--out")
        return repair(out)
    create_folder(out, out)
    write_json(marker, {"name": spec.name, "digest": spec.digest, "runs": spec.n_runs, "spec": spec.source,
                        "seed": spec.seed, "replications": spec.replications,
                        "common_random_numbers": spec.common_random_numbers, "tables": list(spec.tables),
                        **({"policies": len(spec.points) // spec.n_scenarios, "scenarios": spec.n_scenarios}
                           if spec.n_scenarios else {})})
    if Path(spec.source).is_file():  # the spec as written, beside what it made
        text = Path(spec.source).read_bytes()
        write_atomically(out / "spec.toml", lambda tmp: tmp.write_bytes(text))
    design = pd.DataFrame(spec.points)
    if spec.labels:
        design.insert(0, "scenario", [scenario for _, scenario in spec.labels])
        design.insert(0, "policy", [policy for policy, _ in spec.labels])
    design.insert(0, "point", range(len(spec.points)))
    design.to_csv(out / "design.csv", index=False, encoding="utf-8-sig", lineterminator="\n")
    cfg.save(spec.base, out / "scenario.toml")
    # The points exactly (lists and floats as they are), for reproducing one run (``task_from_folder``).
    write_json(out / "points.json", {"points": list(spec.points), "labels": [list(pair) for pair in spec.labels]})
    return set()


def task_from_folder(folder: Path, run_id: int) -> RunTask:
    """The task of run ``run_id`` of the sweep in ``folder`` (its base scenario, point values and
    seed as the folder records them): ``chancheng run --from DIR --run-id I`` runs it again."""
    import numpy as np

    for name in ("sweep.json", "points.json", "scenario.toml", "runs.csv"):
        if not (folder / name).is_file():
            raise InputError(f"holds no {name}; give a sweep's output folder (chancheng sweep, sensitivity, "
                             "robustness)", source=str(folder), field="--from")
    marker = json.loads(read_bounded(folder / "sweep.json", JSON_LIMIT).decode("utf-8"))
    try:
        held = json.loads((folder / "points.json").read_text(encoding="utf-8"))
        points, labels = held["points"], held["labels"]
    except (ValueError, KeyError, TypeError):
        raise InputError("is damaged; run the sweep again", source=str(folder / "points.json")) from None
    runs = pd.read_csv(folder / "runs.csv", encoding="utf-8-sig", dtype={"seed_spawn_key": str},
                       keep_default_na=False)
    row = runs[runs["run_id"].astype(str) == str(run_id)]
    if row.empty:
        raise InputError(f"run {run_id} is not in runs.csv; allowed: {', '.join(map(str, runs['run_id'][:5]))}"
                         + (" …" if len(runs) > 5 else ""), source=str(folder), field="--run-id")
    r = row.iloc[0]
    point = int(r["point"])
    spawn = tuple(int(k) for k in str(r["seed_spawn_key"]).split())
    policy, scenario = labels[point] if labels else ("", "")
    seed = np.random.SeedSequence(int(r["seed"]), spawn_key=spawn)
    return RunTask(run_id=run_id, point=point, replication=int(r["replication"]), values=points[point],
                   base=cfg.load(folder / "scenario.toml"), seed=seed,
                   tables=tuple(marker.get("tables", ())) or SWEEP_TABLES, source=str(folder / "points.json"),
                   policy=policy, scenario=scenario)


def sweep(spec: SweepSpec, out: Path, executor, *, resume: bool = False, only: Iterable[int] | None = None,
          on_result=None) -> SweepOutcome:
    """Run the design's runs not yet done, appending each as it finishes; the folder is locked
    for the whole sweep (a second sweep on it is refused)."""
    started = time.perf_counter()
    with folder_lock(out):
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


def holds(out: Path, marker: str, digest: str, what: str) -> bool:
    """Whether ``out`` holds this work already (its ``marker`` names ``digest``); False for a new
    or empty folder; ``InputError`` if the marker is damaged or names other work (a ``what``)."""
    if not check_folder(out, marker):
        return False
    try:
        held = json.loads(read_bounded(out / marker, JSON_LIMIT).decode("utf-8"))
    except ValueError:  # (not UTF-8, or not JSON)
        held = None
    if not isinstance(held, dict):
        raise InputError("is damaged; choose another folder", source=str(out / marker), field="--out")
    if held.get("digest") != digest:
        raise InputError(f"holds a different {what} ({held.get('name')!r}, {held.get('digest')}); choose another "
                         "folder", source=str(out), field="--out")
    return True


@contextmanager
def folder_lock(out: Path, marker: str = "sweep.json", command: str = "sweep") -> Iterator[None]:
    """Hold ``out``'s lock (an OS file lock: released if the process dies) or refuse at once; the
    folder must be new, empty, or hold this kind of work (``check_folder``)."""
    from filelock import FileLock, Timeout

    check_folder(out, marker)  # (before the lock file goes into a folder of the user's)
    create_folder(out, out)
    lock = FileLock(out / LOCK, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise InputError(f"is in use by another chancheng {command}; wait for it to finish, or choose another "
                         "folder", source=str(out), field="--out") from None
    try:
        yield
    finally:
        lock.release()

