"""The page's live models, in worker processes: each worker owns the models it was given and steps
them on request, sending back the month's new rows.

A live ensemble's seeds are spread over the workers (one per core) and stepped in parallel, so a
month costs the server's own process only the drawing. Each worker takes its requests through a
lane of its own, so a worker that has done its part of one session's month goes on to the next
session's while the other finishes. Stepped in a thread of the server, the
models would hold the interpreter lock while the page draws the month before: every session's
Step and Play would wait for every other session's models.

Workers are spawned (the server runs threads) on first use and shared by every session; a model
is dropped after its ensemble is gone (``Host.forget``, called by the ensemble's finalizer). A
worker that dies (killed, out of memory) is replaced by a fresh one at the next request that
needs it, which fails with ``WorkerLost``; the ensembles whose models it held make them again
(``sim.ui.session.Ensemble.rebuild``), so every session goes on.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from sim import config as cfg
from sim.model import IndustryCityModel

PERSON_BLOCKS = "person_blocks"  # the person panel's monthly blocks, as the page's rows name them


def page_model(config: cfg.Config, seed: int, persons: bool):
    """A model whose rows the page keeps (``rows_since``), without the panels it would not send:
    the firm panel never, the person panel unless ``persons`` (~3 ms a month less at scale 10).
    The panels draw nothing from the model's random streams, so every other row is the same."""
    panels = {"panel_firms": 0} if persons else {"panel_firms": 0, "panel_persons": 0}
    return IndustryCityModel(cfg.with_run(config, **panels), seed)


def rows_since(model, sent: dict[str, int], persons: bool) -> dict[str, list]:
    """The rows each table of ``model`` gained since ``sent`` (rows counted by table, updated), as
    the page keeps them: the person panel's monthly blocks only with ``persons``, the firm panel
    never (the page does not show it). With ``sent`` empty: every row so far."""
    new = {}
    for name, rows in model.recorder.lists().items():
        if name == "firms" or (name == "persons" and not persons):
            continue
        new[PERSON_BLOCKS if name == "persons" else name] = rows[sent.get(name, 0):]
        sent[name] = len(rows)
    return new


