"""One browser session's simulation: its model, its pending lever settings, its reference run.

The page builds one ``Session`` per browser session (never at module level: a module-level model
would be shared by every visitor). Lever changes go into a draft that takes effect on ``reset``;
exports are the same files ``chancheng run`` writes.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim import config as cfg
from sim.errors import InputError, parse_toml
from sim.io import RunWriter, describe_runs
from sim.model import IndustryCityModel
from sim.runner import Result, run_info, run_key, tables

UPLOAD_LIMIT = 64 * 1024  # bytes: a scenario file is a few KB
# The page's own limits, so one visitor cannot take the server's memory or time (a run at scale 10
# takes ~250 MB and ~11 ms a month; at full scale ~450 MB and ~60 ms): uploads may not go finer or
# longer. The command line has no such limits.
PAGE_MIN_SCALE = 10  # persons per row, at least
PAGE_MAX_MONTHS = 240  # months, at most


class Session:
    def __init__(self, scenario: str = "baseline_2018", seed: int = 0):
        self.seed = seed
        self.config = cfg.resolve(scenario)
        self.draft: dict[str, Any] = self.config.to_dict()
        self.reference: tuple[str, dict[str, pd.DataFrame]] | None = None
        self.build()

    # -------------------------------------------------------------- the run
    def build(self) -> None:
        self.model = IndustryCityModel(self.config, self.seed)
        self.started = datetime.now(UTC)

    @property
    def month(self) -> int:
        return self.model.steps

    @property
    def finished(self) -> bool:
        return self.model.steps >= self.config.run.months

    def step(self) -> bool:
        """Advance one month; False at the horizon."""
        if self.finished:
            return False
        self.model.step()
        return True

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every table of the run so far, as ``chancheng run`` writes them (for export)."""
        return tables(self.model, run_key(self.config, 0, self.seed))

    def series(self) -> dict[str, pd.DataFrame]:
        """The model and zone series of the run so far."""
        rec = self.model.recorder
        return {"model": pd.DataFrame(rec.model_rows), "zones": pd.DataFrame(rec.zone_rows)}

    def live_frames(self) -> dict[str, pd.DataFrame]:
        """What the page draws each month: the series, and the streets in the latest month only
        (all the tables would cost ~10 ms a month by month 120, mostly streets)."""
        streets = self.model.recorder.street_rows[-self.model.district.n_streets:]
        return {**self.series(), "streets": pd.DataFrame(streets)}

    def panel_people(self) -> list[int]:
        """The sampled persons (``persons.csv``) living in the district now, the most eventful
        lives first (ties by id): the people the page can follow."""
        blocks = self.model.recorder.person_rows
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
        for block in self.model.recorder.person_rows:
            ids = block["person"]
            if person in ids:
                i = ids.index(person)
                rows.append({name: values[i] for name, values in block.items()})
        return pd.DataFrame(rows)

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
        """Apply the pending settings and start again at month 0 (raises ``InputError`` if invalid)."""
        self.config = self.draft_config()
        self.draft = self.config.to_dict()
        self.build()

    @staticmethod
    def check_upload_size(filename: str, size: int) -> None:
        """Refuse a file larger than ``UPLOAD_LIMIT`` from the size the browser reports, before any
        of its bytes is sent."""
        if size > UPLOAD_LIMIT:
            raise InputError(f"too large ({size:,} bytes; allowed: at most {UPLOAD_LIMIT // 1024} KB)",
                             source=filename, zh=f"文件过大（{size:,} 字节；允许：最多 {UPLOAD_LIMIT // 1024} KB）")

    def load_upload(self, filename: str, data: bytes) -> cfg.Config:
        """A scenario file from the browser: parsed as data only (never executed), size-limited,
        within the page's limits (``PAGE_MIN_SCALE``, ``PAGE_MAX_MONTHS``)."""
        self.check_upload_size(filename, len(data))
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
        self.draft = config.to_dict()
        return config

    # -------------------------------------------------------------- reference and exports
    def pin(self) -> None:
        """Keep the run so far as the reference the page compares with."""
        self.reference = (self.config.name, self.series())

    def unpin(self) -> None:
        self.reference = None

    def scenario_toml(self) -> str:
        """The pending lever settings as a scenario file ``chancheng run --scenario`` accepts."""
        return self.draft_config().to_toml()

    def export_zip(self) -> bytes:
        """This run so far as the files ``chancheng run`` writes, zipped."""
        key = run_key(self.config, 0, self.seed)
        info = run_info(self.config, key, status="ok", error="", wall=0.0)
        info["months"] = self.month  # the months actually simulated
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            RunWriter(folder).write(Result(info, self.frames()))
            describe_runs(folder, self.config, self.started, [self.seed], self.month, command="web page (app.py)")
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in sorted(folder.iterdir()):
                    archive.write(path, path.name)
        return buffer.getvalue()
