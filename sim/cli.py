"""The ``chancheng`` command: thin over the run API (``sim.runner``) and the writers (``sim.io``).

Bad input ends with one line on stderr naming the problem and what is allowed, exit status 2,
and nothing written. The numerical stack (numpy, pandas, the model) is imported by the commands
that need it, so ``--help``, ``scenarios`` and every argument or scenario error answer at once.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sim import config as cfg
from sim.errors import JSON_LIMIT, InputError, read_bounded
from sim.outcomes import PANELS, label
from sim.params import specs
from sim.policies import GROUPS, LEVERS

if TYPE_CHECKING:
    import pandas as pd

HEADLINE = ("residents", "employed", "jobs", "unemployment_rate", "jobs_housing_ratio", "self_containment",
            "mean_commute_min", "mean_commute_km", "share_commute_le_5km", "share_commute_gt_60min",
            "excess_commuting", "approval_days_12m", "rent_index", "students_per_teacher_primary", "satisfaction")
# The comparison's headline: district and zone balance, commute, approvals, schools.
COMPARE_HEADLINE = ("jobs_housing_ratio", "self_containment", "mean_commute_min", "excess_commuting",
                    "approval_days_12m", "students_per_teacher_primary", "students_per_teacher_junior",
                    "students_per_teacher_senior")
COMPARE_FIGURES = ("jobs_housing_ratio", "self_containment", "mean_commute_min", "excess_commuting",
                   "approval_days_12m", "unemployment_rate", "students_per_teacher_primary", "rent_index",
                   "satisfaction")


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


def positive(text: str) -> float:
    """A finite number above 0 (argparse type)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (0 < value < float("inf")):
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; use a number above 0")
    return value


positive.__name__ = "number"


def add_run_options(p: argparse.ArgumentParser) -> None:
    """--months, --scale and --set (the scenario itself is --scenario for run, positional for compare)."""
    p.add_argument("--months", type=whole(1, 600), help="horizon in months (default: the scenario's)")
    p.add_argument("--scale", type=whole(1, 1000),
                   help="persons per resident row; 1 = full scale (default: the scenario's)")
    p.add_argument("--set", action="append", default=[], metavar="LEVER.FIELD=VALUE",
                   help="override a value, e.g. approval.items=52 or run.months=24 (repeatable)")


def load_config(args, scenario: str, field: str) -> cfg.Config:
    config = cfg.resolve(scenario, field)
    if args.set:
        config = cfg.override(config, args.set)
    return cfg.with_run(config, months=args.months, scale=args.scale)


def seeds_from(args) -> list[int]:
    return [args.seed] if args.seed is not None else list(range(args.seeds))


