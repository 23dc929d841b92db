"""The page's figures: ``LineCharts``, panels of lines drawn with uPlot (``lines.vue``), and
``StreetMap``, the street map drawn as SVG (``street_map.vue``, from ``sim.ui.maps``).

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

A new option whose panels are made the same (all but the data, the axes' tops and the legend's
decimals) only gives the plots new data.

The map: only its colours change from month to month, so a month costs the browser a few
attribute changes instead of ECharts' whole redraw (docs/TOOLCHAIN.md).

Both widgets take their option (and the map its shape) as one JSON string (``json_text``), parsed
in the browser. As a dict, an option was walked by the widget library for binary buffers and by
Vue to make every list of data points reactive, and deep-copied and compared on each change:
~40 KB of numbers a month.
"""

from __future__ import annotations

import json

import ipyvuetify
import traitlets

from sim.ui.assets import UPLOT


def json_text(value: dict) -> str:
    """A widget's option or shape as the JSON string it takes (no NaN: JSON has none; the charts
    send None)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


class LineCharts(ipyvuetify.VuetifyTemplate):
    template_file = (__file__, "lines.vue")
    option = traitlets.Unicode("{}").tag(sync=True)  # (``json_text``)
    version = traitlets.Unicode(UPLOT.split("@")[1]).tag(sync=True)


class StreetMap(ipyvuetify.VuetifyTemplate):
    """The street map: ``shape`` (``maps.shape``; fixed) and each month's ``option``
    (``maps.colours``), both as ``json_text``; a click on a street calls ``on_click`` with its
    Chinese name."""

    template_file = (__file__, "street_map.vue")
    shape = traitlets.Unicode("{}").tag(sync=True)
    option = traitlets.Unicode("{}").tag(sync=True)
    on_click = traitlets.Callable(None, allow_none=True)

    def vue_click(self, name: str) -> None:
        if self.on_click is not None:
            self.on_click(name)
