"""The Python examples of docs/API.md run as they stand (from a fresh folder beside the checkout's
experiments)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_api_page_examples_run(tmp_path, monkeypatch):
    text = (ROOT / "docs" / "API.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 5
    (tmp_path / "experiments").symlink_to(ROOT / "experiments")
    monkeypatch.chdir(tmp_path)
    for i, block in enumerate(blocks):
        exec(compile(block, f"docs/API.md block {i + 1}", "exec"), {"__name__": f"api_block_{i}"})
    assert (tmp_path / "my_scenario.toml").exists()
    assert (tmp_path / "results" / "sweeps" / "smoke" / "runs.csv").exists()
