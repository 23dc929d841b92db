"""Writing results: tidy CSV appended run by run, a metadata sidecar, and safe output folders.

Files are UTF-8 with a byte-order mark, so Excel on a Chinese Windows shows the street names;
pandas reads them with no options. Each run's rows are appended as it finishes — its tables
first, its ``runs.csv`` row last, so a run listed in ``runs.csv`` is complete everywhere.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from sim.config import Config, save
from sim.errors import InputError, named
from sim.outcomes import TABLES
from sim.runner import Result

ENCODING = "utf-8-sig"
# What a command writes into an output folder it replaces as a whole (besides scenario*.toml and
# the PNGs of figures/): a folder holding anything else is not replaced.
OUTPUT_FILES = ("runs.csv", *(f"{t}.csv" for t in TABLES), *(f"{t}.parquet" for t in ("runs", *TABLES)),
                "compare.csv", "differences.csv", "contributions.csv", "brief.pdf", "brief_en.pdf", "summary.csv",
                "validation.csv",
                "priors.csv", "screening.csv", "screening_runs.csv", "posterior.csv", "generations.csv",
                "predictive.csv", "parameters.csv", "pairs.csv", "abc.db", "calibrated.toml", "metadata.json")


def append_csv(path: Path, frame: pd.DataFrame) -> None:
    """Append rows to a CSV file, writing the header (and the byte-order mark) if it is new."""
    new = not path.exists() or path.stat().st_size == 0
    with named(path), open(path, "a", encoding=ENCODING if new else "utf-8", newline="") as fh:
        frame.to_csv(fh, header=new, index=False, lineterminator="\n")
        fh.flush()
        os.fsync(fh.fileno())


class RunWriter:
    """Appends finished runs to the CSV files of one output folder."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def write(self, result: Result) -> None:
        for name in TABLES:
            if name in result.frames:
                append_csv(self.directory / f"{name}.csv", result.frames[name])
        append_csv(self.directory / "runs.csv", pd.DataFrame([result.info]))


def git_commit() -> str:
    """The source checkout's commit, or an empty string outside a git checkout."""
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True,
                             text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def read_table(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """A CSV file chancheng wrote, with at least ``columns``; ``InputError`` naming the file if it
    is missing, unreadable, not a table or lacks one of them."""
    if path.exists() and not path.is_file():
        raise InputError("is not a regular file; give a folder chancheng wrote", source=str(path))
    try:
        table = pd.read_csv(path, encoding=ENCODING)
    except FileNotFoundError:
        raise InputError("no such file; give a folder chancheng wrote", source=str(path)) from None
    except (OSError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc).splitlines()[0]
        raise InputError(f"cannot be read as a table ({reason})", source=str(path)) from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise InputError(f"has no column {missing[0]!r}; give a folder chancheng wrote", source=str(path))
    return table


def describe_runs(folder: Path, config: Config, started: datetime, seeds: list[int], months: int, **extra) -> None:
    """A folder of runs of one scenario: its resolved scenario file (``scenario.toml``, which runs
    again with ``--scenario``) and its provenance (``metadata.json``)."""
    save(config, folder / "scenario.toml")
    write_json(folder / "metadata.json", metadata(
        started, scenario=config.name, seeds=seeds, months=months, scale=config.run.scale,
        config_hash=config.digest(), outputs=["runs.csv", *(f"{t}.csv" for t in TABLES)], **extra))


def metadata(started: datetime, **extra) -> dict:
    """Provenance of an output folder: versions, commit, command line, times, platform."""
    return {
        "package": "chancheng",
        "version": version("chancheng"),
        "git_commit": git_commit(),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {name: version(name) for name in ("mesa", "numpy", "pandas", "scipy")},
        **extra,
    }


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """``write`` a temporary sibling of ``path`` and rename it into place: readers see the old file
    or the whole new one; on failure the temporary file is removed and the error names ``path``."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with named(path):
            write(tmp)
            os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def write_json(path: Path, data: dict) -> None:
    # (a path that is not UTF-8, e.g. in the command line, is written with \x escapes)
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8", errors="backslashreplace"))


def write_parquet(folder: Path) -> list[str]:
    """Parquet copies of the run tables a folder holds (``runs.csv`` and each table's CSV), each
    written atomically; the CSV files stay (they are what a sweep appends to and resumes from).
    Returns the files written."""
    written = []
    for name in ("runs", *TABLES):
        path = folder / f"{name}.csv"
        if not path.exists():
            continue
        frame = pd.read_csv(path, encoding=ENCODING, dtype={"seed_spawn_key": str}, keep_default_na=False,
                            na_values=[""])
        frame["seed_spawn_key"] = frame["seed_spawn_key"].fillna("")
        write_atomically(folder / f"{name}.parquet", lambda tmp, frame=frame: frame.to_parquet(tmp, index=False))
        written.append(f"{name}.parquet")
    return written


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """A whole table, atomically."""
    write_atomically(path, lambda tmp: frame.to_csv(tmp, index=False, encoding=ENCODING, lineterminator="\n"))


def written_by_us(path: Path) -> bool:
    """Whether ``path`` in an output folder is something chancheng writes there."""
    if path.name == "figures" and path.is_dir():
        return all(f.suffix == ".png" and f.is_file() for f in path.iterdir())
    return path.is_file() and (path.name in OUTPUT_FILES or (path.name.startswith("scenario")
                                                            and path.suffix == ".toml"))


def check_output_folder(out: Path) -> None:
    """Refuse a path that is not a new or empty folder, or an earlier output folder of chancheng
    (its metadata.json and only what chancheng writes): nothing of the user's is replaced."""
    if out.exists() and not out.is_dir():
        raise InputError("exists and is not a folder", field="--out", source=str(out))
    if out.is_dir() and any(out.iterdir()):
        foreign = sorted(p.name for p in out.iterdir() if not written_by_us(p))
        if foreign or not (out / "metadata.json").is_file():
            shown = f" ({', '.join(foreign[:3])})" if foreign else " (no metadata.json)"
            raise InputError(f"holds files chancheng did not write{shown}; choose an empty or new folder",
                             field="--out", source=str(out))


def create_folder(path: Path, out: Path) -> None:
    """Create ``path`` (and its parents) for the output folder ``out``, or say why not."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the folder ({exc.strerror})", source=str(out), field="--out") from None


@contextmanager
def staged_output(out: Path) -> Iterator[Path]:
    """Write into a hidden sibling folder and swap it into place only when everything succeeded.

    An interrupted or failed command leaves the previous results (if any) untouched and no
    folder that looks complete.
    """
    out = Path(out)
    check_output_folder(out)
    staging = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    create_folder(staging, out)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        os.replace(out, old)
    os.replace(staging, out)
    shutil.rmtree(old, ignore_errors=True)
