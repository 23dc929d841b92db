"""One browser's simulation: an ensemble of seeds of the current levers, its reference, its comparison.

The page answers "did it help, by how much, how surely" with seeds: the current levers run as an
``Ensemble`` of ``SEEDS`` seeds (0 … SEEDS−1) played month by month, and a reference scenario runs
on the same seeds (common random numbers) to the horizon, so every month of the live run has its
paired reference months. A comparison runs both scenarios — and, on request, the reference with
each lever family of the current levers alone — to the horizon; ``sim.comparison`` turns them into
the difference table and the contributions. Runs to the horizon go to a process pool shared by
every session (``submit``: a pool broken by a worker's death is replaced), so they use the
machine's cores and never stall a page; the live ensemble's models live in worker processes
(``sim.ui.hosts``) and are stepped up to ``LEAD`` months ahead of the display, so Step shows a
month that is already computed.

Sessions live in ``SESSIONS`` by the browser's session cookie, so a reload finds its run again
(two tabs of one browser show the same run). Lever changes go into a draft that takes effect on
``reset``; exports are the files ``chancheng run`` and ``chancheng compare`` write.
"""

from __future__ import annotations

import io
import multiprocessing
import multiprocessing.connection
import os
import tempfile
import threading
import weakref
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import comparison
from sim import config as cfg
from sim.errors import InputError, parse_toml
from sim.geography import load_district
from sim.io import RunWriter, describe_runs, metadata, write_csv, write_json
from sim.outcomes import COLUMNS, PANELS, TABLES
from sim.runner import Result, run_info, run_key, tables
from sim.ui import hosts

UPLOAD_LIMIT = 64 * 1024  # bytes: a scenario file is a few KB
# The page's own limits, so one visitor cannot take the server's memory or time (a session's five
# models at scale 10 take ~50 MB at month 1, ~1.5 MB more a month, and ~25 ms a month each):
# uploads may not go finer or longer. The command line has no such limits.
PAGE_MIN_SCALE = 10  # persons per row, at least
PAGE_MAX_MONTHS = 240  # months, at most
SEEDS = 5  # the page's ensemble: seeds 0 … SEEDS−1, the same for every scenario it runs
LEAD = 2  # months the live ensemble computes ahead of the display (Steps clicked in a row find them ready)
KEPT_SESSIONS = 32  # browsers whose runs the server keeps (the least recently used go first)


