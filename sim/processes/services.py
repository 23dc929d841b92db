"""Phase 8: schools, kindergartens, hospitals, grid governance and convenience services by
street; residents' satisfaction (获得感).

Every capacity here comes from staff in the staffing ledger (``sim.agents.staffing``).
Pupils of each school level and kindergarten age follow the child population; those within
the street's places (学位) are enrolled, the rest must go to school elsewhere and count as lost
access. Students per teacher are enrolled pupils over the street's teachers. Each street's
residents use the public hospital nearest them at the start — or, once it has merged, the site it
merged into (minutes on the commute matrix in force) — so doctors per 1000 are its doctors —
times the merger's productivity — over the residents it serves, and a merger lengthens their
trips. Community health centres cover up to ``residents_per_clinic`` residents each when staffed
at ``staff_per_clinic`` (in proportion below it): a new centre needs staff from the ledger.

Street staff split their time (``street_time``): grid governance, convenience services and —
until the duties move to the departments — investment attraction and tax assistance. A street
government serves its own street and, after the administrative adjustment, the streets merged
into it: their events and cases join one queue. Grid events
(网格事件) arrive with the population; an event sent to the wrong office first is handled twice
and loses ``reroute_days``; the smart-governance centre's staff triage and dispatch up to
``events_routed_per_staff_month`` events each, which cuts misrouting, and its systems (a share
of the grid covered) detect events early, which cuts handling days. Resolution time follows
M/M/1-style congestion — handling days / (1 − ρ), ρ = arrivals / capacity — plus whatever
capacity could not absorb (carried over when ρ ≥ 1); open events at month end follow Little's
law. Convenience-service cases queue the same way at the street's service centre.

A street's service quality averages education (school staffing against the standard × access
to a place), health (doctors against the data's level, centre coverage, minutes to a hospital)
and governance (grid resolution and service days); residents weigh it where they live. Each
month also sets the education and health units' staff *need* (pupils at the standard, the
data's doctors per 1000 residents served), which the turnover pool and headcount follow.
"""

from __future__ import annotations

import numpy as np

from sim.categories import CENTRE, CLINIC_UNIT, HOSPITAL, KINDERGARTEN_UNIT, SCHOOL_UNIT, TENURES
from sim.flows import Flows
from sim.processes.homes import housing_costs


def street_time(staffing_info, duties_moved: bool) -> tuple[float, float, float]:
    """Street staff time on (grid governance, convenience services, investment and tax work):
    the data's split; once the duties move, their time goes to the other two in proportion."""
    grid, services = staffing_info.street_time_grid, staffing_info.street_time_services
    if duties_moved:
        return grid / (grid + services), services / (grid + services), 0.0
    return grid, services, 1.0 - grid - services


def queue_days(handling_days, arrivals, capacity):
    """Days in an M/M/1-style queue: handling days / (1 − ρ), ρ = arrivals / capacity capped at 0.95."""
    return handling_days / (1.0 - np.minimum(arrivals / np.maximum(capacity, 1e-9), 0.95))


def hospitals(model, residents: np.ndarray):
    """The minutes from each street to the open hospital its residents use, that hospital's doctors
    per 1000 residents it serves, and the residents each hospital serves."""
    staffing, d = model.staffing, model.district
    site = staffing.hospital_serving()
    site_street = staffing.street[staffing.rows(HOSPITAL)]
    minutes = model.minutes[np.arange(d.n_streets), site_street[site]]
    served = np.bincount(site, weights=residents, minlength=staffing.n_hospitals)
    per_1000 = staffing.doctors * model.policy.doctor_productivity / np.maximum(served, 1.0) * 1000.0
    return minutes, per_1000[site], served


