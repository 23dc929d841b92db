"""Figures for the command line (PNG, matplotlib). Plot functions take data frames and return
``(fig, ax)``; the web page draws the same frames with ECharts.

Chinese labels need a CJK font: the setup installs one (WenQuanYi Micro Hei, in the mpl-font
wheel); without it the font list below falls back across the usual ones (Debian's Noto CJK and
WenQuanYi, Windows' YaHei, macOS' PingFang); without any, labels are English only rather than boxes.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from sim.colours import zone_colour  # noqa: E402
from sim.errors import named  # noqa: E402
from sim.outcomes import MEASURES as MEASURE_NAMES  # noqa: E402
from sim.outcomes import label  # noqa: E402

CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Microsoft YaHei",
             "PingFang SC", "SimHei", "Source Han Sans SC")


BUNDLED_CJK_FONT = "WenQuanYi Micro Hei"  # the font the setup installs (the mpl-font wheel: docs/TOOLCHAIN.md)


@cache
def bundled_cjk_font() -> Path | None:
    """The setup's CJK font file, registered with matplotlib (None if the package is missing)."""
    try:
        path = Path(str(resources.files("mpl_font") / "fonts" / "wqy" / "wqy-microhei.ttc"))
    except ModuleNotFoundError:
        return None
    if not path.is_file():
        return None
    font_manager.fontManager.addfont(str(path))
    return path


@cache
def cjk_font() -> str | None:
    """The CJK font the figures use: the setup's, so every machine draws (and the brief prints)
    with the same one; else the first CJK font matplotlib can find; else None."""
    if bundled_cjk_font() is not None:
        return BUNDLED_CJK_FONT
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
    try:
        with named(path):
            fig.savefig(path, dpi=110)
    finally:
        plt.close(fig)


def time_series(bands: pd.DataFrame, metric: str, by: str, lang: str):
    """One line per group with its 95% band (from ``analysis.band``); many groups → median and range."""
    fig, ax = plt.subplots(figsize=(7, 4))
    groups = list(dict.fromkeys(bands[by]))
    if len(groups) <= 12:
        for group in groups:
            rows = bands[bands[by] == group]
            line = ax.plot(rows["month"], rows["mean"], label=str(group), linewidth=1.4)[0]
            ax.fill_between(rows["month"], rows["ci_low"], rows["ci_high"], color=line.get_color(), alpha=0.18,
                            linewidth=0)
        ax.legend(frameon=False, fontsize=8, title=by, ncol=2 if len(groups) > 6 else 1)
    else:
        wide = bands.pivot(index="month", columns=by, values="mean")
        ax.fill_between(wide.index, wide.quantile(0.1, axis=1), wide.quantile(0.9, axis=1), color="#2c7fb8",
                        alpha=0.25, linewidth=0, label=f"10–90% of {len(groups)} {by}s")
        ax.plot(wide.index, wide.median(axis=1), color="#2c7fb8", label="median")
        ax.legend(frameon=False, fontsize=8)
    ax.set_title(label(metric, lang))
    ax.set_xlabel("month 月" if lang == "both" else "month")
    fig.tight_layout()
    return fig, ax


def street_map(values: pd.Series, district, metric: str, lang: str, title: str = ""):
    """The streets coloured by a metric (indexed by street name), zones outlined, names shown."""
    from matplotlib.collections import PolyCollection

    cells = district.street_polygons()
    data = values.reindex(list(district.street_names)).to_numpy(dtype=float)
    from matplotlib.colors import TwoSlopeNorm

    fig, ax = plt.subplots(figsize=(7, 6))
    # The jobs–housing ratio diverges around balance (1); other metrics use a plain scale.
    norm = (TwoSlopeNorm(1.0, min(np.nanmin(data), 0.99), max(np.nanmax(data), 1.01))
            if metric == "jobs_housing_ratio" else None)
    patches = PolyCollection(cells, array=data, cmap="RdYlBu_r", norm=norm, edgecolors="white", linewidths=1.0)
    ax.add_collection(patches)
    for z, zone in enumerate(district.zones):
        for s in zone.streets:
            cell = cells[s]
            ax.plot(*np.vstack([cell, cell[:1]]).T, color=zone_colour(z), linewidth=2.5,
                    label=(zone.name if lang == "both" else zone.name_en) if s == zone.streets[0] else None)
    for i, name in enumerate(district.street_names):
        text = f"{name}\n{data[i]:.2f}" if lang == "both" else f"{district.street_pinyin[i]}\n{data[i]:.2f}"
        ax.text(*district.xy[i], text, ha="center", va="center", fontsize=8)
    ax.autoscale_view()
    ax.set_aspect("equal")
    ax.set_axis_off()
    fig.colorbar(patches, ax=ax, shrink=0.7, label=label(metric, lang))
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3)
    ax.set_title(title or label(metric, lang))
    fig.tight_layout()
    return fig, ax


