"""The phases of the month, one module each; ``sim.model.SCHEDULE`` runs them in order.

Each phase is a function of the model's state (``phase(model) -> Flows``): it builds the typed
inputs of its rules from the state, calls the rules (pure functions here or in
``sim.markets``), applies the results through the populations' and tables' methods, and
returns what happened (``sim.flows.Flows``). A rule lives in one place: the phase it belongs
to, or — for a lever's own mechanism — the lever's module (``sim.policies``).

1. ``policies``    levers act; orders out of homes; renewed homes return; public posts follow staff
2. ``approvals``   committees' investment leads, the approval pipeline, openings of approved firms
3. ``firms``       firm exits, growth and organic entry; layoffs
4. ``jobs``        the labour market; in-commuters fill open posts
5. ``homes``       the housing market, talent apartments for in-commuters, rents, private building
6. ``population``  deaths, out-migration, ageing, births, arrivals
7. ``services``    schools, doctors and grid governance by street; residents' satisfaction
"""
