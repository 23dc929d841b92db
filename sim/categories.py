"""The model's categories, named once: housing tenures, age bands, floor-space types, school
levels, and why a household must move.

Plain Python, no numerical library: the configuration and the levers use these names too, and
``chancheng --help`` must not wait for numpy.
"""

from __future__ import annotations

# Housing tenures: market housing, resettlement units (安置房), talent apartments (人才公寓), and
# villagers' houses on collective land (集体土地) in the farming-related streets.
TENURES = ("market", "resettlement", "talent", "village")
MARKET, RESETTLEMENT, TALENT, VILLAGE = range(4)

AGE_BANDS = ("child", "working", "elderly")  # 0–17, 18–59, 60+
CHILD, WORKING, ELDERLY = range(3)

SPACE_TYPES = ("office", "factory", "shop")  # non-residential floor space
OFFICE, FACTORY, SHOP = range(3)

LEVELS = ("primary", "junior", "senior")  # school levels

RENEWAL = 1  # a household must move: its home is renewed (it comes back after the works)

# What a building project builds (``sim.processes.development``): the three floor-space types
# first (so a use below 3 is its ``SPACE_TYPES`` index), then market housing, talent apartments
# and resettlement housing, then the public-service sites: schools (中小学办学点), kindergartens
# (幼儿园办学点) and community health centres (社区卫生服务中心).
USES = ("office", "factory", "shop", "housing", "talent", "resettlement", "school", "kindergarten", "clinic")
HOUSING, TALENT_HOMES, RESETTLEMENT_HOMES, SCHOOL, KINDERGARTEN, CLINIC = 3, 4, 5, 6, 7, 8
PRIVATE_USES = ("office", "factory", "shop", "housing")  # what private developers build (indices 0–3)

# A project's stage: land, engineering approval, construction; then delivered or withdrawn.
STAGES = ("land", "approval", "construction", "delivered", "withdrawn")
LAND, APPROVAL, CONSTRUCTION, DELIVERED, WITHDRAWN = range(5)

# Units of the staffing ledger (``sim.agents.staffing``): the reserve of freed quotas, the district
# organs and departments, their engineering-approval staff, the smart-governance centre, the
# public institutions outside education and health, the zone committees, the streets, the schools
# (by level), kindergartens and community health centres of each street, the public hospitals.
UNIT_KINDS = ("reserve", "organs", "approval", "centre", "institutions", "committee", "street", "school",
              "kindergarten", "clinic", "hospital")
(RESERVE, ORGANS, APPROVAL_STAFF, CENTRE, INSTITUTIONS, COMMITTEE, STREET, SCHOOL_UNIT, KINDERGARTEN_UNIT, CLINIC_UNIT,
 HOSPITAL) = range(11)
DISTRICT_ORGANS = (ORGANS, APPROVAL_STAFF, CENTRE)  # the district organs and departments (区级机关)
HEALTH = (CLINIC_UNIT, HOSPITAL)
EDUCATION_HEALTH = (SCHOOL_UNIT, KINDERGARTEN_UNIT, *HEALTH)  # the units headcount and the pool's loans go to
