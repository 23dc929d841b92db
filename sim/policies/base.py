"""What every lever shares: a start month, a ramp, and a mechanism that acts on the model.

A lever acts only through the policy state (``model.policy``, ``sim.policies.state``) and the
tables' methods (``model.streets``, ``model.zones``); it never sets attributes on the model.
Lever modules import no numerical library (they work with the tables' arrays), so reading a
scenario stays light.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import ClassVar

from sim.params import param


@dataclass(frozen=True)
class Lever:
    """A policy lever: typed parameters (the class's fields) and the mechanism it acts through.

    Defaults are the pre-reform state (the lever off); each parameter's ``reform`` is the
    source's figure for the 2019 reform (``experiments/scenarios/reform_2019.toml`` uses them
    all). Deliveries (for the building levers, project starts) build up linearly over
    ``ramp_months`` from ``start_month``.
    """

    name: ClassVar[str]
    label: ClassVar[str]  # Chinese
    label_en: ClassVar[str]
    group: ClassVar[str]  # 生态 ecology, 经济 economy, 社会 society, 服务 services (the source's grouping)
    mechanism: ClassVar[str]  # one line, English
    mechanism_zh: ClassVar[str]

    start_month: int = param(1, unit="month", lo=1, hi=600,
                             doc="first month the lever acts (1 = the run's first month)")
    ramp_months: int = param(1, unit="months", lo=1, hi=240,
                             doc="months over which its deliveries arrive (1 = all at once)")

    def share_by(self, month: int) -> float:
        """Share of the lever's full effect in place by the end of ``month``."""
        return min(max((month - self.start_month + 1) / self.ramp_months, 0.0), 1.0)

    def share_in(self, month: int) -> float:
        """Share of the lever's deliveries that arrive during ``month``."""
        return self.share_by(month) - self.share_by(month - 1)

    def toward(self, month: int, name: str) -> float:
        """A numeric parameter's value in force: from its default toward the set value over the ramp."""
        default = next(f.default for f in fields(self) if f.name == name)
        return default + self.share_by(month) * (getattr(self, name) - default)

    def problems(self) -> list[tuple[str, str, str]]:
        """Combinations of parameters that make no sense: (field, message, Chinese message)."""
        return []

    def apply(self, model, month: int):
        """Act at the start of ``month`` (phase 1 of the month; month 0 sets the state before the
        first month); return the flows it caused (``sim.flows.Flows``), if any."""
        raise NotImplementedError


def need_streets(lever: Lever, amount_fields: tuple[str, ...],
                 streets_field: str = "streets") -> list[tuple[str, str, str]]:
    """A lever that delivers an amount somewhere must say where."""
    if any(getattr(lever, f) > 0 for f in amount_fields) and not getattr(lever, streets_field):
        names = " or ".join(amount_fields)
        return [(streets_field, f"list at least one street when {names} is above 0",
                 f"{names} 大于 0 时至少列出一个街道")]
    return []