def serve(model) -> None:
    """This month's services in every street (also run once when the model is built)."""
    streets, staffing, public, policy = model.streets, model.staffing, model.district.public, model.policy
    residents = streets.residents()
    children = streets.children()
    # Schools and kindergartens: pupils, enrolment within the places, students per teacher.
    pupils = children[:, None] * public.students_per_child()[None, :]
    students = np.minimum(pupils, streets.school_places)
    students_per_teacher = students / np.maximum(streets.teachers, 1e-9)
    staffing_score = np.minimum(1.0, public.standards() / np.maximum(students_per_teacher, 1e-9)).mean(axis=1)
    preschool = children * public.preschool_share_of_children
    enrolled = np.minimum(preschool, streets.kindergarten_places)
    access = np.column_stack([enrolled / np.maximum(preschool, 1e-9), students / np.maximum(pupils, 1e-9)]).mean(axis=1)
    # Hospitals and health centres.
    minutes, doctors_per_1000, served = hospitals(model, residents)
    centre_staff = streets.clinics * public.staff_per_clinic  # what the street's centres need
    staffed = np.minimum(1.0, staffing.of(CLINIC_UNIT) / np.maximum(centre_staff, 1e-9))
    coverage = np.minimum(1.0, streets.clinics * public.residents_per_clinic * staffed / np.maximum(residents, 1.0))
    # Grid events: routing by the smart-governance centre, early detection by its systems.
    grid_time, service_time, _ = street_time(model.district.staffing, policy.street_duties_moved)
    events = model.rng.poisson(public.grid_events_per_1000_month * residents / 1000.0).astype(float)
    routed = min(1.0, staffing.of(CENTRE).sum() * public.events_routed_per_staff_month / max(events.sum(), 1.0))
    misrouted = public.misrouted_share * (1.0 - routed) + public.misrouted_share_routed * routed
    handling = (public.event_handling_days * (1.0 - public.detection_saving * policy.sensor_coverage)
                + misrouted * public.reroute_days)
    # Each street government serves its own street and those merged into it (``street_admin``).
    admin = staffing.street_admin()
    n = len(admin)

    def pooled(values):
        return np.bincount(admin, weights=values, minlength=n)

    staff = streets.staff
    staff_per_10k = (staff / np.maximum(pooled(residents), 1.0) * 10000.0)[admin]
    arriving = pooled(events)
    capacity = staff * grid_time * public.events_per_staff_month / (1.0 + misrouted)
    backlog = np.maximum(pooled(streets.overflow) + arriving - capacity, 0.0)
    resolution = queue_days(handling, arriving, capacity) + 30.0 * backlog / np.maximum(capacity, 1e-9)
    share = events / np.maximum(arriving[admin], 1e-9)  # each street's part of its government's events
    overflow, resolution_days = backlog[admin] * share, resolution[admin]
    cases = pooled(residents * public.service_cases_per_1000_month / 1000.0)
    case_days = queue_days(public.case_handling_days, cases, staff * service_time * public.cases_per_staff_month)[admin]
    # Service quality.
    school = staffing_score * access
    health = (np.minimum(1.0, doctors_per_1000 / public.doctors_per_1000 / 1.2) + coverage
              + np.minimum(1.0, public.hospital_minutes_reference / np.maximum(minutes, 1e-9))) / 3.0
    governance = (1.0 / (1.0 + resolution_days / 30.0) + 1.0 / (1.0 + case_days / 10.0)) / 2.0
    streets.update_services(pupils=pupils, students=students, students_per_teacher=students_per_teacher,
                            school_staffing=staffing_score, preschool=preschool, kindergarten_enrolled=enrolled,
                            education_access=access, doctors_per_1000=doctors_per_1000, hospital_minutes=minutes,
                            clinic_coverage=coverage, events=events, overflow=overflow,
                            resolution_days=resolution_days, backlog=events * resolution_days / 30.0,
                            case_days=case_days, staff_per_10k=staff_per_10k,
                            service_quality=(school + health + governance) / 3.0)
    # What the education and health units need: pupils at the standard, centres their staff,
    # hospitals doctors at the data's level.
    need = staffing.need
    need[staffing.rows(SCHOOL_UNIT)] = (students / public.standards()[None, :]).ravel()
    need[staffing.rows(KINDERGARTEN_UNIT)] = enrolled / public.standard_kindergarten
    need[staffing.rows(CLINIC_UNIT)] = centre_staff
    need[staffing.rows(HOSPITAL)] = served * public.doctors_per_1000 / 1000.0


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
