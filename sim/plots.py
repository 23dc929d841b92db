"""Figures for the command line (PNG, matplotlib). Plot functions take data frames and return
``(fig, ax)``; the web page draws the same frames with ECharts.

Chinese labels need a CJK font: the font list below falls back across the usual ones (Debian's
Noto CJK and WenQuanYi, Windows' YaHei, macOS' PingFang); without any, labels are English only
rather than boxes.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from sim.labels import label  # noqa: E402

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei",
             "PingFang SC", "SimHei", "Source Han Sans SC")


@cache
def cjk_font() -> str | None:
    """The first CJK font matplotlib can find, or None."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in names), None)


def setup() -> str:
    """Configure fonts; return the label language the figures can show ('both' or 'en')."""
    font = cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
        plt.rcParams["axes.unicode_minus"] = False
    return "both" if font else "en"


def compare_metric(table: pd.DataFrame, metric: str, area: str, names: tuple[str, str], lang: str):
    """Two panels for one metric: both scenarios' means over time, and their difference with its 95% CI."""
    rows = table[(table["metric"] == metric) & (table["area"] == area)].sort_values("month")
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 5.5), sharex=True, height_ratios=[3, 2])
    top.plot(rows["month"], rows["base_mean"], color="#7a7a7a", label=names[0])
    top.plot(rows["month"], rows["other_mean"], color="#c0392b", label=names[1])
    top.set_ylabel(label(metric, lang))
    where = "" if area == "district" else f" — {area}"
    top.set_title(label(metric, lang) + where)
    top.legend(frameon=False)
    bottom.axhline(0.0, color="black", linewidth=0.6)
    bottom.fill_between(rows["month"], rows["ci_low"], rows["ci_high"], color="#c0392b", alpha=0.25, linewidth=0,
                        label="95% CI")
    bottom.plot(rows["month"], rows["difference"], color="#c0392b")
    bottom.set_ylabel("difference 差值" if lang == "both" else "difference")
    bottom.set_xlabel("month 月" if lang == "both" else "month")
    bottom.legend(frameon=False, loc="upper left")
    fig.tight_layout()
    return fig, (top, bottom)


def save(fig, path: Path) -> None:
    fig.savefig(path, dpi=110)
    plt.close(fig)
