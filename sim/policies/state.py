"""The policy in force: one typed state the levers set and the processes read.

Each month the policies phase lets every lever act (``Lever.apply``): a lever sets its part of
this state — the approval regime, the zone boundary, the committees' time, the talent-apartment
rule, the doctors' productivity, the systems' coverage, the households it orders out — or
starts building projects (housing, floor space: ``model.projects``), moves quotas in the
staffing ledger (``model.staffing``) or delivers stocks (green space) through the streets'
table. No process reads a lever's parameters; they read this state and those tables. Every field
is set by its lever at month 0, before the first month runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.policies.approval import ApprovalRegime
from sim.policies.committee import CommitteeTime
from sim.policies.resettlement import Clearance
from sim.policies.talent_apartments import TalentRule
from sim.policies.transport import TransportPlan


@dataclass
class PolicyState:
    regime: ApprovalRegime | None = None  # engineering-project approval (approval)
    zone_alignment: float = 0.0  # 0: the zones' pre-reform boundaries; 1: whole streets (zone_alignment)
    street_duties_moved: bool = False  # streets' investment and tax work moves to departments (zone_alignment)
    committee: CommitteeTime | None = None  # committee staff time split (committee)
    joint_attraction: bool = False  # committees attract investment jointly (committee)
    talent: TalentRule | None = None  # who may rent talent apartments where, the discount (talent_apartments)
    renewal_works_months: int = 0  # months renewed homes are under works (resettlement)
    cleared_per_unit: float = 0.0  # households whose land is cleared per resettlement unit delivered (resettlement)
    sensor_coverage: float = 0.0  # share of the grid the smart-governance systems watch (smart_governance)
    doctor_productivity: float = 1.0  # residents a doctor serves, relative (hospital_merger)
    transport: TransportPlan = field(default_factory=TransportPlan)  # roads built, metro open (transport)
    clearances: list[Clearance] = field(default_factory=list)  # households ordered out this month (resettlement)
