"""The ``chancheng`` command: thin over the run API (``sim.runner``) and the writers (``sim.io``).

Bad input ends with one line on stderr naming the problem and what is allowed, exit status 2,
and nothing written.
"""

from __future__ import annotations

import argparse
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from sim import config as cfg
from sim.errors import InputError
from sim.io import RunWriter, metadata, staged_output, write_json
from sim.runner import run

HEADLINE = {
    "residents": "residents 常住人口",
    "employed": "employed residents 就业居民",
    "jobs": "jobs 就业岗位",
    "unemployment_rate": "unemployment rate 失业率",
    "jobs_housing_ratio": "jobs–housing ratio 职住比",
    "self_containment": "self-containment 就业自足率",
    "mean_commute_min": "mean commute, min 平均通勤时间",
    "mean_commute_km": "mean commute, km 平均通勤距离",
    "share_commute_le_5km": "commutes ≤ 5 km 5公里内通勤占比",
    "share_commute_gt_60min": "commutes > 60 min 60分钟以上占比",
    "excess_commuting": "excess commuting 过剩通勤",
    "approval_days_mean": "approval days 审批天数",
    "rent_index": "rent index 租金指数",
    "students_per_teacher_primary": "primary students/teacher 小学生师比",
    "satisfaction": "satisfaction 获得感",
}


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad option on one line and exits with status 2."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message}\n")


def whole(lo: int, hi: int | None = None):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < lo or (hi is not None and value > hi):
            allowed = f"a whole number from {lo}" + (f" to {hi}" if hi is not None else "")
            raise argparse.ArgumentTypeError(f"{text!r} is not allowed; use {allowed}")
        return value

    parse.__name__ = "number"
    return parse


def add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scenario", default=cfg.DEFAULT_SCENARIO,
                   help=f"built-in scenario name or a .toml file (default {cfg.DEFAULT_SCENARIO})")
    p.add_argument("--months", type=whole(1, 600), help="horizon in months (default: the scenario's)")
    p.add_argument("--scale", type=whole(1, 1000),
                   help="persons per resident row; 1 = full scale (default: the scenario's)")
    p.add_argument("--set", action="append", default=[], metavar="LEVER.FIELD=VALUE",
                   help="override a value, e.g. approval.items=52 or run.months=24 (repeatable)")


def load_config(args) -> cfg.Config:
    config = cfg.resolve(args.scenario)
    if args.set:
        config = cfg.override(config, args.set)
    return cfg.with_run(config, months=args.months, scale=args.scale)


def seeds_from(args) -> list[int]:
    return [args.seed] if args.seed is not None else list(range(args.seeds))


def progress_bar(total: int, desc: str):
    """A progress bar on a terminal; silent when stderr is not one (logs, CI, pipes)."""
    return tqdm(total=total, desc=desc, unit="month", disable=not sys.stderr.isatty(), leave=False)


def cmd_run(args) -> int:
    config = load_config(args)
    seeds = seeds_from(args)
    out = Path(args.out or f"results/{config.name}")
    started = datetime.now(UTC)
    finals = []
    with staged_output(out) as staging:
        writer = RunWriter(staging)
        with progress_bar(len(seeds) * config.run.months, config.name) as bar:
            for run_id, seed in enumerate(seeds):
                result = run(config, seed, run_id=run_id, on_month=lambda: bar.update(1))
                writer.write(result)
                finals.append(result.model.tail(12).mean(numeric_only=True))
        cfg.save(config, staging / "scenario.toml")
        write_json(staging / "metadata.json", metadata(
            started, scenario=config.name, seeds=seeds, months=config.run.months, scale=config.run.scale,
            config_hash=config.digest(), outputs=["runs.csv", "model.csv", "streets.csv", "zones.csv", "od.csv"],
        ))
    if not args.quiet:
        print(summary_table(config, pd.DataFrame(finals), len(seeds), out))
    return 0


def summary_table(config: cfg.Config, finals: pd.DataFrame, n_seeds: int, out: Path) -> str:
    """Headline figures averaged over the last 12 months of each run: mean and range over seeds."""
    months = config.run.months
    lines = [f"{config.name}: {n_seeds} seed(s) × {months} months at scale {config.run.scale} → {out}/",
             f"{'last 12 months, average':<40} {'mean':>12} {'min':>12} {'max':>12}"]
    for col, label in HEADLINE.items():
        values = finals[col].astype(float)
        lines.append(f"{label:<40} {fmt(values.mean()):>12} {fmt(values.min()):>12} {fmt(values.max()):>12}")
    return "\n".join(lines)


def fmt(x: float) -> str:
    if pd.isna(x):
        return "–"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3f}" if abs(x) < 10 else f"{x:.1f}"


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="chancheng", description="产城融合 simulator of Chenghua District, Chengdu")
    parser.add_argument("--version", action="version", version="%(prog)s " + _version())
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = sub.add_parser("run", help="run a scenario over one or more seeds and write CSV outputs")
    add_run_options(p)
    seeds = p.add_mutually_exclusive_group()
    seeds.add_argument("--seeds", type=whole(1, 10000), default=1, help="run seeds 0..N-1 (default 1)")
    seeds.add_argument("--seed", type=whole(0), help="run this one seed")
    p.add_argument("--out", help="output folder (default results/<scenario>); replaced as a whole on success")
    p.add_argument("--quiet", action="store_true", help="no summary table")
    p.set_defaults(func=cmd_run)
    return parser


def _version() -> str:
    from importlib.metadata import version

    return version("chancheng")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        return args.func(args)
    except InputError as exc:
        print(f"chancheng {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"chancheng {args.command}: interrupted; nothing written", file=sys.stderr)
        return 130


def _terminate(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
