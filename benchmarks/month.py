"""Time the model's month at several scales: ms per month, resident-months per second, peak memory.

    python benchmarks/month.py                 # scales 100, 10 (the default) and 1 (full), 12 months each
    python benchmarks/month.py --scales 100 10 1 --months 24
    python benchmarks/month.py --cli           # and `chancheng run --scale 1 --months 120` as a user runs it
    python benchmarks/month.py --scales 1 --against f4e5097   # this checkout against another commit

Each scale runs in a fresh process so peak memory (max RSS) is its own. Prints one line per
scale, the ratios between them, and the exponent b of time per month ∝ residents^b fitted over
the scales (1 = linear). ``--cli`` times the whole command and the run itself within it
(``wall_seconds`` in runs.csv: building the model and its months), and apart a process that only
imports the CLI (interpreter start-up and imports). ``--against REV`` measures a git worktree of
commit REV in the same run, alternating the two ``--repeat`` times per scale, and prints both
medians and their ratio.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np


def measure(scale: int, months: int, seed: int) -> dict:
    """Build and run the baseline at ``scale`` in this process; return its figures."""
    from sim.config import Config, with_run
    from sim.model import IndustryCityModel

    config = with_run(Config(), scale=scale, months=months)
    started = time.perf_counter()
    model = IndustryCityModel(config, seed)
    built = time.perf_counter()
    for _ in range(months):
        model.step()
    done = time.perf_counter()
    rows = model.residents.count
    ms = (done - built) / months * 1000.0
    return {
        "scale": scale,
        "residents_rows": rows,
        "build_s": round(built - started, 3),
        "ms_per_month": round(ms, 2),
        "resident_months_per_s": round(rows / (ms / 1000.0)),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1),
    }


def seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def cli_run(scale: int, months: int) -> None:
    """`chancheng run` at ``scale`` for ``months`` in a fresh process, split into its parts."""
    imports = seconds([sys.executable, "-c", "import sim.cli, sim.model"])
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "run"
        wall = seconds([sys.executable, "-m", "sim.cli", "run", "--scale", str(scale), "--months", str(months),
                        "--out", str(out), "--quiet"])
        with open(out / "runs.csv", encoding="utf-8-sig") as f:
            run = float(next(csv.DictReader(f))["wall_seconds"])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    print(f"chancheng run --scale {scale} --months {months}: the run {run:.2f} s (building the model and its "
          f"months); {wall:.2f} s in all with start-up, imports and writing the outputs (a process that only "
          f"imports takes {imports:.2f} s); peak memory {peak:.0f} MB")


ROOT = Path(__file__).resolve().parents[1]


def one(scale: int, months: int, seed: int, tree: Path = ROOT) -> dict:
    """``measure`` in a fresh process, importing ``sim`` from ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    out = subprocess.run([sys.executable, __file__, "--one", str(scale), "--months", str(months), "--seed", str(seed)],
                         capture_output=True, text=True, check=True, cwd=tree, env=env)
    return json.loads(out.stdout)


@contextmanager
def worktree(rev: str):
    """A temporary git worktree of commit ``rev``."""
    folder = Path(tempfile.mkdtemp()) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(folder), rev], cwd=ROOT, check=True,
                   capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=ROOT, capture_output=True)


def against(rev: str, scales: list[int], months: int, seed: int, repeat: int) -> None:
    """This checkout and commit ``rev``, alternating, ``repeat`` times per scale: medians and ratios."""
    with worktree(rev) as other:
        one(max(scales), 1, seed, other)  # (compiles the other tree's loops first: not part of a measurement)
        print(f"{'scale':>6} {'this ms':>9} {rev[:10] + ' ms':>14} {'ratio':>7} {'this MB':>8} {'other MB':>9}")
        for scale in scales:
            mine, theirs = [], []
            for _ in range(repeat):
                mine.append(one(scale, months, seed))
                theirs.append(one(scale, months, seed, other))
            a = float(np.median([r["ms_per_month"] for r in mine]))
            b = float(np.median([r["ms_per_month"] for r in theirs]))
            print(f"{scale:>6} {a:>9.1f} {b:>14.1f} {a / b:>7.2f} {max(r['peak_rss_mb'] for r in mine):>8.0f} "
                  f"{max(r['peak_rss_mb'] for r in theirs):>9.0f}")
    print(f"(medians of {repeat} alternating runs of {months} months each; ratio < 1: this checkout is faster)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[100, 10, 1])
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cli", action="store_true", help="also time `chancheng run --scale 1 --months 120`")
    parser.add_argument("--against", metavar="REV", help="also measure git commit REV, alternating with this one")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each with --against (default 3)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one scale, print JSON
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one, args.months, args.seed)))
        return
    if args.against:
        against(args.against, args.scales, args.months, args.seed, args.repeat)
        return
    results = []
    print(f"{'scale':>6} {'rows':>10} {'build s':>8} {'ms/month':>9} {'res-months/s':>13} {'peak MB':>8}")
    for scale in args.scales:
        r = one(scale, args.months, args.seed)
        results.append(r)
        print(f"{r['scale']:>6} {r['residents_rows']:>10,} {r['build_s']:>8} {r['ms_per_month']:>9} "
              f"{r['resident_months_per_s']:>13,} {r['peak_rss_mb']:>8}")
    for a, b in zip(results, results[1:], strict=False):
        print(f"scale {b['scale']} vs {a['scale']}: {b['residents_rows'] / a['residents_rows']:.1f}× the rows, "
              f"{b['ms_per_month'] / a['ms_per_month']:.1f}× the time per month")
    if len(results) > 1:
        rows = np.log([r["residents_rows"] for r in results])
        ms = np.log([r["ms_per_month"] for r in results])
        print(f"time per month ∝ residents^{np.polyfit(rows, ms, 1)[0]:.2f}")
    if args.cli:
        cli_run(scale=1, months=120)


if __name__ == "__main__":
    main()