def progress_bar(total: int, desc: str):
    """A progress bar on a terminal; silent when stderr is not one (logs, CI, pipes)."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="month", disable=not sys.stderr.isatty(), leave=False)


def cmd_run(args) -> int:
    if args.from_folder is not None:
        return rerun(args)
    if args.run_id is not None:
        raise InputError("goes with --from DIR (a sweep's folder)", field="--run-id")
    config = load_config(args, args.scenario, "--scenario")
    seeds = seeds_from(args)
    out = output_folder(args.out, f"results/{config.name}")
    return write_runs(args, config, [(run_id, seed) for run_id, seed in enumerate(seeds)], out)


def rerun(args) -> int:
    """``run --from DIR --run-id I``: run I of the sweep in DIR again, alone, with all its tables."""
    given = [name for name, value in (("--scenario", args.scenario != cfg.DEFAULT_SCENARIO), ("--seed", args.seed),
                                      ("--months", args.months), ("--scale", args.scale), ("--set", args.set))
             if value not in (None, False, [])]
    if given:
        raise InputError(f"takes the run's scenario and seed from the sweep; leave out {given[0]}", field="--from")
    if args.run_id is None:
        raise InputError("give the run to reproduce: --run-id I (see the sweep's runs.csv)", field="--run-id")
    from sim import batch

    folder = Path(args.from_folder)
    task = batch.task_from_folder(folder, args.run_id)
    config = batch.task_config(task)
    out = output_folder(args.out, f"results/{folder.name}_run{args.run_id}")
    return write_runs(args, config, [(task.run_id, task.seed)], out)


def write_runs(args, config: cfg.Config, runs: list, out: Path) -> int:
    """Simulate each (run id, seed) of ``config`` into ``out`` (staged: replaced whole on success)."""
    import pandas as pd  # (the numerical stack once the input is known to be good: errors answer at once)

    from sim.io import RunWriter, describe_runs, staged_output, write_parquet
    from sim.runner import run, seed_fields

    started = datetime.now(UTC)
    finals = []
    with staged_output(out) as staging:
        writer = RunWriter(staging)
        with progress_bar(len(runs) * config.run.months, config.name) as bar:
            for run_id, seed in runs:
                result = run(config, seed, run_id=run_id, on_month=lambda: bar.update(1))
                writer.write(result)
                finals.append(result.model.tail(12).mean(numeric_only=True))
        seeds = [seed if isinstance(seed, int) else seed_fields(seed) for _, seed in runs]
        describe_runs(staging, config, started, seeds, config.run.months,
                      **({"from": str(args.from_folder), "run_id": args.run_id} if args.from_folder else {}))
        if args.format == "parquet":
            write_parquet(staging)
    if not args.quiet:
        print(summary_table(config, pd.DataFrame(finals), len(runs), out))
    return 0


def summary_table(config: cfg.Config, finals: pd.DataFrame, n_seeds: int, out: Path) -> str:
    """Headline figures averaged over the last 12 months of each run: mean and range over seeds."""
    months = config.run.months
    n = max(map(shown_width, [label(col) for col in HEADLINE]))
    lines = [f"{config.name}: {n_seeds} seed(s) × {months} months at scale {config.run.scale} → {out}/",
             f"{left('last 12 months, average', n)} {'mean':>12} {'min':>12} {'max':>12}"]
    for col in HEADLINE:
        values = finals[col].astype(float)
        lines.append(f"{left(label(col), n)} {fmt(values.mean()):>12} {fmt(values.min()):>12} {fmt(values.max()):>12}")
    return "\n".join(lines)


def cmd_compare(args) -> int:
    base = load_config(args, args.base, "BASE")
    other = load_config(args, args.other, "OTHER")
    if base.name == other.name:
        raise InputError(f"both scenarios are named {base.name!r}; give the second a different name",
                         field="OTHER")
    seeds = list(range(args.seeds))
    out = output_folder(args.out, f"results/{other.name}_vs_{base.name}")
    import pandas as pd  # (the numerical stack once the input is known to be good: errors answer at once)

    from sim import analysis, comparison
    from sim.io import metadata, staged_output, write_csv, write_json, write_parquet

    alone = [comparison.one_lever(base, other, lever) for lever in comparison.changed_levers(base, other)] \
        if args.contributions else []
    started = datetime.now(UTC)
    with staged_output(out) as staging:
        results = run_on_common_seeds((base, other, *alone), seeds, staging, f"{other.name} vs {base.name}")
        frames = [{name: pd.concat([r.frames[name] for r in rs]) for name in comparison.TABLE_OF.values()}
                  for rs in results]
        (b_model, b_zones), (o_model, o_zones) = ((f["model"], f["zones"]) for f in frames[:2])
        table = analysis.compare(b_model, b_zones, o_model, o_zones)
        write_csv(table, staging / "compare.csv")
        write_csv(comparison.differences(frames[0], frames[1]), staging / "differences.csv")
        if alone:
            levers = [config.name.removeprefix(f"{base.name}_with_") for config in alone]
            write_csv(comparison.contributions(frames[0], frames[1], dict(zip(levers, frames[2:], strict=True))),
                      staging / "contributions.csv")
        draw_comparison(table, staging / "figures", (base.name, other.name), [z.key for z in zones_of(base)])
        write_json(staging / "metadata.json", metadata(
            started, scenarios=[base.name, other.name], seeds=seeds, months=base.run.months, scale=base.run.scale,
            config_hash={base.name: base.digest(), other.name: other.digest()}, common_random_numbers=True,
        ))
        if args.format == "parquet":
            write_parquet(staging)
    if not args.quiet:
        rows = [("district", m) for m in COMPARE_HEADLINE]
        rows[1:1] = [(z.key, "jobs_housing_ratio") for z in zones_of(base)]
        rows[len(zones_of(base)) + 2:len(zones_of(base)) + 2] = [(z.key, "self_containment") for z in zones_of(base)]
        print(compare_table(base, other, analysis.headline(b_model, b_zones, o_model, o_zones, rows),
                            len(seeds), out))
    return 0


def run_on_common_seeds(configs: tuple[cfg.Config, ...], seeds: list[int], staging: Path,
                        desc: str) -> list[list]:
    """Each configuration on the same seeds (common random numbers), written to ``staging`` as
    each run ends (run ids: configuration × len(seeds) + seed), with its resolved scenario file;
    the results, configuration by configuration, seed by seed. A comparison writes the aggregate
    tables; the agent panels are ``chancheng run``'s (one scenario, one seed at a time)."""
    from sim.io import RunWriter
    from sim.runner import run

    writer = RunWriter(staging)
    results = [[] for _ in configs]
    with progress_bar(len(seeds) * sum(c.run.months for c in configs), desc) as bar:
        for offset, config in enumerate(configs):
            for seed in seeds:
                result = run(config, seed, run_id=offset * len(seeds) + seed, on_month=lambda: bar.update(1))
                result.frames = {k: v for k, v in result.frames.items() if k not in PANELS}
                writer.write(result)
                results[offset].append(result)
    for config in configs:
        cfg.save(config, staging / f"scenario_{config.name}.toml")
    return results


def output_folder(given: str | None, default: str) -> Path:
    """``--out``, or the command's default folder; a path naming no folder of its own ('', '.',
    '..') is refused."""
    out = Path(default if given is None else given)
    if out.name in ("", ".", ".."):
        raise InputError("give a folder of its own (not empty, '.' or '..')", field="--out", source=str(out))
    if any(len(part.encode(errors="surrogateescape")) > 255 for part in out.parts):
        raise InputError("a folder name is longer than 255 bytes", field="--out", source=str(out)[:60] + "…")
    return out


def zones_of(config: cfg.Config):
    from sim.geography import load_district

    return load_district(config.run.data).zones


def draw_comparison(table: pd.DataFrame, folder: Path, names: tuple[str, str], zones: list[str]) -> None:
    """PNG figures of the main metrics: district ones, and the jobs–housing ratio of each zone."""
    from sim import plots

    folder.mkdir()
    lang = plots.setup()
    for metric in COMPARE_FIGURES:
        plots.save(plots.compare_metric(table, metric, "district", names, lang)[0], folder / f"{metric}.png")
    for zone in zones:
        fig, _ = plots.compare_metric(table, "jobs_housing_ratio", zone, names, lang)
        plots.save(fig, folder / f"jobs_housing_ratio_{zone}.png")


