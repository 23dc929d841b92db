"""Where a month's time goes: each phase of the month's schedule timed separately.

    python benchmarks/profile_month.py [--scale 1] [--months 12]

Times the phases of ``sim.model.SCHEDULE`` — the same declaration ``IndustryCityModel.step``
runs — by giving one model a timed copy of it; prints ms per month per phase and its share.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

from sim.config import Config, with_run
from sim.model import SCHEDULE, IndustryCityModel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    spent: dict[str, float] = defaultdict(float)

    def timed(name, phase):
        def run(model):
            start = time.perf_counter()
            try:
                return phase(model)
            finally:
                spent[name] += time.perf_counter() - start
        return run

    model = IndustryCityModel(with_run(Config(), scale=args.scale, months=args.months), 0)
    model.schedule = tuple((name, timed(name, phase)) for name, phase in SCHEDULE)
    start = time.perf_counter()
    for _ in range(args.months):
        model.step()
    total = (time.perf_counter() - start) / args.months * 1000
    print(f"scale {args.scale}: {model.residents.count:,} resident rows, {total:.1f} ms per month")
    for name, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
        ms = seconds / args.months * 1000
        print(f"  {name:<12} {ms:8.1f} ms  {ms / total:6.1%}")


if __name__ == "__main__":
    main()
