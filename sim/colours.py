"""The zones' colours on maps and charts, shared by the CLI's figures and the web page."""

from __future__ import annotations

ZONE_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a")


def zone_colour(zone: int) -> str:
    """The colour of zone ``zone`` (by index) on maps and charts."""
    return ZONE_COLOURS[zone % len(ZONE_COLOURS)]
