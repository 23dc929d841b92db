"""Scenario configuration: run settings, levers and uncertainties — typed, validated, TOML in and out.

A scenario file names only what differs from the defaults (the pre-reform state with the
behavioural parameters of ``Uncertainties``); ``save`` writes the full resolved configuration, which loads back to the
same scenario. Every problem is reported as ``InputError`` with the file, the field and what is
allowed.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field, make_dataclass, replace
from pathlib import Path
from typing import Any

import tomli_w

from sim.data import builtin_street_names
from sim.errors import InputError, named, read_toml, shown
from sim.params import build, param, specs, suggest, to_table, unknown
from sim.policies import LEVERS, Lever

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "experiments" / "scenarios"
DEFAULT_SCENARIO = "baseline_2018"


@dataclass(frozen=True)
class RunSettings:
    """How long, how detailed and on which data a run is."""

    months: int = param(120, unit="months", lo=1, hi=600, doc="horizon; month 1 is the start month")
    scale: int = param(10, unit="persons per row", lo=1, hi=1000,
                       doc="persons (and firms) each row stands for; 1 is full scale")
    start: str = param("2019-01", doc="calendar month of month 1, YYYY-MM")
    data: str = param("", doc="district data file; empty for the built-in Chenghua data")
    panel_persons: int = param(500, unit="resident rows", lo=0, hi=10_000_000,
                               doc="residents followed month by month in persons.csv (a random sample; all when "
                                   "there are fewer rows; 0: none)")
    panel_firms: int = param(200, unit="firm rows", lo=0, hi=10_000_000,
                             doc="firms followed month by month in firms.csv (a random sample; all when there are "
                                 "fewer rows; 0: none)")


@dataclass(frozen=True)
class Uncertainties:
    """Behavioural parameters nobody controls: preferences, rates, responses. Every one has a prior
    range (``sim.calibration.prior``); those the screening finds influential on the calibration
    goals have the posterior's central set of ``chancheng calibrate`` as their default, the others
    are assumptions (docs/MODEL.md gives each one's reason)."""

    job_wage_weight: float = param(5.007, unit="utility / log yuan", lo=0.0, hi=20.0,
                                   doc="weight of log wage in job choice")
    job_commute_weight: float = param(0.03846, unit="utility / hour", lo=0.0, hi=20.0,
                                      doc="weight of commute hours in job choice")
    job_offers: int = param(4, unit="vacancies", lo=1, hi=50,
                            doc="vacancies a seeker hears of in a month when it makes contact")
    search_decay: float = param(3.664, unit="per hour", lo=0.0, hi=20.0,
                                doc="how fast the chance of hearing of a vacancy falls with commute hours")
    matching_efficiency: float = param(0.2066, unit="per month", lo=0.0, hi=5.0,
                                       doc="contact chance = efficiency × √(openings / seekers), at most 1")
    external_openings: float = param(0.07174, unit="per labour-force member", lo=0.0, hi=1.0,
                                     doc="openings elsewhere in Chengdu the district's seekers can reach")
    on_the_job_search: float = param(0.03, unit="per month", lo=0.0, hi=1.0,
                                     doc="share of workers looking for a better job")
    separation_rate: float = param(0.005225, unit="per month", lo=0.0, hi=0.2, doc="exogenous job loss")
    switch_cost: float = param(0.3, unit="utility", lo=0.0, hi=10.0, doc="utility a worker gives up to change job")
    reservation_wage: float = param(2000.0, unit="yuan / month", lo=0.0, hi=50000.0,
                                    doc="the least wage an unemployed seeker takes (before taste shocks)")
    incommuter_fill_rate: float = param(0.25, unit="per month", lo=0.0, hi=1.0,
                                        doc="share of open posts non-residents fill a month in the street nearest "
                                            "to all the outside areas, at the city's wage, were every pool free")
    wage_response: float = param(0.1, unit="per month", lo=0.0, hi=5.0,
                                 doc="relative change of a private sector's wage offers a month per unit of its "
                                     "vacancy rate above the start's (±0.5% at most)")
    premium_response: float = param(0.3, unit="per month", lo=0.0, hi=5.0,
                                    doc="relative change of the talent premium a month per unit of the gap between "
                                        "other workers' and talent's unemployment rates above the first year's "
                                        "(±0.5% at most)")
    incommuter_quit_rate: float = param(0.015, unit="per month", lo=0.0, hi=0.5,
                                        doc="share of in-commuters who leave their post a month")
    relocation_rate: float = param(0.005, unit="per month", lo=0.0, hi=0.5,
                                   doc="share of residents who consider moving home a month")
    long_commute_relocation: float = param(0.01, unit="per month", lo=0.0, hi=0.5,
                                           doc="extra chance to consider moving when the commute is over an hour")
    talent_application_rate: float = param(0.1, unit="per month", lo=0.0, hi=1.0,
                                           doc="chance eligible talent apply for a free talent apartment in a month")
    rent_weight: float = param(4.0, unit="utility / income share", lo=0.0, hi=50.0,
                               doc="weight of housing cost as a share of income")
    home_commute_weight: float = param(1.6, unit="utility / hour", lo=0.0, hi=20.0,
                                       doc="weight of commute hours in home choice")
    green_weight: float = param(0.4, unit="utility / log m² per person", lo=0.0, hi=10.0,
                                doc="weight of green space per person in home choice")
    park_weight: float = param(0.08, unit="utility / park", lo=0.0, hi=5.0, doc="value of a large park in the street")
    greenway_weight: float = param(0.02, unit="utility / km", lo=0.0, hi=1.0, doc="value of a km of greenway")
    school_weight: float = param(0.6, unit="utility", lo=0.0, hi=10.0,
                                 doc="weight of school staffing (vs the standard) in home choice")
    service_weight: float = param(0.6, unit="utility", lo=0.0, hi=10.0,
                                  doc="weight of service quality in home choice")
    greenway_saving_per_km: float = param(0.01, unit="share per km", lo=0.0, hi=0.1,
                                          doc="share of the in-vehicle minutes of trips within a street a km of "
                                              "greenway saves (walking and cycling; at most a fifth)")
    moving_cost: float = param(2.0, unit="utility", lo=0.0, hi=20.0, doc="utility of staying where one lives")
    rent_response: float = param(0.07951, unit="per month", lo=0.0, hi=5.0,
                                 doc="relative rent change a month per unit of occupancy above target (±0.5% at most)")
    target_occupancy: float = param(0.9376, unit="share", lo=0.5, hi=1.0, doc="occupancy at which rents are steady")
    space_rent_response: float = param(0.1, unit="per month", lo=0.0, hi=5.0,
                                       doc="relative change of floor-space rents a month per unit of occupancy "
                                           "above the start's (±0.5% at most)")
    housing_starts_per_year: float = param(0.005, unit="per year", lo=0.0, hi=0.2,
                                           doc="market housing private developers start a year at the start's "
                                               "margins, as a share of the stock")
    space_starts_per_year: float = param(0.005, unit="per year", lo=0.0, hi=0.2,
                                         doc="floor space private developers start a year at the start's margins, "
                                             "as a share of each stock")
    development_max_pull: float = param(3.0, unit="×", lo=1.0, hi=20.0,
                                        doc="most a high margin can raise private starts (vs at the hurdle)")
    migration_in_rate: float = param(0.004066, unit="per month", lo=0.0, hi=0.1,
                                     doc="arrivals per resident a month when jobs and homes are open")
    migration_out_rate: float = param(0.00177, unit="per month", lo=0.0, hi=0.1,
                                      doc="base share of residents leaving the district a month")
    unemployed_out_rate: float = param(0.02, unit="per month", lo=0.0, hi=0.5,
                                       doc="extra leaving chance after six months unemployed")
    dissatisfied_out_rate: float = param(0.003463, unit="per month", lo=0.0, hi=0.5,
                                         doc="extra leaving chance at satisfaction 0 (falls to 0 at 100)")
    firm_growth_scale: float = param(1.0, unit="×", lo=0.0, hi=5.0, doc="multiplier on sectors' trend growth")
    firm_shock_sigma: float = param(0.03, unit="log per month", lo=0.0, hi=0.5, doc="firms' own size shocks")
    entry_scale: float = param(1.0, unit="×", lo=0.0, hi=5.0,
                               doc="organic firm entries relative to exits' replacement")
    firm_rent_weight: float = param(1.0, unit="utility / log rent", lo=0.0, hi=10.0,
                                    doc="weight of log floor-space rent (vs the start's) in entering firms' "
                                        "street choice")
    firm_access_weight: float = param(1.0, unit="utility / log access", lo=0.0, hi=10.0,
                                      doc="weight of log access to workers of the sector's skill mix in firms' "
                                          "street choice")
    firm_agglomeration_weight: float = param(0.3, unit="utility / log jobs", lo=0.0, hi=5.0,
                                             doc="weight of log jobs of the firm's own sector in the street")
    firm_zone_weight: float = param(0.5, unit="utility", lo=0.0, hi=10.0,
                                    doc="value of being inside a zone that leads with the firm's sector "
                                        "(its committee's services)")
    firm_relocation_rate: float = param(0.002, unit="per month", lo=0.0, hi=0.2,
                                        doc="share of private firms that consider moving to another street a month")
    firm_moving_cost: float = param(1.0, unit="utility", lo=0.0, hi=20.0,
                                    doc="utility a firm gives up by moving (fit-out, lost customers and staff)")
    max_space_pull: float = param(2.0, unit="×", lo=1.0, hi=10.0,
                                  doc="most that free floor space can raise firm entry (vs the start's vacancy)")
    young_exit_factor: float = param(1.5, unit="×", lo=1.0, hi=10.0,
                                     doc="exit hazard of firms under 3 years relative to older ones")
    lead_rate_scale: float = param(1.0, unit="×", lo=0.0, hi=10.0, doc="multiplier on committees' investment leads")
    joint_attraction_gain: float = param(0.3, unit="share", lo=0.0, hi=3.0, doc="extra leads from joint attraction")
    patience_days: float = param(240.0, unit="working days", lo=1.0, hi=2000.0,
                                 doc="median working days an applicant will wait for approval")
    patience_sigma: float = param(0.5, unit="log", lo=0.0, hi=3.0, doc="spread of applicants' patience")
    merger_efficiency: float = param(0.15, unit="share", lo=0.0, hi=1.0,
                                     doc="doctor capacity gained by merging all hospitals into one")
    satisfaction_memory: float = param(0.9, unit="share", lo=0.0, hi=0.999,
                                       doc="weight of last month's satisfaction in this month's")


Levers = make_dataclass(
    "Levers",
    [(name, cls, field(default_factory=cls)) for name, cls in LEVERS.items()],
    frozen=True,
    namespace={
        "__doc__": "One instance of every lever family (defaults: the lever off).",
        "__iter__": lambda self: (getattr(self, name) for name in LEVERS),
    },
)

SECTIONS = ("run", "uncertainties", "levers")


@dataclass(frozen=True)
class Config:
    """A scenario: a set of levers plus behavioural uncertainties, horizon and scale."""

    name: str = DEFAULT_SCENARIO
    description: str = ""
    run: RunSettings = field(default_factory=RunSettings)
    uncertainties: Uncertainties = field(default_factory=Uncertainties)
    levers: Levers = field(default_factory=Levers)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "run": to_table(self.run),
            "uncertainties": to_table(self.uncertainties),
            "levers": {lever.name: to_table(lever) for lever in self.levers},
        }

    def to_toml(self) -> str:
        return tomli_w.dumps(self.to_dict())

    def digest(self) -> str:
        """A short hash of the resolved configuration (recorded with every run)."""
        return hashlib.sha256(self.to_toml().encode()).hexdigest()[:16]

    def flat(self) -> dict[str, Any]:
        """Every lever and uncertainty as ``levers.lever.field`` / ``uncertainties.field`` → value
        (the columns of ``runs.csv``)."""
        out: dict[str, Any] = {}
        for lever in self.levers:
            for key, value in to_table(lever).items():
                out[f"levers.{lever.name}.{key}"] = " ".join(value) if isinstance(value, list) else value
        for key, value in to_table(self.uncertainties).items():
            out[f"uncertainties.{key}"] = value
        return out


