"""What happens in a month, as each phase reports it: flows of persons and firms.

Every phase of the month returns a ``Flows``; the model adds them up into the month's
(``model.flows``), which the recorder writes. District flows are counts by name (persons or
firms, at full scale), street and zone flows arrays by name, and ``approvals`` the approval
days (and zones) of the applications approved. A name nobody reported this month is 0.
"""

from __future__ import annotations


class Flows:
    def __init__(self, **district: float):
        self.district: dict[str, float] = {}
        self.street: dict[str, object] = {}  # name -> array over streets
        self.zone: dict[str, object] = {}  # name -> array over zones
        self.approvals: list[tuple[object, object]] = []  # (days, zone index) arrays of approved applications
        for name, value in district.items():
            self.add(name, value)

    def add(self, name: str, value: float) -> None:
        """Add to a district flow."""
        self.district[name] = self.district.get(name, 0.0) + value

    def add_street(self, name: str, values) -> None:
        self.street[name] = self.street[name] + values if name in self.street else 0.0 + values

    def add_zone(self, name: str, values) -> None:
        self.zone[name] = self.zone[name] + values if name in self.zone else 0.0 + values

    def __iadd__(self, other: Flows | None) -> Flows:
        if other is not None:
            for name, value in other.district.items():
                self.add(name, value)
            for name, values in other.street.items():
                self.add_street(name, values)
            for name, values in other.zone.items():
                self.add_zone(name, values)
            self.approvals += other.approvals
        return self
