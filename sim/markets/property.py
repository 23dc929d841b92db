"""Private developers' feasibility: the pro-forma and the rate of project starts.

(Rents of housing and of floor space follow occupancy by ``sim.markets.partial_adjustment``.)

A private developer tests a project by a pro-forma (in the spirit of UrbanSim's square-foot
pro-forma, reduced to one building type per use): the finished building is worth its yearly
rent at the expected occupancy capitalised at the use's cap rate; it costs its land and its
construction, both carried at the cost of capital from the land purchase to delivery (land
months + expected approval time + construction months), so a slower approval makes every project
dearer. The margin is value over cost − 1. Land is priced once, at the start, by its residual
value: what a project started then can pay and still earn the developer's hurdle margin (never
below 0). Projects start at a rate proportional to the developable land left and to the margin
over the hurdle (none at a negative margin).
"""

from __future__ import annotations

import numpy as np


def building_value(rent: np.ndarray, occupancy, cap_rate) -> np.ndarray:
    """Value of a m² of finished floor space (yuan): yearly rent at the expected occupancy over
    the cap rate."""
    return rent * 12.0 * occupancy / cap_rate


def carry(interest_per_year: float, months) -> np.ndarray:
    """Cost factor of money spent at the land purchase and recovered at delivery ``months`` later."""
    return (1.0 + interest_per_year) ** (np.asarray(months, dtype=float) / 12.0)


def residual_land_price(value, build_cost, hurdle: float, carrying) -> np.ndarray:
    """Land price per m² of floor space a project can pay and still earn the hurdle margin."""
    return np.maximum(value / ((1.0 + hurdle) * carrying) - build_cost, 0.0)


def margin(value, land_price, build_cost, carrying) -> np.ndarray:
    """A project's margin: value over all-in cost − 1."""
    return value / ((land_price + build_cost) * carrying) - 1.0


def start_rate(per_m2_land: np.ndarray, land_left: np.ndarray, margins: np.ndarray, hurdle: float,
               max_pull: float) -> np.ndarray:
    """Expected project starts a month: proportional to the land left and to margin / hurdle
    (0 at a negative margin, at most ``max_pull`` times the rate at the hurdle)."""
    return per_m2_land * np.maximum(land_left, 0.0) * np.clip(margins / hurdle, 0.0, max_pull)