def _street_names(data: str, source: str):
    """(name, pinyin) of the data file's streets: the built-in file's read lightly; a user's
    file read and checked whole (with numpy), so a bad one is refused here."""
    if not data:
        return builtin_street_names()
    from sim.geography import load_district

    try:
        district = load_district(data)
    except InputError as exc:
        raise InputError(f"the data file {exc}", source=source, field="run.data") from None
    return list(zip(district.street_names, district.street_pinyin, strict=True))


def from_dict(raw: dict[str, Any], source: str = "<scenario>") -> Config:
    """Build and check a configuration from a parsed TOML document."""
    if not isinstance(raw, dict):
        raise InputError("a scenario must be a TOML table", source=source, zh="情景文件应为 TOML 表")
    allowed = ["name", "description", *SECTIONS]
    for key in raw:
        if key not in allowed:
            raise unknown(key, allowed, source=source, field=key)
    for key in ("name", "description"):
        if key in raw and not isinstance(raw[key], str):
            raise InputError(f"must be text, got {shown(raw[key])}", source=source, field=key,
                             zh=f"应为文本，实际为 {shown(raw[key])}")
    name = check_name(raw.get("name", DEFAULT_SCENARIO), source)

    run = build(RunSettings, raw.get("run"), source=source, where="run")
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", run.start):
        raise InputError(f"got {shown(run.start)}; allowed: a month as YYYY-MM", source=source, field="run.start",
                         zh=f"取值 {shown(run.start)} 无效；允许：YYYY-MM 格式的月份")
    if "\0" in run.data:
        raise InputError("a file path cannot hold a NUL character", source=source, field="run.data",
                         zh="文件路径不能含 NUL 字符")
    if run.data:
        data = Path(run.data)
        if not data.is_absolute() and source.endswith(".toml"):
            data = Path(source).parent / data
        run = replace(run, data=str(data))
    streets = _street_names(run.data, source)

    uncertainties = build(Uncertainties, raw.get("uncertainties"), source=source, where="uncertainties")

    levers_raw = raw.get("levers", {})
    if not isinstance(levers_raw, dict):
        raise InputError("must be a table of lever tables", source=source, field="levers",
                         zh="应为由各杠杆表组成的表")
    for key in levers_raw:
        if key not in LEVERS:
            raise unknown(key, list(LEVERS), source=source, field="levers")
    levers = {}
    for lever_name, cls in LEVERS.items():
        lever: Lever = build(cls, levers_raw.get(lever_name), source=source, where=f"levers.{lever_name}",
                             street_names=streets)
        for key, message, zh in lever.problems():
            raise InputError(message, source=source, field=f"levers.{lever_name}.{key}", zh=zh)
        if lever != cls() and lever.start_month > run.months:
            raise InputError(
                f"{lever.start_month} is beyond the horizon; allowed: 1 to run.months ({run.months})",
                source=source, field=f"levers.{lever_name}.start_month",
                zh=f"{lever.start_month} 超出模拟期；允许：1 至 run.months（{run.months}）",
            )
        levers[lever_name] = lever
    return Config(name=name, description=raw.get("description", ""), run=run, uncertainties=uncertainties,
                  levers=Levers(**levers))