def compare_table(base: cfg.Config, other: cfg.Config, table: pd.DataFrame, n_seeds: int, out: Path) -> str:
    names = [label(row.metric) + ("" if row.area == "district" else f" · {row.area}") for row in table.itertuples()]
    n = max(map(shown_width, names))
    lines = [f"{other.name} vs {base.name}: {n_seeds} seed(s) each, the same seeds (common random numbers), "
             f"{base.run.months} months at scale {base.run.scale} → {out}/",
             f"{left('last 12 months, average', n)} {base.name:>14} {other.name:>14}   difference [95% CI]"]
    for name, row in zip(names, table.itertuples(), strict=True):
        ci = "" if missing(row.ci_low) else f" [{signed(row.ci_low)}, {signed(row.ci_high)}]"
        lines.append(f"{left(name, n)} {fmt(row.base_mean):>14} {fmt(row.other_mean):>14}   "
                     f"{signed(row.difference)}{ci}")
    return "\n".join(lines)


def signed(x: float) -> str:
    return "–" if missing(x) else ("+" if x >= 0 else "−") + fmt(abs(x))


def cmd_sweep(args) -> int:
    from sim.design import load_spec

    spec = load_spec(args.spec)
    out = output_folder(args.out, f"results/sweeps/{spec.name}")
    only = args.run or None
    if only and max(only) >= spec.n_runs:
        raise InputError(f"run {max(only)} is not in this sweep; allowed: 0 to {spec.n_runs - 1}", field="--run")
    from sim import batch
    from sim.io import metadata, write_json

    started = datetime.now(UTC)
    with batch.executor_for(args.workers, args.scheduler) as executor, sweep_progress(spec, out, only,
                                                                                      args.resume) as bar:
        outcome = batch.sweep(spec, out, executor, resume=args.resume, only=only, on_result=lambda r: bar.update(1))
    write_json(out / "metadata.json", metadata(
        started, sweep=spec.name, spec_digest=spec.digest, root_seed=spec.seed, runs=spec.n_runs,
        replications=spec.replications, executor=type(executor).__name__, workers=executor.workers,
    ))
    files = ", ".join(f"{t}.csv" for t in ("runs", *spec.tables))
    if args.format == "parquet":
        from sim.io import write_parquet

        files += ", " + ", ".join(write_parquet(out))
    print(f"sweep {spec.name}: {outcome.ok} ok, {outcome.failed} failed"
          + (f", {outcome.skipped} already done" if outcome.skipped else "")
          + f" in {outcome.seconds:.1f} s → {out}/ ({files}, design.csv)")
    return 1 if outcome.failed else 0


def sweep_progress(spec, out: Path, only, resume: bool):
    from tqdm import tqdm

    from sim import batch

    bar = tqdm(total=len(only) if only else spec.n_runs, desc=spec.name, unit="run", disable=not sys.stderr.isatty())
    if resume:
        bar.update(len(batch.finished_runs(out) & set(only or range(spec.n_runs))))
    return bar


def cmd_sensitivity(args) -> int:
    from sim.design import load_spec

    base = load_spec(args.spec)
    import pandas as pd

    from sim import batch, plots, sensitivity
    from sim.io import write_csv

    samples = args.samples or (10 if args.method == "morris" else 64)
    spec, x = sensitivity.design(base, args.method, samples)
    out = output_folder(args.out, f"results/sensitivity/{spec.name}")
    with batch.executor_for(args.workers, args.scheduler) as executor, sweep_progress(spec, out, None,
                                                                                      args.resume) as bar:
        outcome = batch.sweep(spec, out, executor, resume=args.resume, on_result=lambda r: bar.update(1))
    if outcome.failed:
        raise InputError(f"{outcome.failed} run(s) failed; see {out}/runs.csv (the indices need every run)")
    table = sensitivity.indices(spec, args.method, x, pd.read_csv(out / "model.csv"))
    write_csv(table, out / "sensitivity.csv")
    lang = plots.setup()
    (out / "figures").mkdir(exist_ok=True)
    for name in spec.outcomes:
        plots.save(plots.sensitivity_bars(table, name, lang)[0], out / "figures" / f"sensitivity_{name}.png")
    print(f"sensitivity ({args.method}, {spec.n_runs} runs, {outcome.seconds:.0f} s) → {out}/sensitivity.csv")
    key = "mu_star" if args.method == "morris" else "ST"
    for name in spec.outcomes:
        ranked = table[table["outcome"] == name].sort_values(key, ascending=False)
        print(f"  {label(name)}: " + ", ".join(f"{r.factor} {getattr(r, key):.3g}" for r in ranked.itertuples()))
    return 0


def cmd_optimize(args) -> int:
    from sim import optimize

    problem = optimize.load_problem(args.spec)
    out = output_folder(args.out, f"results/optimize/{problem.name}")
    from sim import batch

    with batch.executor_for(args.workers, args.scheduler) as executor:
        pareto = optimize.optimize(problem, executor, out, resume=args.resume, say=print)
    print(optimize.summary(problem, pareto))
    return 0


def cmd_discover(args) -> int:
    from sim import discovery

    found = discovery.discover(Path(args.folder), args.outcome, below=args.below, above=args.above,
                               months=args.months)
    out = discovery.write(found, Path(args.out) if args.out else None)
    print(discovery.summary(found))
    print(f"→ {out}/ (boxes.csv, discovery.json, figures/)")
    return 0


