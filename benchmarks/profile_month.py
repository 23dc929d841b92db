"""Where a month's time goes: each phase of ``IndustryCityModel.step`` timed separately.

    python benchmarks/profile_month.py [--scale 1] [--months 12]

Wraps the phase methods the step calls (and the recorder) with timers; prints ms per month per
phase and its share.
"""

from __future__ import annotations

import argparse
import functools
import time
from collections import defaultdict

from sim.config import Config, with_run
from sim.model import IndustryCityModel
from sim.recording import Recorder

PHASES = ("apply_policies", "attract_and_approve", "run_firms", "match_jobs", "match_homes", "change_population",
          "serve_streets")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    spent: dict[str, float] = defaultdict(float)

    def timed(name, fn):
        @functools.wraps(fn)
        def wrapper(*a, **kw):
            start = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                spent[name] += time.perf_counter() - start
        return wrapper

    for name in PHASES:
        setattr(IndustryCityModel, name, timed(name, getattr(IndustryCityModel, name)))
    Recorder.record = timed("record", Recorder.record)
    model = IndustryCityModel(with_run(Config(), scale=args.scale, months=args.months), 0)
    start = time.perf_counter()
    for _ in range(args.months):
        model.step()
    total = (time.perf_counter() - start) / args.months * 1000
    print(f"scale {args.scale}: {model.residents.count:,} resident rows, {total:.1f} ms per month")
    for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        ms = seconds / args.months * 1000
        print(f"  {name:<22} {ms:8.1f} ms  {ms / total:6.1%}")


if __name__ == "__main__":
    main()