def check_name(name: object, source: str) -> str:
    """A scenario's or sweep's name: it names its output folder, so a plain file name."""
    if not isinstance(name, str) or not re.fullmatch(r"[\w\-.]{1,80}", name) or not name.strip("."):
        raise InputError(f"got {shown(name)}; allowed: 1–80 letters, digits, '_', '-' or '.', not only dots",
                         source=source, field="name",
                         zh=f"取值 {shown(name)} 无效；允许：1–80 个字母、数字、'_'、'-' 或 '.'，不能只有点")
    return name


def load(path: str | Path) -> Config:
    """Load a scenario file; ``InputError`` names the file and the bad field."""
    return from_dict(read_toml(path), source=str(path))


def builtin_scenarios() -> dict[str, Path]:
    """Built-in scenario files by name."""
    return {p.stem: p for p in sorted(SCENARIO_DIR.glob("*.toml"))}


def resolve(scenario: str, field: str = "--scenario", source: str = "") -> Config:
    """A built-in scenario's name or a scenario file's path → its configuration; an unknown name
    is an ``InputError`` in ``field`` (of ``source``), where the user gave it."""
    builtin = builtin_scenarios()
    if scenario in builtin:
        return load(builtin[scenario])
    path = Path(scenario)
    if scenario and (path.suffix == ".toml" or path.exists() or "/" in scenario):
        return load(path)
    raise InputError(f"unknown scenario {scenario!r}; built-in: {', '.join(builtin)} (or give a .toml file)",
                     source=source, field=field)