def read_results(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """runs.csv and model.csv of an output folder, and what groups its runs (policy, design point or scenario)."""
    from sim.io import read_table

    if not (folder / "runs.csv").exists() or not (folder / "model.csv").exists():
        raise InputError("holds no runs.csv and model.csv; give a folder chancheng wrote", source=str(folder))
    runs = read_table(folder / "runs.csv", ("run_id", "status"))
    # (a policies × scenarios sweep by policy: each over its scenarios and seeds)
    by = "policy" if "policy" in runs.columns else "point" if "point" in runs.columns else "scenario"
    if by not in runs.columns:
        raise InputError("has neither a point nor a scenario column; give a folder chancheng wrote",
                         source=str(folder / "runs.csv"))
    model = read_table(folder / "model.csv", ("run_id", "month"))
    if not model["run_id"].isin(runs.loc[runs["status"] == "ok", "run_id"]).any():
        raise InputError("has no rows of a finished run (runs.csv status ok); nothing to summarize",
                         source=str(folder / "model.csv"))
    marker = folder / "sweep.json"
    if marker.exists():  # an unfinished sweep: say so, the summary covers only what ran
        try:
            planned = json.loads(read_bounded(marker, JSON_LIMIT).decode("utf-8")).get("runs")
        except (ValueError, AttributeError, InputError):
            planned = None
        if isinstance(planned, int) and len(runs) < planned:
            print(f"note: {folder} holds {len(runs)} of the sweep's {planned} runs (add --resume to the sweep "
                  "to finish it)", file=sys.stderr)
    return runs, model, by


def cmd_summarize(args) -> int:
    from sim import analysis
    from sim.io import read_table, write_csv

    folder = Path(args.folder)
    runs, model, by = read_results(folder)
    table = analysis.summarize(model, runs, by)
    if by == "point" and (folder / "design.csv").exists():
        table = read_table(folder / "design.csv", ("point",)).merge(table, on="point")
    write_csv(table, folder / "summary.csv")
    print(f"summary of {runs['status'].eq('ok').sum()} ok runs by {by} → {folder}/summary.csv")
    return 0


def cmd_plot(args) -> int:
    from sim import analysis, plots
    from sim.geography import load_district
    from sim.io import read_table

    folder = Path(args.folder)
    # Everything is read and checked before the first figure is drawn: no half-drawn folder.
    runs, model, by = read_results(folder)
    ok = runs.loc[runs["status"] == "ok", ["run_id", by]]
    model = model.drop(columns=[by], errors="ignore").merge(ok, on="run_id")
    streets = district = sensitivity = None
    if (folder / "streets.csv").exists():
        streets = read_table(folder / "streets.csv", ("run_id", "month", "street", "sub_area"))
        streets = analysis.last_months(streets.drop(columns=[by], errors="ignore").merge(ok, on="run_id"))
        district = load_district(runs_data_file(folder))
    if (folder / "sensitivity.csv").exists():
        sensitivity = read_table(folder / "sensitivity.csv", ("outcome", "factor", "method"))
    lang = plots.setup()
    figures = folder / "figures"
    figures.mkdir(exist_ok=True)
    written = []
    for metric in COMPARE_FIGURES:
        fig, _ = plots.time_series(analysis.band(model, metric, by), metric, by, lang)
        plots.save(fig, figures / f"series_{metric}.png")
        written.append(f"series_{metric}.png")
    if streets is not None:
        # A map per scenario when a folder holds a few; the average over all design points otherwise.
        groups = list(streets[by].unique()) if by == "scenario" and streets[by].nunique() <= 4 else [None]
        for metric in ("jobs_housing_ratio", "self_containment", "mean_commute_min", "rent_index"):
            for group in groups:
                rows = streets if group is None else streets[streets[by] == group]
                suffix = "" if group is None else f"_{group}"
                title = label(metric, lang) + f" — {group or 'all runs'}, last 12 months"
                fig, _ = plots.street_map(rows.groupby("sub_area")[metric].mean(), district, metric, lang, title)
                plots.save(fig, figures / f"map_{metric}{suffix}.png")
                written.append(f"map_{metric}{suffix}.png")
    if sensitivity is not None:
        for name in sensitivity["outcome"].unique():
            plots.save(plots.sensitivity_bars(sensitivity, name, lang)[0], figures / f"sensitivity_{name}.png")
            written.append(f"sensitivity_{name}.png")
    print(f"{len(written)} figures → {figures}/")
    return 0


def cmd_brief(args) -> int:
    """A one- or two-page PDF brief of a comparison folder (sim.brief), written atomically."""
    from sim import brief

    folder = Path(args.folder)
    brief.check(folder, args.lang)
    out = Path(args.out) if args.out else folder / ("brief.pdf" if args.lang == "zh" else f"brief_{args.lang}.pdf")
    if out.is_dir():
        raise InputError("is a folder; give the PDF's file name", field="--out", source=str(out))
    if not out.parent.is_dir():
        raise InputError("its folder does not exist; create it or give another path", field="--out", source=str(out))
    from sim.io import write_atomically

    pdf = brief.render(folder, args.lang)
    write_atomically(out, lambda tmp: tmp.write_bytes(pdf))
    print(f"brief ({args.lang}) → {out}")
    return 0


def runs_data_file(folder: Path):
    """The district data file the runs in a folder used (from its saved scenario)."""
    saved = sorted(folder.glob("scenario*.toml"))
    return cfg.load(saved[0]).run.data if saved else ""


def cmd_validate(args) -> int:
    """Run baseline_2018 and reform_2019 on the same seeds and check the targets (sim.validation)."""
    from sim import validation
    from sim.io import metadata, staged_output, write_csv, write_json

    base = cfg.with_run(cfg.resolve("baseline_2018"), months=args.months, scale=args.scale)
    reform = cfg.with_run(cfg.resolve("reform_2019"), months=args.months, scale=args.scale)
    seeds = list(range(args.seeds))
    out = output_folder(args.out, "results/validation")
    started = datetime.now(UTC)
    with staged_output(out) as staging:
        baseline_runs, reform_runs = run_on_common_seeds((base, reform), seeds, staging, "validate")
        pairs = [(b.frames, r.frames) for b, r in zip(baseline_runs, reform_runs, strict=True)]
        table = validation.evaluate(pairs, validation.targets(reform))
        write_csv(table, staging / "validation.csv")
        write_json(staging / "metadata.json", metadata(started, scenarios=[base.name, reform.name], seeds=seeds,
                                                       months=base.run.months, scale=base.run.scale))
    print(f"validation: {len(seeds)} seeds of baseline_2018 and reform_2019, {base.run.months} months at scale "
          f"{base.run.scale} → {out}/validation.csv")
    for kind, heading in (("check", "CHECKS — what the scenario put in arrives (accounting, not evidence)"),
                          ("fit", "CALIBRATION FIT — the goals the parameters were fitted to"),
                          ("validation", "VALIDATION — figures not fitted and not given as input"),
                          ("claim", "CLAIMS TESTED — the source article's directions for its own reform")):
        rows = table[table["kind"] == kind]
        print(f"\n{heading}: {int(rows['passed'].sum())} of {len(rows)} met")
        print(f"  {'row':<72} {'simulated [95% CI]':>28}  {'target':<30} result")
        for row in rows.itertuples():
            ci = "" if missing(row.ci_low) else f" [{fmt(row.ci_low)}, {fmt(row.ci_high)}]"
            print(f"  {row.what[:72]:<72} {fmt(row.simulated_mean) + ci:>28}  {row.target_value[:30]:<30} "
                  f"{"PASS" if row.passed else "FAIL"}")
    failed = table[~table["passed"]]
    for row in failed.itertuples():
        print(f"  FAIL {row.kind} {row.target}: would need {row.if_failed}")
    print(f"{len(table) - len(failed)} of {len(table)} rows met")
    return 0


def cmd_calibrate(args) -> int:
    """Screen every behavioural parameter, then ABC-SMC on the influential ones (sim.calibration)."""
    import shutil

    from sim import batch, calibration, plots
    from sim.errors import InputError
    from sim.io import metadata, staged_output, write_csv, write_json

    settings = calibration.Settings(seeds=args.seeds, months=args.months, scale=args.scale,
                                    trajectories=args.trajectories, population=args.population,
                                    generations=args.generations, seed=args.seed, threshold=args.threshold)
    base = cfg.resolve("baseline_2018")
    out = output_folder(args.out, "results/calibration")
    work = out.parent / f".{out.name}.unfinished"
    wanted = {"settings": settings.__dict__, "base": base.digest()}
    if work.exists():
        held = json.loads((work / "settings.json").read_text()) if (work / "settings.json").exists() else None
        if not args.resume:
            raise InputError("holds an unfinished calibration; add --resume to finish it, or remove the folder",
                             source=str(work), field="--out")
        if held != wanted:
            raise InputError(f"holds a calibration with other settings ({held}); remove the folder or give the same "
                             "settings", source=str(work), field="--resume")
    else:
        work.mkdir(parents=True)
        write_json(work / "settings.json", wanted)
    started = datetime.now(UTC)
    with batch.executor_for(args.workers, args.scheduler) as executor:
        result = calibration.calibrate(base, settings, work, executor, resume=args.resume, say=print)
    with staged_output(out) as staging:
        for name in ("priors", "screening", "posterior", "generations", "predictive", "parameters", "pairs"):
            write_csv(getattr(result, name), staging / f"{name}.csv")
        scenario = base.run
        cfg.save(cfg.with_run(result.fitted, months=scenario.months, scale=scenario.scale), staging / "calibrated.toml")
        lang = plots.setup()
        (staging / "figures").mkdir()
        names = list(result.parameters["parameter"])
        plots.save(plots.posterior_marginals(result.posterior, result.parameters, lang)[0],
                   staging / "figures" / "posterior_marginals.png")
        plots.save(plots.posterior_pairs(result.posterior, names, lang)[0], staging / "figures" / "posterior_pairs.png")
        for name in ("screening_runs.csv", "abc.db"):
            shutil.copy2(work / name, staging / name)
        write_json(staging / "metadata.json", metadata(started, scenarios=[base.name], settings=settings.__dict__,
                                                       workers=executor.workers, executor=type(executor).__name__))
    shutil.rmtree(work)
    print(f"calibration → {out}/: {len(result.posterior)} accepted sets")
    gens = result.generations
    for row in gens.itertuples():
        print(f"  generation {row.generation}: threshold {row.epsilon:.3g}, {row.evaluations} evaluations "
              f"(acceptance {row.acceptance:.2f})")
    print(f"{'parameter':<32} {'prior':>18} {'posterior median [90%]':>30} {'central':>10}  note")
    for row in result.parameters.itertuples():
        note = f"at its {row.at_bound} bound" if row.at_bound else ""
        interval = f"{row.median:.4g} [{row.p05:.4g}, {row.p95:.4g}]"
        print(f"{row.parameter:<32} {f'[{row.prior_low:.4g}, {row.prior_high:.4g}]':>18} {interval:>30} "
              f"{result.central[row.parameter]:>10.4g}  {note}")
    for row in result.pairs[result.pairs["trade_off"]].itertuples():
        print(f"  trade off: {row.parameter_a} and {row.parameter_b} (r = {row.correlation:+.2f})")
    print(f"{'goal':<28} {'target':>10} {'posterior median [90%]':>32}")
    for row in result.predictive.itertuples():
        print(f"{row.goal:<28} {fmt(row.target):>10} {f'{fmt(row.median)} [{fmt(row.p05)}, {fmt(row.p95)}]':>32}"
              f"{'  (held out)' if row.held_out else ''}")
    return 0


def cmd_robustness(args) -> int:
    """Each lever alone and the package against the baseline over the posterior × seeds (sim.robustness)."""
    from sim import batch, calibration, plots, robustness
    from sim.io import metadata, write_csv, write_json

    settings = robustness.Settings(sets=args.sets, seeds=args.seeds, months=args.months, scale=args.scale,
                                   seed=args.seed)
    priors = calibration.prior()
    path = Path(args.posterior) if args.posterior else robustness.POSTERIOR
    posterior = robustness.read_posterior(path, priors)
    sets = robustness.parameter_sets(posterior, priors, settings)
    spec = robustness.spec(settings, sets)
    out = output_folder(args.out, "results/robustness")
    runs = out / "runs"
    executor = batch.executor_for(args.workers, args.scheduler)
    started = datetime.now(UTC)
    print(f"robustness: {len(robustness.scenarios())} scenarios × {settings.sets} parameter sets × {settings.seeds} "
          f"seeds = {spec.n_runs} runs of {settings.months} months at scale {settings.scale} "
          f"on {executor.workers} worker(s) → {out}/")
    with executor, sweep_progress(spec, runs, None, args.resume) as bar:
        outcome = batch.sweep(spec, runs, executor, resume=args.resume, on_result=lambda r: bar.update(1))
    if outcome.failed:
        print(f"{outcome.failed} runs failed (runs/runs.csv says why); no conclusions written")
        return 1
    effects = robustness.effects(robustness.outcomes(runs, settings))
    table = robustness.conclusions(effects, sets)
    write_csv(sets, out / "sets.csv")
    write_csv(effects, out / "effects.csv")
    lang = plots.setup()
    (out / "figures").mkdir(exist_ok=True)
    for area, metric in robustness.HEADLINES:
        fig, _ = plots.robustness_strips(effects, table, area, metric, lang)
        plots.save(fig, out / "figures" / f"robustness_{metric if area == 'district' else area + '_' + metric}.png")
    write_csv(table, out / "conclusions.csv")
    write_json(out / "metadata.json", metadata(started, settings=settings.__dict__, posterior=str(path),
                                               runs=spec.n_runs, executor=type(executor).__name__,
                                               workers=executor.workers, seconds=outcome.seconds))
    print(f"{outcome.ok} runs in {outcome.seconds:.0f} s" + (f" ({outcome.skipped} already done)" if outcome.skipped
                                                           else ""))
    print(f"{'lever':<20} {'outcome':<38} {'median [90%]':>30} {'sign holds':>10}  fails where")
    for row in table.itertuples():
        name = row.metric if row.area == "district" else f"{row.area} {row.metric}"
        print(f"{row.lever:<20} {name:<38} {f'{fmt(row.median)} [{fmt(row.p05)}, {fmt(row.p95)}]':>30} "
              f"{row.sign_share:>10.0%}  {row.failure_region}")
    return 0


def cmd_app(args) -> int:
    """Serve the web page (Solara) after making sure its front-end files are cached locally."""
    import socket

    from sim.ui import assets, server

    if not args.host:
        raise InputError("give an address: 127.0.0.1 (this computer) or 0.0.0.0 (the intranet)", field="--host")
    try:  # the server's own failure to listen would be a log line of uvicorn's
        with socket.create_server((args.host, args.port)):
            pass
    except OSError as exc:
        raise InputError(f"cannot listen on {args.host}:{args.port} ({exc.strerror or exc})",
                         field="--host/--port") from None
    if assets.missing():
        try:
            assets.fill()
        except RuntimeError as exc:
            print(f"chancheng app: warning: {exc}; without these files the page needs internet to render",
                  file=sys.stderr)
    print(f"chancheng app: http://{args.host}:{args.port}/  (Ctrl-C stops it)", file=sys.stderr)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print("chancheng app: note: anyone who can reach this port can use the page, and read /readyz and "
              "/resourcez (server statistics: sessions, threads, memory; no scenario or result); see the README, "
              "Serving on an intranet", file=sys.stderr)
    os.execv(sys.executable, server.command(args.host, args.port))
    return 0  # not reached: the server replaces this process


def cmd_scenarios(args) -> int:
    """List the built-in scenarios, every lever with unit, range, default and reform figure, and the uncertainties."""
    out = ["Built-in scenarios (experiments/scenarios/; run with --scenario NAME):"]
    for name, path in cfg.builtin_scenarios().items():
        out.append(f"  {name:<26} {cfg.load(path).description}")
    out += ["", "LEVERS — what decision-makers control. In a file: [levers.NAME] FIELD = VALUE; "
                "on the command line: --set NAME.FIELD=VALUE"]
    for group, english in GROUPS.items():
        out.append(f"\n{group} {english}")
        for name, cls in LEVERS.items():
            if cls.group != group:
                continue
            out.append(f"  {name}  {cls.label} — {cls.label_en}")
            out.append(f"      {cls.mechanism}")
            out += [_param_line(field, kind, spec, default) for field, kind, spec, default in specs(cls)]
    out += ["", "UNCERTAINTIES — behavioural parameters nobody controls (defaults: the posterior's central set of "
            "`chancheng calibrate` for the screened-in ones, assumptions for the rest). "
            "In a file: [uncertainties]; on the command line: --set uncertainties.FIELD=VALUE"]
    out += [_param_line(f, k, s, d) for f, k, s, d in specs(cfg.Uncertainties)]
    out += ["", "RUN — [run] or --set run.FIELD=VALUE (or --months, --scale)"]
    out += [_param_line(f, k, s, d) for f, k, s, d in specs(cfg.RunSettings)]
    print("\n".join(out))
    return 0


def _param_line(field: str, kind: str, spec, default) -> str:
    reform = "" if spec.reform is None else f"  reform_2019: {_toml_value(spec.reform)}"
    source = f" ({spec.source})" if spec.source else ""
    allowed = spec.allowed(kind)
    return (f"    {field:<24} {allowed:<42} default: {_toml_value(default)}{reform}\n"
            f"{'':<30}{spec.doc}{source}")


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    if isinstance(value, float):
        return f"{value:.4g}"
    return f'"{value}"' if isinstance(value, str) else str(value)


def shown_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def left(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (``str.ljust`` counts a Chinese character as one)."""
    return text + " " * max(width - shown_width(text), 0)


def missing(x) -> bool:
    """An empty cell: None or NaN."""
    return x is None or x != x


def fmt(x: float) -> str:
    if missing(x):
        return "–"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3f}" if abs(x) < 10 else f"{x:.1f}"


def format_option(p) -> None:
    p.add_argument("--format", choices=("csv", "parquet"), default="csv",
                   help="parquet: also write each table as Parquet (the same tables; the CSV files stay)")


def executor_options(p) -> None:
    """--workers or --scheduler: where a command's runs go (sim.batch.executor_for)."""
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=whole(0, 1024),
                       help="local worker processes (default: one per core; 0 runs in this process)")
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", help="run on a Dask cluster at this scheduler")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="chancheng", description="产城融合 simulator of Chenghua District, Chengdu")
    parser.add_argument("--version", action="version", version="%(prog)s " + _version())
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = sub.add_parser("run", help="run a scenario over one or more seeds and write CSV outputs")
    p.add_argument("--scenario", default=cfg.DEFAULT_SCENARIO,
                   help=f"built-in scenario name or a .toml file (default {cfg.DEFAULT_SCENARIO})")
    add_run_options(p)
    seeds = p.add_mutually_exclusive_group()
    seeds.add_argument("--seeds", type=whole(1, 10000), default=1, help="run seeds 0..N-1 (default 1)")
    seeds.add_argument("--seed", type=whole(0), help="run this one seed")
    p.add_argument("--from", dest="from_folder", metavar="DIR",
                   help="reproduce a run of the sweep in DIR (with --run-id): its scenario, point and seed")
    p.add_argument("--run-id", type=whole(0), metavar="I", help="with --from: the run (runs.csv's run_id)")
    p.add_argument("--out", help="output folder (default results/<scenario>); replaced as a whole on success")
    format_option(p)
    p.add_argument("--quiet", action="store_true", help="no summary table")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("compare", help="run two scenarios on the same seeds and compare them with 95%% CIs")
    p.add_argument("base", help="the reference scenario (name or .toml)")
    p.add_argument("other", help="the scenario to compare with it (name or .toml)")
    add_run_options(p)
    p.add_argument("--seeds", type=whole(2, 10000), default=5, help="seeds 0..N-1 for both (default 5, at least 2)")
    p.add_argument("--contributions", action="store_true",
                   help="also run BASE with each lever family of OTHER alone (same seeds): contributions.csv")
    p.add_argument("--out", help="output folder (default results/<other>_vs_<base>)")
    format_option(p)
    p.add_argument("--quiet", action="store_true", help="no headline table")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("sweep", help="run a sweep spec (design × replications), streaming rows to CSV")
    p.add_argument("spec", help="sweep spec (.toml), e.g. experiments/sweeps/smoke.toml")
    p.add_argument("--out", help="output folder (default results/sweeps/<name>)")
    executor_options(p)
    p.add_argument("--resume", action="store_true", help="finish a sweep in --out, skipping runs already done")
    p.add_argument("--run", type=whole(0), action="append", metavar="RUN_ID",
                   help="run only this run id (repeatable): re-run one run alone, with its own seed")
    format_option(p)
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("sensitivity", help="Morris or Sobol sensitivity of outcomes to the spec's factor ranges")
    p.add_argument("spec", help="sweep spec whose factors are ranges, e.g. experiments/sweeps/sensitivity.toml")
    p.add_argument("--method", choices=sensitivity_methods(), default="morris")
    p.add_argument("--samples", type=whole(2, 100000),
                   help="Morris trajectories (default 10) or Sobol base samples, a power of 2 (default 64)")
    p.add_argument("--out", help="output folder (default results/sensitivity/<name>_<method>)")
    executor_options(p)
    p.add_argument("--resume", action="store_true", help="finish an interrupted analysis in --out")
    p.set_defaults(func=cmd_sensitivity)

    p = sub.add_parser("optimize", help="search lever mixes (NSGA-II) for the objectives and budget of a spec, "
                                        "over its scenarios: the Pareto set")
    p.add_argument("spec", help="optimisation spec (.toml), e.g. experiments/optimize/lever_mix.toml")
    p.add_argument("--out", help="output folder (default results/optimize/<name>)")
    executor_options(p)
    p.add_argument("--resume", action="store_true",
                   help="finish (or, with more generations in the spec, continue) the search in --out")
    p.set_defaults(func=cmd_optimize)

    p = sub.add_parser("discover", help="scenario discovery: PRIM boxes of the factors where an outcome falls "
                                        "below or rises above a threshold, over a sweep's runs")
    p.add_argument("folder", help="a sweep's output folder (chancheng sweep)")
    p.add_argument("--outcome", required=True, help="a district measure of model.csv, e.g. jobs_housing_ratio")
    side = p.add_mutually_exclusive_group(required=True)
    side.add_argument("--below", type=float, metavar="X", help="cases of interest: outcome below X")
    side.add_argument("--above", type=float, metavar="X", help="cases of interest: outcome above X")
    p.add_argument("--months", type=whole(1, 600), default=12,
                   help="the outcome is each run's mean over its last N months (default 12)")
    p.add_argument("--out", help="output folder (default DIR/discovery_<outcome>)")
    p.set_defaults(func=cmd_discover)

    p = sub.add_parser("summarize", help="summary.csv: mean, sd and 95%% CI per design point, policy or scenario")
    p.add_argument("folder", help="a folder written by run, compare, sweep or sensitivity")
    p.set_defaults(func=cmd_summarize)

    p = sub.add_parser("plot", help="PNG figures: series with CI bands, street maps, sensitivity bars")
    p.add_argument("folder", help="a folder written by run, compare, sweep or sensitivity")
    p.set_defaults(func=cmd_plot)

    p = sub.add_parser("brief", help="a one- or two-page PDF brief of a comparison (Chinese, or English)")
    p.add_argument("folder", help="a folder chancheng compare wrote")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language (default zh)")
    p.add_argument("--out", help="the PDF (default DIR/brief.pdf, or DIR/brief_en.pdf in English)")
    p.set_defaults(func=cmd_brief)

    p = sub.add_parser("validate", help="check baseline_2018 and reform_2019 against the source's figures")
    p.add_argument("--seeds", type=whole(2, 1000), default=5, help="seeds 0..N-1 for both (default 5)")
    p.add_argument("--months", type=whole(1, 600), help="horizon (default: the scenarios', 120)")
    p.add_argument("--scale", type=whole(1, 1000), help="persons per row (default: the scenarios', 10)")
    p.add_argument("--out", help="output folder (default results/validation)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("calibrate", help="a posterior of the behavioural parameters: Morris screening, then ABC-SMC")
    from sim.settings import CalibrationSettings, RobustnessSettings

    d = CalibrationSettings()
    p.add_argument("--seeds", type=whole(1, 100), default=d.seeds, help=f"common seeds in every evaluation "
                   f"(default {d.seeds})")
    p.add_argument("--months", type=whole(14, 600), default=d.months,
                   help=f"horizon of each run: the goals use the months after the first year (default {d.months})")
    p.add_argument("--scale", type=whole(1, 1000), default=d.scale, help=f"persons per row (default {d.scale})")
    p.add_argument("--trajectories", type=whole(2, 1000), default=d.trajectories,
                   help=f"Morris trajectories for the screening (default {d.trajectories})")
    p.add_argument("--population", type=whole(4, 100000), default=d.population,
                   help=f"accepted sets a generation (default {d.population})")
    p.add_argument("--generations", type=whole(1, 50), default=d.generations,
                   help=f"ABC-SMC generations (default {d.generations})")
    p.add_argument("--seed", type=whole(0, 2**32 - 1), default=d.seed, help="root seed of the design and proposals")
    p.add_argument("--threshold", type=positive, default=d.threshold,
                   help=f"μ*/tolerance a parameter must reach on some goal to be calibrated (default {d.threshold})")
    p.add_argument("--resume", action="store_true", help="finish an interrupted calibration into the same --out")
    p.add_argument("--out", help="output folder (default results/calibration)")
    executor_options(p)
    p.set_defaults(func=cmd_calibrate)

    p = sub.add_parser("robustness", help="conclusions.csv: each lever's effect over the posterior × seeds, its "
                                          "sign share and where it fails (PRIM)")
    r = RobustnessSettings()
    p.add_argument("--sets", type=whole(2, 100000), default=r.sets, help=f"parameter sets (default {r.sets})")
    p.add_argument("--seeds", type=whole(1, 1000), default=r.seeds, help=f"seeds per set (default {r.seeds})")
    p.add_argument("--months", type=whole(13, 600), default=r.months, help=f"horizon (default {r.months})")
    p.add_argument("--scale", type=whole(1, 1000), default=r.scale, help=f"persons per row (default {r.scale})")
    p.add_argument("--seed", type=whole(0, 2**32 - 1), default=r.seed, help="root seed of the sets and runs")
    p.add_argument("--posterior", help="posterior.csv of a calibration (default: the one shipped in sim/data)")
    p.add_argument("--resume", action="store_true", help="finish an interrupted run into the same --out")
    p.add_argument("--out", help="output folder (default results/robustness)")
    executor_options(p)
    p.set_defaults(func=cmd_robustness)

    p = sub.add_parser("app", help="serve the web page for officials (Chinese, with an English switch)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1; 0.0.0.0 to serve an intranet)")
    p.add_argument("--port", type=whole(1, 65535), default=8765, help="port (default 8765)")
    p.set_defaults(func=cmd_app)

    p = sub.add_parser("scenarios", help="list built-in scenarios, every lever and every uncertainty")
    p.set_defaults(func=cmd_scenarios)
    return parser


def sensitivity_methods() -> tuple[str, ...]:
    return ("morris", "sobol")


def _version() -> str:
    from importlib.metadata import version

    return version("chancheng")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)  # the terminal closed
    try:
        return args.func(args)
    except InputError as exc:
        print(f"chancheng {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`chancheng scenarios | head -1`): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (KeyboardInterrupt, SystemError) as exc:
        # (an interrupt that lands as a compiled loop returns comes out as a SystemError caused by it)
        if not _interrupted(exc):
            raise
        kept = ("; the finished runs are kept: add --resume to finish" if args.command in ("sweep", "sensitivity")
                else "; nothing written")
        print(f"chancheng {args.command}: interrupted{kept}", file=sys.stderr)
        return 130
    except OSError as exc:  # a folder that cannot be created, a full or read-only disk …
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"chancheng {args.command}: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1


def _terminate(signum, frame):
    raise KeyboardInterrupt


def _interrupted(exc: BaseException | None) -> bool:
    """Whether ``exc`` is an interrupt or was caused by one."""
    while exc is not None:
        if isinstance(exc, KeyboardInterrupt):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


if __name__ == "__main__":
    sys.exit(main())
