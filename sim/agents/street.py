"""Sub-district streets (街道): few, rich, stateful — each a ``mesa.Agent``.

A street owns its housing stock by tenure, its commercial floor space, its public-service staff
(teachers by level, doctors), its governance staff (编制) and grid-event backlog, and its green
space. Each month it compares service demand with staff and sets a service-quality score that
residents weigh when they choose where to live.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.geography import TENURES

LEVELS = ("primary", "junior", "senior")


class Street(mesa.Agent):
    def __init__(self, model, index: int, *, housing: np.ndarray, rent: float, space: np.ndarray,
                 teachers: np.ndarray, doctors: float, government_posts: float, staff: float,
                 green_m2: float):
        super().__init__(model)
        d = model.district
        self.index = index
        self.name = d.street_names[index]
        self.pinyin = d.street_pinyin[index]
        self.farming = bool(d.farming[index])
        self.housing = housing.astype(float)  # places (persons) by tenure: market, resettlement, talent
        self.rent = float(rent)  # market rent, yuan per m² a month
        self.rent_start = float(rent)
        self.space = space.astype(float)  # commercial floor space, m²: office, factory, shop
        self.teachers = teachers.astype(float)  # primary, junior, senior
        self.doctors = float(doctors)
        self.government_posts = float(government_posts)  # district-organ posts sited here
        self.staff = float(staff)  # governance staff (编制)
        self.investment_duties = True  # street still charged with investment attraction and tax
        self.green_m2 = float(green_m2)
        self.greenway_km = 0.0
        self.parks = 0
        self.backlog = 0.0  # open grid events at month end
        self.overflow = 0.0  # events carried over because capacity fell short
        self.events = 0.0
        # Set from the residents each month by the model (persons, full scale):
        self.residents = 0.0
        self.children = 0.0
        self.occupancy = np.zeros(len(TENURES))
        # Results of this month's service step:
        self.students = np.zeros(len(LEVELS))
        self.students_per_teacher = np.zeros(len(LEVELS))
        self.doctors_per_1000 = 0.0
        self.resolution_days = 0.0
        self.service_quality = 0.5

    def observe(self, residents: float, children: float, occupancy: np.ndarray) -> None:
        self.residents = residents
        self.children = children
        self.occupancy = occupancy

    def vacant_places(self) -> np.ndarray:
        """Free housing places (persons) by tenure."""
        return np.maximum(self.housing - self.occupancy, 0.0)

    def green_per_person(self) -> float:
        return self.green_m2 / max(self.residents, 1.0)

    def serve(self, rng: np.random.Generator) -> None:
        """Schools, clinics and grid governance for this month (phase 7)."""
        model = self.model
        public = model.district.public
        self.students = self.children * public.students_per_child()
        self.students_per_teacher = self.students / np.maximum(self.teachers, 1e-9)
        self.doctors_per_1000 = self.doctors * model.doctor_productivity / max(self.residents, 1.0) * 1000.0

        # Grid events (网格事件) arrive with the population. Resolution time follows M/M/1-style
        # congestion: handling days / (1 − ρ), ρ = arrivals / capacity; open events at month end
        # follow Little's law, plus whatever capacity could not absorb (when ρ ≥ 1).
        self.events = float(rng.poisson(public.grid_events_per_1000_month * self.residents / 1000.0))
        duty = public.investment_duty_share if self.investment_duties else 0.0
        capacity = self.staff * (1.0 - duty) * public.events_per_staff_month * model.governance_productivity
        rho = self.events / max(capacity, 1e-9)
        self.overflow = max(self.overflow + self.events - capacity, 0.0)
        waiting = 30.0 * self.overflow / max(capacity, 1e-9)
        self.resolution_days = public.event_handling_days / (1.0 - min(rho, 0.95)) + waiting
        self.backlog = self.events * self.resolution_days / 30.0
        school = np.mean(np.minimum(1.0, public.standards() / np.maximum(self.students_per_teacher, 1e-9)))
        health = min(1.0, self.doctors_per_1000 / public.doctors_per_1000 / 1.2)
        governance = 1.0 / (1.0 + self.resolution_days / 30.0)
        self.service_quality = float((school + health + governance) / 3.0)
