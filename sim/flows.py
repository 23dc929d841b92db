"""What happens in a month, as each phase reports it: flows of persons and firms.

Every phase of the month returns a ``Flows``; the model adds them up into the month's
(``model.flows``), which the recorder writes. District flows are counts by name (persons or
firms, at full scale), street and zone flows arrays by name, and ``approvals`` the approval
days (and zones) of the applications approved. A name nobody reported this month is 0.
"""

from __future__ import annotations


class Flows:
    def __init__(self):
        self.district: dict[str, float] = {}
        self.street: dict[str, object] = {}  # name -> array over streets
        self.zone: dict[str, object] = {}  # name -> array over zones
        self.approvals: list[tuple[object, object]] = []  # (days, zone index) arrays of approved applications

    def add(self, name: str, value: float) -> None:
        """Add to a district flow."""
        _add(self.district, name, value)

    def add_street(self, name: str, values) -> None:
        _add(self.street, name, values)

    def add_zone(self, name: str, values) -> None:
        _add(self.zone, name, values)

    def __iadd__(self, other: Flows | None) -> Flows:
        if other is not None:
            for mine, theirs in ((self.district, other.district), (self.street, other.street),
                                 (self.zone, other.zone)):
                for name, value in theirs.items():
                    _add(mine, name, value)
            self.approvals += other.approvals
        return self


def _add(flows: dict, name: str, value) -> None:
    """A flow adds up from 0.0, in the order reported (the bytes out are part of the model)."""
    flows[name] = flows.get(name, 0.0) + value
