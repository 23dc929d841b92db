"""The web page: `solara run app.py` (or `make app`, `chancheng app`). Built from sim.ui; no state here."""

from sim.ui.page import Page

__all__ = ["Page"]
