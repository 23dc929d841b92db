"""Industrial functional-zone management committees (产业功能区管委会), each a ``mesa.Agent``.

A committee covers parts of streets before alignment and whole streets after (整建制覆盖). Its
staff split their time between investment attraction, project construction and coordination.
Attraction time brings investment leads (firms of the zone's leading sectors, a few of them
large investors) into the approval pipeline; construction time shortens fit-out after approval;
coordination time, whole-street coverage and streets relieved of investment duties shorten the
committee–street coordination each application needs.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.geography import Zone

# The committee's time split before the reform, against which attraction and coordination
# effort are measured (the committee lever's defaults).
BASE_SPLIT = {"attraction": 0.5, "construction": 0.3, "coordination": 0.2}
FITOUT_MONTHS = 3.0  # months from approval to opening at the base construction share (assumption)


class ZoneCommittee(mesa.Agent):
    def __init__(self, model, index: int, zone: Zone):
        super().__init__(model)
        self.index = index
        self.key = zone.key
        self.name = zone.name
        self.name_en = zone.name_en
        self.streets = np.array(zone.streets, dtype=np.int8)
        self.partial_coverage = np.array(zone.coverage)
        self.leading = np.array(zone.leading, dtype=np.int8)
        self.staff = float(model.district.zones_common.staff)
        self.split = dict(BASE_SPLIT)
        self.joint_attraction = False
        self.alignment = 0.0  # 0: the pre-reform boundary; 1: whole streets (整建制覆盖)

    def coverage(self) -> np.ndarray:
        """Share of each footprint street inside the zone now."""
        return self.partial_coverage + self.alignment * (1.0 - self.partial_coverage)

    def coordination_days(self) -> float:
        """Extra working days of committee–street coordination each application needs.

        Friction comes from the uncovered parts of its streets and from streets that still
        compete for investment; coordination time relieves it.
        """
        model = self.model
        friction = 1.0 - self.coverage().mean()
        if any(model.streets[s].investment_duties for s in self.streets):
            friction += 0.5
        effort = self.split["coordination"] / BASE_SPLIT["coordination"]
        return model.district.approvals.coordination_days * friction / effort

    def fitout_months(self) -> float:
        return FITOUT_MONTHS * BASE_SPLIT["construction"] / max(self.split["construction"], 1e-6)

    def attract(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """This month's investment leads (rows of ``scale`` firms) for the approval pipeline."""
        model = self.model
        common = model.district.zones_common
        effort = self.split["attraction"] / BASE_SPLIT["attraction"]
        if self.joint_attraction:
            effort *= 1.0 + model.config.uncertainties.joint_attraction_gain
        rate = self.staff * common.leads_per_staff_year / 12.0 * effort * model.config.uncertainties.lead_rate_scale
        n = rng.poisson(rate / model.scale)
        sector = rng.choice(self.leading, size=n)
        large = rng.random(n) < common.large_investor_share
        sizes = np.array([model.district.sectors[s].size for s in sector]) * common.lead_size_factor
        sizes = np.where(large, common.large_investor_size, sizes)
        posts = np.maximum(1, np.round(sizes * rng.lognormal(-0.125, 0.5, n))).astype(np.int32)
        # Firms settle in the covered part of a footprint street.
        weights = self.coverage()
        street = self.streets[rng.choice(len(self.streets), size=n, p=weights / weights.sum())]
        return {"sector": sector.astype(np.int8), "street": street, "posts": posts, "large": large}
