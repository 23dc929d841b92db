"""Phase 8: schools, doctors and grid governance by street; residents' satisfaction (获得感).

Students follow the child population; students per teacher and doctors per 1000 residents
follow from the streets' staff. Each stage — kindergarten (the preschool share of children) and
the three school levels — has places; a street's education access is the mean over the stages
of min(1, places / pupils), so pupils beyond the places (who must go to school elsewhere) count
for nothing, and new school and kindergarten sites (development pipeline) raise it. Community
health centres cover up to ``residents_per_clinic`` residents each. Grid events (网格事件) arrive
with the population; their resolution time follows M/M/1-style congestion — handling days /
(1 − ρ), ρ = arrivals / capacity — and open events at month end follow Little's law, plus
whatever capacity could not absorb (when ρ ≥ 1). A street's service quality averages education
(school staffing against the standard × access to a place), health (doctors against the data's
level and the centres' coverage) and grid resolution; residents weigh it where they live.
"""

from __future__ import annotations

import numpy as np

from sim.categories import TENURES
from sim.flows import Flows
from sim.processes.homes import housing_costs


def serve(model) -> None:
    """This month's services in every street (also run once when the model is built)."""
    streets, public, policy = model.streets, model.district.public, model.policy
    residents = streets.residents()
    children = streets.children()
    students = children[:, None] * public.students_per_child()[None, :]
    students_per_teacher = students / np.maximum(streets.teachers, 1e-9)
    doctors_per_1000 = streets.doctors * policy.doctor_productivity / np.maximum(residents, 1.0) * 1000.0
    events = model.rng.poisson(public.grid_events_per_1000_month * residents / 1000.0).astype(float)
    duty = 0.0 if policy.street_duties_moved else public.investment_duty_share
    capacity = streets.staff * (1.0 - duty) * public.events_per_staff_month * policy.governance_productivity
    rho = events / np.maximum(capacity, 1e-9)
    overflow = np.maximum(streets.overflow + events - capacity, 0.0)
    waiting = 30.0 * overflow / np.maximum(capacity, 1e-9)
    resolution_days = public.event_handling_days / (1.0 - np.minimum(rho, 0.95)) + waiting
    staffing = np.minimum(1.0, public.standards() / np.maximum(students_per_teacher, 1e-9)).mean(axis=1)
    preschool = children * public.preschool_share_of_children
    enrolled = np.minimum(preschool, streets.kindergarten_places)
    access = np.column_stack([np.minimum(1.0, enrolled / np.maximum(preschool, 1e-9)),
                              np.minimum(1.0, streets.school_places / np.maximum(students, 1e-9))]).mean(axis=1)
    coverage = np.minimum(1.0, streets.clinics * public.residents_per_clinic / np.maximum(residents, 1.0))
    school = staffing * access
    health = (np.minimum(1.0, doctors_per_1000 / public.doctors_per_1000 / 1.2) + coverage) / 2.0
    governance = 1.0 / (1.0 + resolution_days / 30.0)
    streets.update_services(students=students, students_per_teacher=students_per_teacher,
                            doctors_per_1000=doctors_per_1000, events=events, overflow=overflow,
                            resolution_days=resolution_days, backlog=events * resolution_days / 30.0,
                            school_staffing=staffing, preschool=preschool, kindergarten_enrolled=enrolled,
                            education_access=access, clinic_coverage=coverage,
                            service_quality=(school + health + governance) / 3.0)


def update_satisfaction(model, memory: float) -> None:
    """Each resident's 获得感 this month (``residents.satisfaction_score``), from the housing
    costs and the streets' services and green space now; keeps the sums by housing cell."""
    streets = model.streets
    green_pp = streets.green_per_person()
    place = streets.service_quality + green_pp / (green_pp + 10.0)
    model.satisfaction_by_cell = model.residents.update_satisfaction(
        np.append(0.0, housing_costs(model).ravel()), np.append(0.0, np.tile(place, len(TENURES))),
        model.district.population.unemployed_income, memory)


def step(model) -> Flows:
    serve(model)
    update_satisfaction(model, model.config.uncertainties.satisfaction_memory)
    return Flows()
