"""The web page: `solara run app.py` (or `make app`, `chancheng app`). Built from sim.ui; no state here."""

import os

# reacton's fast renderer skips unchanged subtrees instead of walking the whole page each month
# (~15% less server time per month; an opt-in of reacton ≥ 1.11, ignored by older versions).
os.environ.setdefault("REACTON_FAST", "1")

import solara.server.settings  # noqa: E402

solara.server.settings.theme.show_banner = False  # the "runs on Solara" badge covered a chart and a map label

from sim.ui.page import Page  # noqa: E402

__all__ = ["Page"]
