"""The page's line charts: a widget that draws panels of lines with uPlot (``lines.vue``).

uPlot (MIT; loaded from Solara's asset cache, ``sim.ui.assets``) draws the page's trend panels for
~a fifth of the browser's CPU ECharts took (docs/TOOLCHAIN.md). The widget's ``option`` is one
figure: ``columns`` panels a row, each ``height`` pixels high, over ``dates`` (the x-axis: month
k of the run is ``dates[k]``), an optional ``title`` and ``month_label`` (the legend's date), and
``panels``, each a dict of

- ``title``; ``digits``, the decimals of the legend's values;
- ``y``: the axis' ``min`` and ``max`` (None: above the highest line or band), an optional
  ``label``; ``y2`` (optional): a right-hand axis the same way, with its own ``digits``;
- ``series``: lines with ``label``, ``colour``, ``width``, ``dash`` (dashed), ``right`` (on
  ``y2``) and ``data`` (a value or None per date);
- ``bands``: shaded 95% bands with ``low`` and ``high`` (per date), ``colour`` and ``opacity``;
- ``marks``: ``x``, dotted vertical lines ``{"at": k, "colour"}``; ``y``, dotted horizontal lines
  ``{"at": value, "label", "colour"}``; ``band``, a shaded range of y ``{"low", "high",
  "colour", "label", "text"}`` (the words' colour).

A new option whose panels are made the same (all but the data) only gives the plots new data.
"""

from __future__ import annotations

import ipyvuetify
import traitlets

from sim.ui.assets import UPLOT


class LineCharts(ipyvuetify.VuetifyTemplate):
    template_file = (__file__, "lines.vue")
    option = traitlets.Dict({}).tag(sync=True)
    version = traitlets.Unicode(UPLOT.split("@")[1]).tag(sync=True)
