"""Industrial functional-zone management committees (产业功能区管委会): their state as one table,
and each committee as a ``mesa.Agent`` view.

A zone covers parts of its footprint streets before alignment and whole streets after
(整建制覆盖): ``coverage`` gives the share of each street inside each zone for the boundary in
force (``PolicyState.zone_alignment``). A committee's staff split their time between investment
attraction, project construction and coordination (``PolicyState.committee``); what that time
produces is the approvals phase's rule (``sim.processes.approvals``).
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.categories import COMMITTEE


class ZoneTable:
    """Every zone's state: footprint streets with their pre-reform coverage, leading sectors; its
    staff are the staffing ledger's."""

    def __init__(self, district, staffing):
        self.n = len(district.zones)
        self.n_streets = district.n_streets
        self.streets = [np.array(z.streets, dtype=np.int8) for z in district.zones]  # footprint streets
        self.partial_coverage = [np.array(z.coverage) for z in district.zones]  # their share inside before alignment
        self.leading = [np.array(z.leading, dtype=np.int8) for z in district.zones]  # leading sectors
        self._staffing = staffing

    @property
    def staff(self) -> np.ndarray:
        """Each committee's staff in post (the staffing ledger's)."""
        return self._staffing.of(COMMITTEE)

    def footprint_coverage(self, zone: int, alignment: float) -> np.ndarray:
        """Share of each footprint street of ``zone`` inside it (0 alignment: the old boundary; 1: whole streets)."""
        partial = self.partial_coverage[zone]
        return partial + alignment * (1.0 - partial)

    def coverage(self, alignment: float) -> np.ndarray:
        """Zone × street share inside each zone."""
        cov = np.zeros((self.n, self.n_streets))
        for z in range(self.n):
            cov[z, self.streets[z]] = self.footprint_coverage(z, alignment)
        return cov


class ZoneCommittee(mesa.Agent):
    """One committee as a ``mesa.Agent``: its zone's row of ``model.zones`` and the policy in force, read-only."""

    def __init__(self, model, index: int):
        super().__init__(model)
        zone = model.district.zones[index]
        self.index = index
        self.key, self.name, self.name_en = zone.key, zone.name, zone.name_en

    @property
    def streets(self) -> np.ndarray:
        return self.model.zones.streets[self.index]

    @property
    def staff(self) -> float:
        return float(self.model.zones.staff[self.index])

    def coverage(self) -> np.ndarray:
        """Share of each footprint street inside the zone now."""
        return self.model.zones.footprint_coverage(self.index, self.model.policy.zone_alignment)

    @property
    def time_split(self):
        """Staff time on attraction, construction and coordination (``CommitteeTime``)."""
        return self.model.policy.committee