# -------------------------------------------------------------- runs to the horizon, in worker processes
_POOL: ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def pool() -> ProcessPoolExecutor:
    """The server's worker processes (one per core), started on first use and shared by every
    session (spawned, not forked: the server runs threads)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ProcessPoolExecutor(max_workers=os.cpu_count() or 1,
                                        mp_context=multiprocessing.get_context("spawn"),
                                        initializer=exit_with_parent)
        return _POOL


def submit(fn: Callable, *args) -> Future:
    """``fn(*args)`` in the pool. A worker that died (killed, out of memory) breaks the pool: the
    runs it held fail (``BrokenProcessPool``, which their job reports) and a fresh pool takes the
    next ones."""
    global _POOL
    broken = pool()
    try:
        return broken.submit(fn, *args)
    except BrokenProcessPool:
        with _POOL_LOCK:
            if _POOL is broken:
                _POOL = None
        broken.shutdown(wait=False, cancel_futures=True)
        return pool().submit(fn, *args)


def exit_with_parent() -> None:
    """(In each pool worker.) End the worker when the server ends, however it ends: a server stopped
    by a signal runs no exit hooks, and its pool's workers would wait on their queue for ever,
    ~0.5 GB each (the page's model workers end by themselves: their pipe closes)."""
    parent = multiprocessing.parent_process()

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def run_rows(config: cfg.Config, seed: int, persons: bool = False) -> dict[str, Any]:
    """One run to its horizon (in a worker): its rows as a live ensemble keeps them
    (``hosts.rows_since``), with ``persons`` the person panel's monthly blocks."""
    model = hosts.page_model(config, seed, persons)
    for _ in range(config.run.months):
        model.step()
    return hosts.rows_since(model, {}, persons)


class Ensemble:
    """One scenario on the page's seeds: live models stepped month by month (in the model workers,
    ``sim.ui.hosts``), or the rows of runs finished in the pool. Either way the rows are here, as
    ``recorder.tables()`` names them; read as arrays seeds × months."""

    def __init__(self, config: cfg.Config, seeds: list[int], rows: list[dict[str, Any]], keys: list[int] | None = None):
        self.config, self.seeds = config, list(seeds)
        self.rows = rows
        self.keys = keys  # the live models' keys in the workers (None: finished runs)
        self.ends: list[list[dict[str, int]]] = [[] for _ in self.seeds]  # live: table lengths after each month
        self.columns: dict[tuple[int, str, str], np.ndarray] = {}  # (seed, table, name) → ``column``
        if keys is not None:
            weakref.finalize(self, hosts.host().forget, keys)

    @classmethod
    def live(cls, config: cfg.Config, seeds: list[int]) -> Ensemble:
        try:
            keys = hosts.host().make(config, seeds)
        except hosts.WorkerLost:  # (found dead, and replaced)
            keys = hosts.host().make(config, seeds)
        return cls(config, seeds, rows=[{} for _ in seeds], keys=keys)

    @property
    def is_live(self) -> bool:
        return self.keys is not None

    @property
    def computed(self) -> int:
        """Months simulated (whose rows every seed has: a reader in another thread may use them)."""
        return len(self.ends[-1]) if self.is_live else len(self.rows[0]["model"])  # (the last seed is stepped last)

    def step(self) -> None:
        """One month more of every seed, in parallel in the workers (one step at a time)."""
        try:
            months = hosts.host().step(self.keys)
        except hosts.WorkerLost:
            self.rebuild()
            months = hosts.host().step(self.keys)
        for rows, ends, new in zip(self.rows, self.ends, months, strict=True):
            for name, added in new.items():
                rows.setdefault(name, []).extend(added)
            ends.append({name: len(table) for name, table in rows.items()})

    def rebuild(self) -> None:
        """The live models made again and stepped to the month computed, after a worker holding
        some of them died: a model is its config and seed, so the months replayed give the rows
        already kept (and are dropped). The keys change in place: the finalizer drops the new ones."""
        host = hosts.host()
        host.forget(list(self.keys))
        self.keys[:] = host.make(self.config, self.seeds)
        for _ in range(self.computed):
            host.step(self.keys)

    def table(self, k: int, name: str) -> list:
        """Seed k's rows of table ``name`` so far."""
        return self.rows[k].get(name, [])

    def person_blocks(self) -> list[dict[str, list]]:
        """The person panel of the first seed, month by month."""
        return self.rows[0].get(hosts.PERSON_BLOCKS, [])

    def values(self, name: str, months: int) -> np.ndarray:
        """A district series, seeds × months (nan where a month has no value)."""
        return np.array([self.column(k, "model", name)[:months] for k in range(len(self.seeds))])

    def area_values(self, table: str, index: int, count: int, name: str, months: int) -> np.ndarray:
        """Area ``index`` of the ``count`` areas a month of ``table`` (zones, streets) holds, seeds × months."""
        return np.array([self.column(k, table, name)[index:months * count:count] for k in range(len(self.seeds))])

    def column(self, k: int, table: str, name: str) -> np.ndarray:
        """Seed k's ``name`` in every row of ``table`` so far, as floats (nan where missing). Kept and
        extended as the rows grow, so each month's charts read only the new month's rows."""
        rows, kept = self.table(k, table), self.columns.get((k, table, name))
        if kept is None or len(kept) < len(rows):  # (rows only grow; a racing reader makes the same array)
            start = 0 if kept is None else len(kept)
            new = np.array([row[name] for row in rows[start:]], dtype=float)
            kept = new if kept is None else np.concatenate([kept, new])
            self.columns[(k, table, name)] = kept
        return kept

    def month_rows(self, table: str, count: int, month: int) -> list[list[dict]]:
        """Each seed's rows of ``table`` in one month (1 = the first)."""
        return [self.table(k, table)[(month - 1) * count:month * count] for k in range(len(self.seeds))]

    def all_rows(self, k: int, months: int | None = None) -> dict[str, Any]:
        """Seed k's every table but the panels, as ``recorder.tables()`` names them: all its rows, or
        (live) those recorded in the first ``months`` months; a finished run's are whole (it is at
        its horizon). Copies, each taken at once: the month ahead may be extending the lists in
        another thread meanwhile."""
        names = [name for name in TABLES if name not in PANELS]
        if months is None or not self.is_live:
            return {name: self.rows[k].get(name, [])[:] for name in names}
        ends = self.ends[k][months - 1] if months else {}
        return {name: self.rows[k].get(name, [])[:ends.get(name, 0)] for name in names}

    def frames(self, run_id_of: Callable[[int], int], months: int | None = None) -> list[Result]:
        """Each seed's tables as ``chancheng run`` writes them (live: up to month ``months``)."""
        out = []
        for k, seed in enumerate(self.seeds):
            key = run_key(self.config, run_id_of(k), seed)
            frames = tables(self.all_rows(k, months), key)
            info = run_info(self.config, key, status="ok", error="", wall=0.0)
            info["months"] = months if months is not None else self.computed
            out.append(Result(info, frames))
        return out

    def combined(self, months: int | None = None) -> dict[str, pd.DataFrame]:
        """The district, zone and street tables of every seed as one frame each (for comparisons)."""
        results = self.frames(lambda k: k, months)
        return {name: pd.concat([r.frames[name] for r in results], ignore_index=True)
                for name in comparison.TABLE_OF.values()}


class RunLost(RuntimeError):
    """A run's pool worker died before it ended (the next job goes to a fresh pool: ``submit``)."""


class Job:
    """Runs to the horizon in the pool, by name: ``progress()`` in [0, 1]; when the last one ends,
    ``then(job)`` is called once (in the pool's thread); ``ensembles()`` gives them."""

    def __init__(self, configs: dict[str, cfg.Config], seeds: list[int], then: Callable[[Job], None],
                 persons: str | None = None):
        self.configs, self.seeds = configs, seeds
        self.error: str | None = None  # what failed, as the worker said it (for the log and the tests)
        self.lost = False  # a run's worker died (killed, out of memory): the page says so in its language
        self._then, self._fired, self._lock = then, False, threading.Lock()
        self.futures = {name: [submit(run_rows, config, seed, name == persons and k == 0)
                               for k, seed in enumerate(seeds)] for name, config in configs.items()}
        for future in self.all():
            future.add_done_callback(self._ended)

    def all(self) -> list[Future]:
        return [f for fs in self.futures.values() for f in fs]

    def _ended(self, _future: Future) -> None:
        with self._lock:
            if self._fired or not all(f.done() for f in self.all()):
                return
            self._fired = True
        try:
            self._then(self)
        except Exception as exc:  # a run failed in its worker (or its tables could not be read): shown
            self.error = f"{type(exc).__name__}: {exc}" if not isinstance(exc, RuntimeError) else str(exc)
            self.lost = isinstance(exc, RunLost)

    def progress(self) -> float:
        return sum(f.done() for f in self.all()) / len(self.all())

    def cancel(self) -> None:
        for future in self.all():
            future.cancel()

    def ensembles(self) -> dict[str, Ensemble]:
        """The finished runs by name (``RuntimeError`` with the worker's error if one failed)."""
        out = {}
        for name, futures in self.futures.items():
            for future in futures:
                if future.cancelled():
                    raise RuntimeError("cancelled")
                if future.exception() is not None:
                    exc = future.exception()
                    raise (RunLost if isinstance(exc, BrokenProcessPool) else RuntimeError)(
                        f"{type(exc).__name__}: {exc}")
            out[name] = Ensemble(self.configs[name], self.seeds, rows=[f.result() for f in futures])
        return out


class Session:
    def __init__(self, scenario: str = "baseline_2018", seeds: int = SEEDS):
        self.seeds = list(range(seeds))
        self.config = cfg.resolve(scenario)
        self.draft: dict[str, Any] = self.config.to_dict()
        self.lock = threading.RLock()  # the live ensemble and the month shown (held briefly)
        self.stepping = threading.Lock()  # one month of the live models at a time (Step's or the month ahead)
        self.ahead: threading.Thread | None = None
        self.reference: Ensemble | None = None  # scenario A, to the horizon
        self.reference_job: Job | None = None
        self.comparison: dict[str, Any] | None = None  # A, B, their differences (and contributions)
        self.comparison_job: Job | None = None
        self.contributions_job: Job | None = None
        self.viewed: int | None = None  # the month looked at (None: the latest)
        # the open page's redraw, called when a job in the pool finishes (a reload's page replaces it)
        self.redraw: Callable[[], None] = lambda: None
        # the page's own settings, kept with the run so a reload finds them too
        self.ui: dict[str, Any] = {"lang": "zh", "speed": 4, "map_metric": "jobs_housing_ratio", "street": None}
        self.build()

    # -------------------------------------------------------------- the live run
    def build(self) -> None:
        with self.lock:
            self.live = Ensemble.live(self.config, self.seeds)
            self.district = load_district(self.config.run.data)
            start = pd.Period(self.config.run.start, freq="M")  # every month's YYYY-MM (the charts' axes)
            self.dates = [str(p) for p in pd.period_range(start, periods=self.config.run.months)]
            self.shown = 0
            self.viewed = None
            self.started = datetime.now(UTC)
        self.compute_ahead()

    @property
    def month(self) -> int:
        """The latest month on display."""
        return self.shown

    @property
    def months(self) -> int:
        return self.config.run.months

    @property
    def finished(self) -> bool:
        return self.shown >= self.months

    def step(self) -> bool:
        """Show one month more (computing it if it was not computed ahead); False at the horizon.
        A month computed ahead is shown at once, even while the one after it is being computed."""
        live = self.live
        if self.finished:
            return False
        if live.computed <= self.shown:
            with self.stepping:  # (the month ahead may be this one: then wait for it)
                if live.computed <= self.shown:
                    live.step()
        with self.lock:
            if self.live is live and not self.finished:
                self.shown += 1
        self.compute_ahead()
        return True

    def compute_ahead(self) -> None:
        """Compute up to ``LEAD`` months ahead in the background, so Step finds them ready."""
        with self.lock:  # (a thread that is about to stop has already said so: see ``ahead_wanted``)
            if self.ahead is not None or not self.ahead_wanted():
                return
            self.ahead = threading.Thread(target=self._work_ahead, daemon=True, name="month-ahead")
            self.ahead.start()

    def ahead_wanted(self) -> bool:
        live = self.live
        return live.is_live and live.computed < self.months and live.computed - self.shown < LEAD

    def _work_ahead(self) -> None:
        while True:
            with self.stepping:
                with self.lock:
                    if not self.ahead_wanted():
                        self.ahead = None
                        return
                    live = self.live
                live.step()

    def settle(self) -> None:
        """Wait until the months ahead are computed (for tests and benchmarks)."""
        while (thread := self.ahead) is not None:
            thread.join()

    def date(self, month: int) -> str:
        """A month of the run (1 = the start month) as YYYY-MM; month 0 is the start."""
        return self.dates[max(month - 1, 0)]

    def look_at(self, month: int | None) -> None:
        """Look at a past month (map and numbers); None follows the latest."""
        self.viewed = None if month is None or month >= self.shown else max(int(month), 1)

    @property
    def view_month(self) -> int:
        return self.viewed or self.shown

    def panel_people(self) -> list[int]:
        """The sampled persons (``persons.csv``) living in the district now, the most eventful
        lives first (ties by id): the people the page can follow."""
        blocks = self.live.person_blocks()[:self.shown]
        if not blocks:
            return []
        alive = [p for p, e in zip(blocks[-1]["person"], blocks[-1]["events"], strict=True)
                 if "died" not in e and "left" not in e]
        count = dict.fromkeys(alive, 0)
        for block in blocks:
            for person, events in zip(block["person"], block["events"], strict=True):
                if events and person in count:
                    count[person] += len(events.split())
        return sorted(alive, key=lambda p: (-count[p], p))

    def person_line(self, person: int) -> pd.DataFrame:
        """One sampled person's rows of ``persons.csv`` so far, month by month."""
        rows = []
        for block in self.live.person_blocks()[:self.shown]:
            ids = block["person"]
            if person in ids:
                i = ids.index(person)
                rows.append({name: values[i] for name, values in block.items()})
        return pd.DataFrame(rows, columns=list(COLUMNS["persons"]))

    # -------------------------------------------------------------- levers
    def draft_config(self) -> cfg.Config:
        """The pending settings as a checked configuration (``InputError`` if they do not fit)."""
        return cfg.from_dict(self.draft, source="page")

    @property
    def pending(self) -> bool:
        return self.draft != self.config.to_dict()

    def set_value(self, lever: str, field: str, value: Any) -> None:
        self.draft["levers"][lever][field] = list(value) if isinstance(value, tuple) else value

    def load_preset(self, name: str) -> None:
        self.draft = cfg.resolve(name).to_dict()

    def reset(self) -> None:
        """Apply the pending settings and start again at month 0 (raises ``InputError`` if invalid;
        the run is kept then). A reference is run again at the new horizon and scale."""
        config = self.draft_config()
        with self.lock:
            self.config = config
            self.draft = config.to_dict()
            self.cancel_jobs(reference=False)  # B is no longer the current levers
            self.comparison = None
        self.build()
        if self.reference is not None and not self.same_run(self.reference.config):
            self.set_reference(self.reference.config)

    @staticmethod
    def check_upload_size(filename: str, size: int) -> None:
        """Refuse a file larger than ``UPLOAD_LIMIT`` from the size the browser reports, before any
        of its bytes is sent."""
        if size > UPLOAD_LIMIT:
            raise InputError(f"too large ({size:,} bytes; allowed: at most {UPLOAD_LIMIT // 1024} KB)",
                             source=filename, zh=f"文件过大（{size:,} 字节；允许：最多 {UPLOAD_LIMIT // 1024} KB）")

    @staticmethod
    def read_upload(filename: str, data: bytes) -> cfg.Config:
        """A scenario file from the browser: parsed as data only (never executed), size-limited,
        within the page's limits (``PAGE_MIN_SCALE``, ``PAGE_MAX_MONTHS``)."""
        Session.check_upload_size(filename, len(data))
        raw = parse_toml(data, filename)
        if isinstance(raw.get("run"), dict) and raw["run"].get("data"):
            raise InputError("may not point at a data file on the server", source=filename, field="run.data",
                             zh="不能指向服务器上的数据文件")
        config = cfg.from_dict(raw, source=filename)
        if config.run.scale < PAGE_MIN_SCALE:
            raise InputError(f"{config.run.scale} is finer than the page allows; allowed: at least {PAGE_MIN_SCALE} "
                             "persons per row (run finer scales with the chancheng command)", source=filename,
                             field="run.scale", zh=f"{config.run.scale} 比网页允许的更精细；允许：每行至少 "
                             f"{PAGE_MIN_SCALE} 人（更精细的比例请用 chancheng 命令运行）")
        if config.run.months > PAGE_MAX_MONTHS:
            raise InputError(f"{config.run.months} months is longer than the page allows; allowed: at most "
                             f"{PAGE_MAX_MONTHS} (run longer horizons with the chancheng command)", source=filename,
                             field="run.months", zh=f"{config.run.months} 个月超出网页允许的期限；允许：最多 "
                             f"{PAGE_MAX_MONTHS} 个月（更长期限请用 chancheng 命令运行）")
        return config

    def load_config(self, config: cfg.Config) -> None:
        """A scenario (an uploaded file's) as the pending lever settings."""
        self.draft = config.to_dict()

    def load_upload(self, filename: str, data: bytes) -> cfg.Config:
        """An uploaded scenario file as the pending lever settings."""
        config = self.read_upload(filename, data)
        self.load_config(config)
        return config

    # -------------------------------------------------------------- the reference (scenario A)
    def same_run(self, config: cfg.Config) -> bool:
        r, mine = config.run, self.config.run
        return (r.months, r.scale, r.start, r.data) == (mine.months, mine.scale, mine.start, mine.data)

    def as_reference(self, config: cfg.Config) -> cfg.Config:
        """A scenario with the live run's horizon, scale, start and data (``InputError`` if one of its
        levers starts after the horizon)."""
        r = self.config.run
        return cfg.with_run(config, months=r.months, scale=r.scale, start=r.start, data=r.data)

    def set_reference(self, config: cfg.Config) -> None:
        """Run ``config`` on the session's seeds to the horizon in the pool, as the reference (A);
        ``redraw()`` when done."""
        config = self.as_reference(config)
        self.clear_reference()

        def finished(job: Job) -> None:
            if self.reference_job is job:
                self.reference, self.reference_job = job.ensembles()["a"], None
            self.redraw()

        self.reference_job = Job({"a": config}, self.seeds, finished)

    def clear_reference(self) -> None:
        self.cancel_jobs()
        self.reference = self.reference_job = self.comparison = None

    def cancel_jobs(self, reference: bool = True) -> None:
        """Cancel the comparison's jobs (and the reference's) still waiting in the pool."""
        for job in (self.reference_job if reference else None, self.comparison_job, self.contributions_job):
            if job is not None:
                job.cancel()
        self.comparison_job = self.contributions_job = None

    # -------------------------------------------------------------- the comparison to the horizon
    def compare(self) -> None:
        """Run the current levers (B) to the horizon on the reference's seeds (in the pool); when
        done (then ``redraw()``), ``self.comparison`` holds A, B, the difference table and the
        levers in which they differ."""
        if self.reference is None:
            raise InputError("choose a reference scenario first", zh="请先选择参照情景")
        a = self.reference

        def finished(job: Job) -> None:
            if self.comparison_job is job:
                b = job.ensembles()["b"]
                self.comparison = {"a": a, "b": b, "differences": comparison.differences(a.combined(), b.combined()),
                                   "levers": comparison.changed_levers(a.config, b.config), "contributions": None}
                self.comparison_job = None
                with self.lock:  # B is the live run's scenario on its seeds: every chart shows it to the horizon
                    if self.config == b.config:
                        self.live, self.shown, self.viewed = b, self.months, None
            self.redraw()

        self.comparison = None
        self.comparison_job = Job({"b": self.config}, self.seeds, finished, persons="b")

    def contribute(self) -> None:
        """Run the reference with each lever family of B alone (the same seeds, in the pool) and add
        ``contributions`` to the comparison (then ``redraw()``)."""
        result = self.comparison
        if result is None:
            raise InputError("run the comparison first", zh="请先运行对比")
        a, b = result["a"], result["b"]

        def finished(job: Job) -> None:
            if self.contributions_job is job:
                alone = {lever: ensemble.combined() for lever, ensemble in job.ensembles().items()}
                result["contributions"] = comparison.contributions(a.combined(), b.combined(), alone)
                self.contributions_job = None
            self.redraw()

        self.contributions_job = Job({lever: comparison.one_lever(a.config, b.config, lever)
                                      for lever in result["levers"]}, self.seeds, finished)

    # -------------------------------------------------------------- exports
    def scenario_toml(self) -> str:
        """The pending lever settings as a scenario file ``chancheng run --scenario`` accepts."""
        return self.draft_config().to_toml()

    def write_comparison(self, folder: Path) -> None:
        """The comparison as ``chancheng compare`` writes it: A's and B's runs, differences.csv (and
        contributions.csv), the scenarios and metadata.json."""
        result = self.comparison
        a, b = result["a"], result["b"]
        writer = RunWriter(folder)
        n = len(self.seeds)
        for offset, ensemble in enumerate((a, b)):
            for r in ensemble.frames(lambda k, o=offset: o * n + k):
                writer.write(r)
            cfg.save(ensemble.config, folder / f"scenario_{ensemble.config.name}.toml")
        write_csv(result["differences"], folder / "differences.csv")
        if result["contributions"] is not None:
            write_csv(result["contributions"], folder / "contributions.csv")
        write_json(folder / "metadata.json", metadata(
            self.started, scenarios=[a.config.name, b.config.name], seeds=self.seeds, months=self.months,
            scale=self.config.run.scale, common_random_numbers=True, command="web page (app.py)"))

    def export_zip(self, lang: str = "en") -> bytes:
        """The comparison (when one is done) or the live run so far, as the files the command line
        writes, zipped; on the Chinese page with Chinese column names (``i18n.chinese_headers``)."""
        with self.lock, tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            if self.comparison is not None:
                self.write_comparison(folder)
            else:
                writer = RunWriter(folder)
                for r in self.live.frames(lambda k: k, self.shown):
                    writer.write(r)
                describe_runs(folder, self.config, self.started, self.seeds, self.shown, command="web page (app.py)")
            if lang == "zh":
                from sim.ui.i18n import chinese_headers

                for path in folder.glob("*.csv"):
                    chinese_headers(path)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in sorted(folder.iterdir()):
                    archive.write(path, path.name)
        return buffer.getvalue()

    def brief(self, lang: str = "zh") -> bytes:
        """The comparison's brief (``chancheng brief``), as PDF bytes."""
        from sim.brief import render

        with tempfile.TemporaryDirectory() as tmp:
            self.write_comparison(Path(tmp))
            return render(Path(tmp), lang)


# -------------------------------------------------------------- sessions by browser
SESSIONS: OrderedDict[str, Session] = OrderedDict()
_SESSIONS_LOCK = threading.Lock()


def session_for(browser: str, make: Callable[[], Session] = Session) -> Session:
    """The browser's session (by its session cookie): found again after a reload, made on first
    visit; the least recently used beyond ``KEPT_SESSIONS`` are dropped."""
    with _SESSIONS_LOCK:
        session = SESSIONS.pop(browser, None)
        if session is None:
            session = make()
        SESSIONS[browser] = session
        while len(SESSIONS) > KEPT_SESSIONS:
            _, old = SESSIONS.popitem(last=False)
            old.cancel_jobs()
        return session