def parameter_path(key: str) -> tuple[str, str]:
    """``approval.items`` / ``levers.approval.items`` / ``uncertainties.x`` / ``run.months`` → (section, field),
    or ``InputError`` suggesting the nearest valid name."""
    parts = key.strip().removeprefix("levers.").split(".")
    if len(parts) != 2:
        raise InputError(f"{key!r} is not of the form lever.field (or run.field, uncertainties.field)")
    section, name = parts
    tables = {"run": RunSettings, "uncertainties": Uncertainties, **LEVERS}
    if section not in tables:
        raise InputError(suggest(section, list(tables)), field=key)
    fields_ = [f for f, *_ in specs(tables[section])]
    if name not in fields_:
        raise InputError(suggest(name, fields_), field=key)
    return section, name


def assign(config: Config, values: dict[str, Any], source: str = "--set") -> Config:
    """The configuration with ``{parameter path: value}`` replaced, checked like a file."""
    raw = config.to_dict()
    for key, value in values.items():
        try:
            section, name = parameter_path(key)
        except InputError as exc:
            raise InputError(str(exc), source=source) from None
        table = raw[section] if section in ("run", "uncertainties") else raw["levers"][section]
        table[name] = list(value) if isinstance(value, tuple) else value
    return from_dict(raw, source=source)


