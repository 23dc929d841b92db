"""Sweep throughput and memory: in-process, 1 and 2 local workers, a local Dask cluster.

    python benchmarks/sweep.py                      # 24 runs of 12 months at the default scale
    python benchmarks/sweep.py --runs 1000 --only pool2   # the 1,000-run memory figure (minutes)
    python benchmarks/sweep.py --no-dask

Prints runs per minute, the speed-up of 2 workers over 1, the per-run overhead of each executor
(wall time per run beyond the model's own time) and peak memory (this process and its workers).
"""

from __future__ import annotations

import argparse
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sim import batch, design

ROOT = Path(__file__).resolve().parents[1]


def spec_file(folder: Path, runs: int, months: int, scale: int) -> Path:
    path = folder / "bench.toml"
    path.write_text(f'name = "bench"\nscenario = "baseline_2018"\nreplications = {runs}\nseed = 1\n'
                    f'tables = ["model", "zones"]\n[run]\nmonths = {months}\nscale = {scale}\n'
                    f'[design]\nkind = "table"\n[[points]]\n"approval.items" = 71\n', encoding="utf-8")
    return path


def timed(spec, executor, folder: Path) -> tuple[float, float]:
    """Wall seconds of the sweep and the summed run time its runs report."""
    import pandas as pd

    start = time.perf_counter()
    outcome = batch.sweep(spec, folder, executor)
    wall = time.perf_counter() - start
    assert outcome.failed == 0
    return wall, float(pd.read_csv(folder / "runs.csv")["wall_seconds"].sum())


def dask_cluster(workers: int):
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    number = port.getsockname()[1]
    port.close()
    dask = str(Path(sys.executable).parent / "dask")
    address = f"tcp://127.0.0.1:{number}"
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", str(number), "--no-dashboard"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    procs.append(subprocess.Popen([dask, "worker", address, "--nworkers", str(workers), "--nthreads", "1",
                                   "--no-dashboard", "--local-directory", tempfile.mkdtemp()],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    from distributed import Client

    with Client(address, timeout="30s") as client:
        client.wait_for_workers(workers, timeout=60)
    return address, procs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=24)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--no-dask", action="store_true")
    parser.add_argument("--only", choices=["inprocess", "pool1", "pool2", "dask"], help="time one executor only")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp())
    spec = design.load_spec(spec_file(work, args.runs, args.months, args.scale))
    print(f"{args.runs} runs × {args.months} months at scale {args.scale}")
    print(f"{'executor':<24} {'wall s':>8} {'runs/min':>9} {'overhead s/run':>15}")
    rows = {}
    executors = [("in-process", "inprocess", batch.InProcess), ("local pool, 1 worker", "pool1",
                                                                   lambda: batch.LocalPool(1)),
                 ("local pool, 2 workers", "pool2", lambda: batch.LocalPool(2))]
    procs = []
    if not args.no_dask and args.only in (None, "dask"):
        address, procs = dask_cluster(2)
        executors.append(("Dask, 2 workers", "dask", lambda: batch.DaskCluster(address)))
    executors = [(name, make()) for name, key, make in executors if args.only in (None, key)]
    try:
        for i, (name, executor) in enumerate(executors):
            wall, model_time = timed(spec, executor, work / f"out{i}")
            workers = getattr(executor, "workers", 1)
            overhead = (wall * workers - model_time) / args.runs
            rows[name] = wall
            print(f"{name:<24} {wall:>8.1f} {args.runs / wall * 60:>9.1f} {overhead:>15.3f}")
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    if {"local pool, 1 worker", "local pool, 2 workers"} <= set(rows):
        print(f"2 workers vs 1: {rows['local pool, 1 worker'] / rows['local pool, 2 workers']:.2f}× the throughput")
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: this process {me:.0f} MB, largest worker {kids:.0f} MB")


if __name__ == "__main__":
    main()