def _serve(conn) -> None:
    """A worker: models by key. A request is (op, keys, arguments per key): "make" (config, seed,
    persons), "step" → each model's new rows, "drop". An error goes back as its text."""
    models: dict[int, tuple] = {}  # key → (model, persons, rows sent)
    while True:
        try:
            op, keys, args = conn.recv()
        except EOFError:  # the server has gone
            return
        try:
            result = []
            for key, arg in zip(keys, args, strict=True):
                if op == "make":
                    config, seed, persons = arg
                    models[key] = (page_model(config, seed, persons), persons, {})
                elif op == "step":
                    model, persons, sent = models[key]
                    model.step()
                    result.append(rows_since(model, sent, persons))
                else:
                    models.pop(key, None)
            conn.send(("ok", result))
        except Exception as exc:  # noqa: BLE001 — sent back to the session, which raises it there
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class Host:
    """The worker processes and the keys of the models each holds."""

    def __init__(self, workers: int):
        self.conns, self.procs = map(list, zip(*(self._spawn() for _ in range(workers)), strict=True))
        # each worker's requests go through its own lane, one at a time, so the workers never wait
        # for each other: a worker that has answered its part of one request takes the next one's
        self.lanes = [ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"page-models-{w}")
                      for w in range(workers)]
        self.keys = itertools.count()
        self.turn = itertools.count()  # which worker an ensemble's first seed goes to (they alternate)
        self.where: dict[int, int] = {}  # model key → worker
        self.gone: list[list[int]] = []  # keys of ensembles gone, to drop
        self.lock = threading.Lock()

    @staticmethod
    def _spawn():
        """A worker process and the server's end of its pipe."""
        context = multiprocessing.get_context("spawn")
        mine, theirs = context.Pipe()
        proc = context.Process(target=_serve, args=(theirs,), daemon=True, name="page-models")
        proc.start()
        return mine, proc

    def make(self, config: cfg.Config, seeds: list[int]) -> list[int]:
        """Models of ``config`` on ``seeds`` spread over the workers, the first seed's with its person
        panel (the models of ensembles gone since the last call are dropped first); their keys."""
        with self.lock:
            gone, self.gone = self.gone, []
        for keys in gone:
            self.drop(keys)
        with self.lock:
            first = next(self.turn)
            keys = [next(self.keys) for _ in seeds]
            for i, key in enumerate(keys):
                self.where[key] = (first + i) % len(self.conns)
        try:
            self._ask("make", keys, [(config, seed, i == 0) for i, seed in enumerate(seeds)])
        except WorkerLost:
            self.drop(keys)  # (those made in the other workers)
            raise
        return keys

    def step(self, keys: list[int]) -> list[dict[str, list]]:
        """One month of each model (in parallel over the workers); each one's new rows, in order."""
        return self._ask("step", keys)

    def forget(self, keys: list[int]) -> None:
        """Drop these models at the next ``make`` (an ensemble's finalizer calls this: it may run
        in the middle of a request, in a lane it must not wait for)."""
        self.gone.append(keys)

    def drop(self, keys: list[int]) -> None:
        with self.lock:
            keys = [key for key in keys if key in self.where]  # (a dead worker's models are gone already)
        with contextlib.suppress(WorkerLost):  # (a worker found dead: its models are gone too)
            self._ask("drop", keys)
        with self.lock:
            for key in keys:
                self.where.pop(key, None)

    def _ask(self, op: str, keys: list[int], args: list | None = None) -> list:
        """Each worker's part of the request through its lane, then the answers, in the order of
        ``keys``. ``WorkerLost`` if a worker holding one of the models has died (it is replaced by
        a fresh one, without models); every other part is answered first."""
        args = args or [None] * len(keys)
        by_worker: dict[int, list[int]] = {}
        with self.lock:
            if any(key not in self.where for key in keys):
                raise WorkerLost(WORKER_LOST)
            for i, key in enumerate(keys):
                by_worker.setdefault(self.where[key], []).append(i)
        parts = {w: self.lanes[w].submit(self._round_trip, w, op, [keys[i] for i in mine], [args[i] for i in mine])
                 for w, mine in sorted(by_worker.items())}
        answers, lost, failed = {}, False, None
        for w, part in parts.items():
            try:
                status, result = part.result()
            except WorkerLost:
                lost = True
                continue
            if status != "ok":
                failed = result
                continue
            answers.update(zip(by_worker[w], result or [None] * len(by_worker[w]), strict=True))
        if lost:
            raise WorkerLost(WORKER_LOST)
        if failed is not None:
            raise RuntimeError(f"a page model failed: {failed}")
        return [answers[i] for i in range(len(keys))]

    def _round_trip(self, w: int, op: str, keys: list[int], args: list) -> tuple[str, list]:
        """(In worker ``w``'s lane.) One request to the worker and its answer."""
        with self.lock:  # (a worker replaced since the request was split: its models are gone)
            if any(self.where.get(key) != w for key in keys):
                raise WorkerLost(WORKER_LOST)
        try:
            self.conns[w].send((op, keys, args))
            return self.conns[w].recv()
        except (EOFError, OSError):  # (a broken pipe, or no answer: the worker has gone)
            self._replace(w)
            raise WorkerLost(WORKER_LOST) from None

    def _replace(self, w: int) -> None:
        """(In worker ``w``'s lane.) A fresh worker in place of worker ``w``, which has died; its
        models are gone."""
        self.procs[w].kill()
        self.procs[w].join(timeout=10)
        self.conns[w].close()
        self.conns[w], self.procs[w] = self._spawn()
        with self.lock:
            for key in [key for key, where in self.where.items() if where == w]:
                del self.where[key]


WORKER_LOST = "a page model worker has stopped: its models are gone"


class WorkerLost(RuntimeError):
    """A model worker died (killed, out of memory) with models of the request: a fresh worker has
    taken its place, and an ensemble makes its models again (``Ensemble.rebuild``)."""


_HOST: Host | None = None
_HOST_LOCK = threading.Lock()


def host() -> Host:
    """The server's model workers (one per core), started on first use."""
    global _HOST
    with _HOST_LOCK:
        if _HOST is None:
            _HOST = Host(os.cpu_count() or 1)
        return _HOST