def sensitivity_bars(indices: pd.DataFrame, outcome: str, lang: str):
    """Factors ranked by their main sensitivity index for one outcome (μ* for Morris, ST for Sobol)."""
    rows = indices[indices["outcome"] == outcome]
    morris = "mu_star" in rows and rows["mu_star"].notna().any()
    key, conf = ("mu_star", "mu_star_conf") if morris else ("ST", "ST_conf")
    rows = rows.sort_values(key)
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(rows) + 1.5))
    ax.barh(rows["factor"], rows[key], xerr=rows[conf], color="#2c7fb8", ecolor="#555555", capsize=3)
    ax.set_xlabel({"mu_star": "μ* (Morris)", "ST": "total-order index ST (Sobol)"}[key])
    ax.set_title(f"{label(outcome, lang)}: " + ("which lever matters most 哪个杠杆最重要" if lang == "both"
                                                else "which lever matters most"))
    fig.tight_layout()
    return fig, ax


def posterior_marginals(posterior: pd.DataFrame, parameters: pd.DataFrame, lang: str):
    """One weighted histogram per calibrated parameter over its prior range (the prior is flat)."""
    n = len(parameters)
    cols = min(n, 3)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 2.6 * rows), squeeze=False)
    for ax, row in zip(axes.flat, parameters.itertuples(), strict=False):
        ax.hist(posterior[row.parameter], bins=20, range=(row.prior_low, row.prior_high),
                weights=posterior["weight"], density=True, color="#2c7fb8")
        ax.axhline(1 / (row.prior_high - row.prior_low), color="#888888", linestyle="--", linewidth=1)
        ax.axvline(row.median, color="#d95f0e", linewidth=1.5)
        ax.set_title(row.parameter + (f" (at its {row.at_bound} bound)" if row.at_bound else ""), fontsize=9)
        ax.set_yticks([])
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.suptitle("posterior (bars) and prior (dashed) 后验与先验" if lang == "both" else
                 "posterior (bars) and prior (dashed)")
    fig.tight_layout()
    return fig, axes


def posterior_pairs(posterior: pd.DataFrame, names: list[str], lang: str):
    """Every pair of calibrated parameters: the accepted sets, sized by weight (trade-offs show as ridges)."""
    n = len(names)
    fig, axes = plt.subplots(n, n, figsize=(1.3 * n + 1, 1.3 * n + 1), squeeze=False)
    size = 12 * posterior["weight"] / posterior["weight"].max()
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            ax = axes[i, j]
            if i == j:
                ax.hist(posterior[a], bins=20, weights=posterior["weight"], color="#2c7fb8")
            elif i > j:
                ax.scatter(posterior[b], posterior[a], s=size, alpha=0.4, color="#2c7fb8", linewidths=0)
            else:
                ax.set_visible(False)
            ax.tick_params(labelsize=6)
            if i == n - 1:
                ax.set_xlabel(b, fontsize=7)
            if j == 0 and i > 0:
                ax.set_ylabel(a, fontsize=7)
    fig.suptitle("accepted parameter sets, pairwise 参数对" if lang == "both" else "accepted parameter sets, pairwise")
    fig.tight_layout()
    return fig, axes


def robustness_strips(effects: pd.DataFrame, conclusions: pd.DataFrame, area: str, metric: str, lang: str):
    """One outcome: every lever's effect in each parameter set (dots), its median and 90% interval."""
    rows = conclusions[(conclusions["area"] == area) & (conclusions["metric"] == metric)]
    levers = list(rows["lever"])
    fig, ax = plt.subplots(figsize=(7.5, 0.42 * len(levers) + 1.6))
    for i, row in enumerate(rows.itertuples()):
        v = effects[(effects["lever"] == row.lever) & (effects["area"] == area) & (effects["metric"] == metric)]
        jitter = (np.arange(len(v)) % 7 - 3) * 0.04
        colour = "#2c7fb8" if row.sign_share >= 0.9 else "#d95f0e"
        ax.scatter(v["effect"], i + jitter, s=9, alpha=0.5, color=colour, linewidths=0)
        ax.plot([row.p05, row.p95], [i, i], color="#333333", linewidth=1.5)
        ax.plot([row.median], [i], marker="|", markersize=14, color="#333333")
    ax.axvline(0, color="#888888", linewidth=1)
    ax.set_yticks(range(len(levers)), [f"{lever} ({share:.0%})" for lever, share in zip(levers, rows["sign_share"],
                                                                                         strict=True)])
    name = label(metric, lang) if metric in MEASURE_NAMES else metric.replace("_", " ")
    where = "" if area == "district" else f" ({area})"
    ax.set_xlabel(f"effect against the baseline: {name}{where}")
    ax.set_title("median, 90% interval, one dot per parameter set; (share with the median's sign)", fontsize=9)
    fig.tight_layout()
    return fig, ax


