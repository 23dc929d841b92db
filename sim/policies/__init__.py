"""Policy levers, one module per lever family; ``LEVERS`` maps each lever's name to its class.

Levers are what a decision-maker controls; they stay apart from the uncertainties (behavioural
parameters nobody controls, ``sim.config.Uncertainties``) and from the agents they act on.
"""

from __future__ import annotations

from sim.policies.approval import Approval
from sim.policies.base import Lever
from sim.policies.ecology import ParkCity
from sim.policies.governance import SmartGovernance
from sim.policies.housing import Resettlement, TalentApartments
from sim.policies.space import IndustrialSpace
from sim.policies.staffing import HospitalMerger, QuotaPool, StreetStaff
from sim.policies.zones import Committee, ZoneAlignment

GROUPS = {"生态": "ecology", "经济": "economy", "社会": "society", "服务": "services"}

LEVERS: dict[str, type[Lever]] = {
    cls.name: cls
    for cls in (
        Approval, ZoneAlignment, Committee, IndustrialSpace, TalentApartments, Resettlement,
        StreetStaff, SmartGovernance, QuotaPool, HospitalMerger, ParkCity,
    )
}

__all__ = ["GROUPS", "LEVERS", "Lever"]
