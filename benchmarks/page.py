"""How fast a month shows on the web page: one session stepping, and ten sessions playing at once.

    python benchmarks/page.py [--sessions 10] [--seconds 20]

Starts `solara run app.py` on a free port and drives Debian's chromium with Playwright. A
MutationObserver in each page timestamps every change of the month label, so the figures are
what a user sees: the latency from clicking Step to the new month on screen, and, while ten
sessions play at full speed, the interval between months on each page — and the CPU the server,
its model workers and the browsers each spend per month shown. This machine's speed swings by
±20% from minute to minute, so these are also given in units of what a model month cost the
workers in the same run (their CPU over the seed-months stepped): ratios that compare runs made
at different speeds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from sim.ui.server import CHROMIUM, CHROMIUM_ARGS, local_server
from sim.ui.session import SEEDS

WATCH = """() => { window.monthTimes = [];
  const label = document.querySelector('.month-label');
  new MutationObserver(() => window.monthTimes.push([performance.now(), label.innerText]))
    .observe(label, {childList: true, subtree: true, characterData: true}); }"""


def p90(values):
    return sorted(values)[int(0.9 * (len(values) - 1))]


def cpu_by_part(server: int) -> dict[str, float]:
    """User + system CPU seconds so far (Linux /proc) of the server process itself, its
    descendants (the page's model workers and run pool) and every Chromium process."""
    stats = {}
    for path in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = path.read_text()
        except OSError:
            continue
        name, rest = text.split("(", 1)[1].rsplit(")", 1)
        fields = rest.split()
        stats[int(path.parent.name)] = (name, int(fields[1]), int(fields[11]) + int(fields[12]))  # ppid, ticks
    tree = {server}
    while more := {p for p, (_, ppid, _) in stats.items() if ppid in tree} - tree:
        tree |= more
    tick = os.sysconf("SC_CLK_TCK")
    return {"server": stats.get(server, ("", 0, 0))[2] / tick,
            "workers": sum(stats[p][2] for p in tree - {server} if p in stats) / tick,
            "browsers": sum(t for name, _, t in stats.values() if name.startswith("chrom")) / tick}


def open_page(browser, url):
    page = browser.new_context(viewport={"width": 1500, "height": 1000}).new_page()
    page.goto(url, timeout=90_000)
    page.get_by_role("button", name="单步").wait_for(timeout=90_000)
    page.evaluate(WATCH)
    return page


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    with local_server() as (url, server), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = open_page(browser, url)
        latencies = []
        for i in range(1, args.steps + 1):
            clicked = page.evaluate("() => performance.now()")
            page.get_by_role("button", name="单步").click()
            page.get_by_text(f"第 {i} 月").wait_for(timeout=30_000)
            shown = page.evaluate(f"() => window.monthTimes.filter(t => t[1].includes('第 {i} 月'))[0][0]")
            latencies.append((shown - clicked) / 1000.0)
        print(f"one session, Step → month on screen: median {statistics.median(latencies):.3f} s, "
              f"p90 {p90(latencies):.3f} s over {len(latencies)} steps")
        page.context.close()

        pages = [open_page(browser, url) for _ in range(args.sessions)]
        for pg in pages:  # full speed: 12 months a second asked of every session
            slider = pg.locator(".speed .v-slider")
            box = slider.bounding_box()
            slider.click(position={"x": box["width"] - 2, "y": box["height"] / 2})
        for pg in pages:
            pg.get_by_role("button", name="播放").click()
        cpu, wall = cpu_by_part(server.pid), time.perf_counter()
        starts = [pg.evaluate("() => performance.now()") for pg in pages]
        time.sleep(args.seconds)
        ends = [pg.evaluate("() => performance.now()") for pg in pages]
        cpu, wall = {k: v - cpu[k] for k, v in cpu_by_part(server.pid).items()}, time.perf_counter() - wall
        intervals, months = [], 0
        for pg, start, end in zip(pages, starts, ends, strict=True):
            times = [t for t, _ in pg.evaluate("() => window.monthTimes") if start <= t <= end]
            intervals += [(b - a) / 1000.0 for a, b in zip(times, times[1:], strict=False)]
            months += len(times)
        print(f"{args.sessions} sessions playing: a new month every {statistics.median(intervals):.3f} s "
              f"(median), p90 {p90(intervals):.3f} s, mean {args.sessions * wall / max(months, 1):.3f} s; "
              f"{months / wall:.1f} months/s shown in all")
        ms = {k: 1000 * v / max(months, 1) for k, v in cpu.items()}
        print(f"CPU per month shown: server {ms['server']:.0f} ms, its model workers {ms['workers']:.0f} ms, "
              f"the browsers {ms['browsers']:.0f} ms; these three kept {sum(cpu.values()) / wall:.2f} cores busy")
        unit = ms["workers"] / SEEDS  # (each month shown is a month of every seed)
        print(f"in model months ({unit:.1f} ms each in this run): server {ms['server'] / unit:.1f}, "
              f"its model workers {ms['workers'] / unit:.1f}, the browsers {ms['browsers'] / unit:.1f}; "
              f"{sum(ms.values()) / unit:.1f} in all")
        served, cores = (cpu["server"] + cpu["workers"]) / max(months, 1), os.cpu_count() or 1
        print(f"with the browsers on other computers, {args.sessions} sessions would see a month every "
              f"{args.sessions * served / cores:.2f} s on this machine's {cores} cores")
        browser.close()


if __name__ == "__main__":
    main()
