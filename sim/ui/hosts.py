"""The page's live models, in worker processes: each worker owns the models it was given and steps
them on request, sending back the month's new rows.

A live ensemble's seeds are spread over the workers (one per core) and stepped in parallel, so a
month costs the server's own process only the drawing. Stepped in a thread of the server, the
models would hold the interpreter lock while the page draws the month before: every session's
Step and Play would wait for every other session's models.

Workers are spawned (the server runs threads) on first use and shared by every session; a model
is dropped after its ensemble is gone (``Host.forget``, called by the ensemble's finalizer).
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import threading
from typing import Any

from sim import config as cfg

PERSON_BLOCKS = "person_blocks"  # the person panel's monthly blocks, as ``session.run_rows`` names them


def _serve(conn) -> None:
    """A worker: models by key; ("make", key, (config, seed, persons)), ("step", keys, None) →
    each model's new rows, ("drop", keys, None). An error goes back as its text."""
    from sim.model import IndustryCityModel

    models: dict[int, Any] = {}
    while True:
        try:
            op, key, arg = conn.recv()
        except EOFError:  # the server has gone
            return
        try:
            if op == "make":
                config, seed, persons = arg
                models[key] = [IndustryCityModel(config, seed), persons, {}]
                result = None
            elif op == "step":
                result = [_step(*models[k]) for k in key]
            else:
                for k in key:
                    models.pop(k, None)
                result = None
            conn.send(("ok", result))
        except Exception as exc:  # noqa: BLE001 — sent back to the session, which raises it there
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


def _step(model, persons: bool, sent: dict[str, int]) -> dict[str, list]:
    """One month of ``model``; the rows each table gained (the person panel's block with ``persons``;
    the firm panel never: the page does not show it)."""
    model.step()
    new = {}
    for name, rows in model.recorder.lists().items():
        if name == "firms" or (name == "persons" and not persons):
            continue
        new[PERSON_BLOCKS if name == "persons" else name] = rows[sent.get(name, 0):]
        sent[name] = len(rows)
    return new


class Host:
    """The worker processes and the keys of the models each holds."""

    def __init__(self, workers: int):
        context = multiprocessing.get_context("spawn")
        self.conns, self.locks, self.procs = [], [], []
        for _ in range(workers):
            mine, theirs = context.Pipe()
            proc = context.Process(target=_serve, args=(theirs,), daemon=True, name="page-models")
            proc.start()
            self.conns.append(mine)
            self.locks.append(threading.Lock())
            self.procs.append(proc)
        self.keys = itertools.count()
        self.turn = itertools.count()  # which worker an ensemble's first seed goes to (they alternate)
        self.where: dict[int, int] = {}  # model key → worker
        self.gone: list[list[int]] = []  # keys of ensembles gone, to drop
        self.lock = threading.Lock()

    def make(self, config: cfg.Config, seeds: list[int], persons_of_first: bool = True) -> list[int]:
        """Models of ``config`` on ``seeds`` spread over the workers (the models of ensembles gone
        since the last call are dropped first); their keys."""
        while self.gone:
            self.drop(self.gone.pop())
        with self.lock:
            first = next(self.turn)
            keys = [next(self.keys) for _ in seeds]
            for i, key in enumerate(keys):
                self.where[key] = (first + i) % len(self.conns)
        self._ask("make", {key: (config, seed, persons_of_first and i == 0)
                           for i, (key, seed) in enumerate(zip(keys, seeds, strict=True))})
        return keys

    def step(self, keys: list[int]) -> list[dict[str, list]]:
        """One month of each model (in parallel over the workers); each one's new rows, in order."""
        return self._ask("step", dict.fromkeys(keys))

    def forget(self, keys: list[int]) -> None:
        """Drop these models at the next ``make`` (an ensemble's finalizer calls this: it may run
        in the middle of a request, whose workers' locks it must not wait for)."""
        self.gone.append(keys)

    def drop(self, keys: list[int]) -> None:
        self._ask("drop", dict.fromkeys(keys))
        with self.lock:
            for key in keys:
                self.where.pop(key, None)

    def _ask(self, op: str, args: dict[int, Any]) -> list:
        """Send each worker its part of the request, then gather the answers (workers in index
        order, so two requests never wait for each other's workers crosswise)."""
        by_worker: dict[int, list[int]] = {}
        for key in args:
            by_worker.setdefault(self.where[key], []).append(key)
        workers = sorted(by_worker)
        for w in workers:
            self.locks[w].acquire()
        try:
            if op == "make":
                for w in workers:
                    for key in by_worker[w]:
                        self.conns[w].send(("make", key, args[key]))
                answers = {}
                for w in workers:
                    for key in by_worker[w]:
                        answers[key] = self._answer(w)
            else:
                for w in workers:
                    self.conns[w].send((op, by_worker[w], None))
                answers = {}
                for w in workers:
                    answers.update(zip(by_worker[w], self._answer(w) or [None] * len(by_worker[w]), strict=True))
        finally:
            for w in workers:
                self.locks[w].release()
        return [answers[key] for key in args]

    def _answer(self, w: int):
        try:
            status, result = self.conns[w].recv()
        except (EOFError, OSError):
            raise RuntimeError("a page model worker has stopped; restart the page server") from None
        if status != "ok":
            raise RuntimeError(f"a page model failed: {result}")
        return result


_HOST: Host | None = None
_HOST_LOCK = threading.Lock()


def host() -> Host:
    """The server's model workers (one per core), started on first use."""
    global _HOST
    with _HOST_LOCK:
        if _HOST is None:
            _HOST = Host(os.cpu_count() or 1)
        return _HOST