def override(config: Config, assignments: list[str], source: str = "--set") -> Config:
    """Apply ``section.field=value`` overrides (``approval.items=52``, ``levers.approval.items=52``,
    ``run.months=24``, ``uncertainties.rent_weight=3``).

    Values are read as TOML (``true``, ``0.5``, ``["龙潭"]``); a bare word is taken as text.
    """
    values = {}
    for item in assignments:
        key, sep, text = item.partition("=")
        if not sep:
            raise InputError(f"{item!r} is not of the form lever.field=value (or run.field=…, uncertainties.field=…)",
                             field=source)
        try:
            values[key.strip()] = tomllib.loads(f"v = {text.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            values[key.strip()] = text.strip()
    return assign(config, values, source)


def lever_values(scenario: Config, base: Config) -> dict[str, Any]:
    """The lever fields in which ``scenario`` differs from ``base``, as ``levers.L.F`` → value."""
    mine, theirs = scenario.to_dict()["levers"], base.to_dict()["levers"]
    return {f"levers.{lever}.{name}": value for lever, table in mine.items() for name, value in table.items()
            if theirs[lever][name] != value}


def with_run(config: Config, **settings) -> Config:
    """The same scenario with some run settings replaced (checked like a file's). A shorter horizon
    that ends before one of the scenario's levers starts is refused with the horizon named: the
    lever's own start month is not what the user got wrong."""
    months = settings.get("months")
    if isinstance(months, int) and months >= 1:  # (other values: from_dict says what is allowed)
        late = [(lever.start_month, lever.name) for lever in config.levers
                if lever != type(lever)() and lever.start_month > months]
        if late:
            start, name = max(late)
            raise InputError(f"{months} months end before levers.{name} starts (month {start}); allowed: at least "
                             f"{start} months for {config.name!r}, or set an earlier start month", field="run.months")
    raw = config.to_dict()
    raw["run"].update({k: v for k, v in settings.items() if v is not None})
    return from_dict(raw, source="command line")


def save(config: Config, path: str | Path) -> None:
    with named(path):
        Path(path).write_text(config.to_toml(), encoding="utf-8")

