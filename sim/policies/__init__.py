"""Policy levers, one module per lever (named as the lever); ``LEVERS`` maps each lever's name to its class.

Levers are what a decision-maker controls; they stay apart from the uncertainties (behavioural
parameters nobody controls, ``sim.config.Uncertainties``) and from the agents they act on.
"""

from __future__ import annotations

from sim.policies.approval import Approval
from sim.policies.base import Lever
from sim.policies.committee import Committee
from sim.policies.hospital_merger import HospitalMerger
from sim.policies.industrial_space import IndustrialSpace
from sim.policies.park_city import ParkCity
from sim.policies.public_facilities import PublicFacilities
from sim.policies.quota_pool import QuotaPool
from sim.policies.resettlement import Resettlement
from sim.policies.smart_governance import SmartGovernance
from sim.policies.street_staff import StreetStaff
from sim.policies.talent_apartments import TalentApartments
from sim.policies.transport import Transport
from sim.policies.zone_alignment import ZoneAlignment

GROUPS = {"生态": "ecology", "经济": "economy", "社会": "society", "服务": "services"}

LEVERS: dict[str, type[Lever]] = {
    cls.name: cls
    for cls in (
        Approval, ZoneAlignment, Committee, IndustrialSpace, TalentApartments, Resettlement,
        StreetStaff, SmartGovernance, QuotaPool, HospitalMerger, PublicFacilities, ParkCity, Transport,
    )
}

__all__ = ["GROUPS", "LEVERS", "Lever"]