def discovery_figures(boxes: pd.DataFrame, ranges: pd.DataFrame, outcome: str, condition: str, lang: str) -> dict:
    """Scenario discovery (``sim.discovery``): ``tradeoff`` — coverage against density along PRIM's
    peeling trajectory, the chosen box marked — and ``box`` — the chosen box's range of each factor
    against its full range (as a share of it). Each a ``(fig, ax)``; ``boxes`` is boxes.csv,
    ``ranges`` the discovery's ``ranges_table``."""
    both = lang == "both"
    title = f"{label(outcome, lang)} {condition}"
    path = boxes.drop_duplicates("box").sort_values("box")
    chosen = path[path["chosen"]].iloc[0]
    fig, ax = plt.subplots(figsize=(6.5, 4.8))
    ax.plot(path["coverage"], path["density"], color="#bbbbbb", linewidth=1, zorder=1)
    dims = path["n_restricted"].astype(int)
    cmap = plt.get_cmap("viridis", max(int(dims.max()), 1) + 1)
    points = ax.scatter(path["coverage"], path["density"], c=dims, cmap=cmap, vmin=-0.5, vmax=cmap.N - 0.5, s=22,
                        zorder=2)
    fig.colorbar(points, ax=ax, ticks=range(cmap.N), label="restricted factors 受限因素数" if both
                 else "restricted factors")
    ax.scatter([chosen["coverage"]], [chosen["density"]], s=160, facecolors="none", edgecolors="#d95f0e",
               linewidths=2, zorder=3, label=f"chosen: box {int(chosen['box'])}" + (" 选定的框" if both else ""))
    ax.axvline(0.5, color="#888888", linestyle="--", linewidth=1)
    ax.axhline(path["density"].iloc[0], color="#888888", linestyle=":", linewidth=1,
               label="share of all runs 全部运行中的比例" if both else "share of all runs")
    ax.set_xlabel("coverage 覆盖率" if both else "coverage")
    ax.set_ylabel("density 密度" if both else "density")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    ax.set_title(f"{title}\nPRIM peeling trajectory" + (" 剥离轨迹" if both else ""), fontsize=10)
    fig.tight_layout()
    tradeoff = (fig, ax)

    rows = ranges.sort_values("restricted", ascending=False, kind="stable").iloc[::-1]
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(rows) + 2.2))
    for i, row in enumerate(rows.itertuples()):
        ax.barh(i, 1.0, color="#e5e5e5", height=0.6)
        if row.full_levels:  # a category: the share of its levels the box keeps
            full, kept = row.full_levels.split("|"), row.levels.split("|")
            lo, hi, text = 0.0, len(kept) / len(full), f"{', '.join(kept)} of {len(full)} levels"
        else:
            span = row.full_high - row.full_low
            lo, hi = (row.low - row.full_low) / span, (row.high - row.full_low) / span
            text = f"[{row.low:.4g}, {row.high:.4g}] of [{row.full_low:.4g}, {row.full_high:.4g}]"
        kind = "restricted" if row.restricted else "not restricted"
        ax.barh(i, hi - lo, left=lo, color="#d95f0e" if row.restricted else "#9ecae1", height=0.6,
                label=kind + ({"restricted": " 受限", "not restricted": " 不受限"}[kind] if both else ""))
        ax.text(1.02, i, text if row.restricted else "(all)", va="center", fontsize=8)
    ax.set_yticks(range(len(rows)), list(rows["factor"]))
    ax.set_xlim(0, 1)
    handles, names = ax.get_legend_handles_labels()
    unique = dict(zip(names, handles, strict=True))
    ax.legend(unique.values(), unique.keys(), frameon=False, fontsize=8, loc="upper center",
              bbox_to_anchor=(0.5, -0.12 - 0.3 / len(rows)), ncol=2)
    ax.set_xlabel("share of the factor's range in the sweep 占因素取值范围的比例" if both
                  else "share of the factor's range in the sweep")
    ax.set_title(f"{title}\nbox {int(chosen['box'])}, coverage {chosen['coverage']:.2f}, density "
                 f"{chosen['density']:.2f}", fontsize=10)
    fig.tight_layout()
    return {"tradeoff": tradeoff, "box": (fig, ax)}
