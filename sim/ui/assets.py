"""Solara's front-end files, cached locally so the page renders with no internet (an intranet).

Solara fetches its JavaScript from a CDN unless it finds the files in its proxy cache
(``SOLARA_ASSETS_PROXY_CACHE_DIR``, by default ``<venv>/share/solara/cdn``). ``fill`` puts them
there once from the npm registry (``npm pack``), each package unpacked into a folder named
exactly as the CDN path names it (``name@version``), with ``__main.js`` for the package's own
entry file. ``python -m sim.ui.assets`` fills the cache (``make app`` does it); ``--check``
reports what is missing.

For an intranet machine: fill the cache on a machine that reaches the npm registry, copy the
folder across, and point ``SOLARA_ASSETS_PROXY_CACHE_DIR`` at it (or copy it into the same
place in the intranet machine's virtual environment).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from solara.server.settings import assets as solara_assets

UPLOT = "uplot@1.6.32"  # the page's line charts (``sim.ui.widgets``)
# What the page loads from the CDN: Solara's app shell and widgets (docs/TOOLCHAIN.md) and uPlot.
PACKAGES = (
    "@widgetti/solara-vuetify-app@10.1.1",
    "requirejs@2.3.6",
    "font-awesome@4.5.0",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
    UPLOT,
)


def cache_dir() -> Path:
    """Where Solara looks for cached assets (its own setting, SOLARA_ASSETS_PROXY_CACHE_DIR)."""
    return Path(solara_assets.proxy_cache_dir)


def missing(cache: Path | None = None) -> list[str]:
    cache = cache or cache_dir()
    return [spec for spec in PACKAGES if not (cache / spec / "package.json").exists()]


def entry_file(package: Path) -> str | None:
    """The file a CDN serves for the bare package URL (jsdelivr, unpkg or main field)."""
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    for key in ("jsdelivr", "unpkg", "browser", "main"):
        value = meta.get(key)
        if isinstance(value, str) and (package / value).is_file():
            return value
    return None


def fill(cache: Path | None = None, npm: str = "npm") -> list[str]:
    """Fetch every missing package with ``npm pack`` and unpack it into the cache."""
    cache = cache or cache_dir()
    todo = missing(cache)
    if not todo:
        return []
    if shutil.which(npm) is None:
        raise RuntimeError(f"npm is not installed; it is needed once to fetch {', '.join(todo)} "
                           f"(or copy a filled cache folder to {cache})")
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for spec in todo:
            out = subprocess.run([npm, "pack", spec, "--silent", "--pack-destination", tmp], capture_output=True,
                                 text=True, check=False)
            if out.returncode != 0:
                raise RuntimeError(f"npm pack {spec} failed: {out.stderr.strip()[-300:]}")
            tarball = Path(tmp) / out.stdout.strip().splitlines()[-1]
            unpacked = Path(tmp) / spec.replace("/", "_")
            with tarfile.open(tarball) as tar:
                tar.extractall(unpacked, filter="data")
            package = unpacked / "package"
            entry = entry_file(package)
            if entry:
                shutil.copyfile(package / entry, package / "__main.js")
            target = cache / spec
            staging = target.with_name(target.name + ".partial")
            shutil.rmtree(staging, ignore_errors=True)
            staging.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(package), staging)
            shutil.rmtree(target, ignore_errors=True)
            staging.rename(target)
    return todo


def main() -> int:
    parser = argparse.ArgumentParser(description="Fill (or check) Solara's local asset cache for offline use.")
    parser.add_argument("--check", action="store_true", help="only report what is missing")
    args = parser.parse_args()
    cache = cache_dir()
    if args.check:
        gaps = missing(cache)
        print(f"{cache}: " + ("complete" if not gaps else "missing " + ", ".join(gaps)))
        return 1 if gaps else 0
    try:
        fetched = fill(cache)
    except RuntimeError as exc:
        print(f"assets: {exc}", file=sys.stderr)
        return 1
    print(f"{cache}: " + (f"fetched {', '.join(fetched)}" if fetched else "already complete"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
