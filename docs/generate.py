"""Regenerate the parts of docs/MODEL.md that are made from the code (``make docs``).

Each part sits between ``<!-- generated: NAME -->`` and ``<!-- end: NAME -->`` and is replaced
by what its function returns; the tests check that the file is up to date. The outcome table
comes from ``sim/outcomes.py``; the table of each lever alone from ``docs/levers.csv``, which
``make lever-table`` simulates (``docs/levers.py``); the calibration, validation and robustness
tables from ``docs/evidence/`` (``docs/evidence.py``), which ``make evidence`` regenerates.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import evidence  # (docs/evidence.py and docs/levers.py, beside this file)
import levers

from sim import outcomes

MODEL_MD = Path(__file__).resolve().parent / "MODEL.md"
PARTS = {"outcomes": outcomes.markdown, "levers": levers.markdown, "calibration": evidence.calibration,
         "validation": evidence.validation, "conclusions": evidence.conclusions}


def regenerate(text: str) -> str:
    for name, make in PARTS.items():
        pattern = re.compile(rf"(<!-- generated: {name} -->\n)(?:.*?\n)?(<!-- end: {name} -->)", re.S)
        if not pattern.search(text):
            raise SystemExit(f"{MODEL_MD}: no '<!-- generated: {name} -->' … '<!-- end: {name} -->' section")
        text = pattern.sub(lambda m, make=make: m.group(1) + make() + "\n" + m.group(2), text)
    return text


if __name__ == "__main__":
    new = regenerate(MODEL_MD.read_text(encoding="utf-8"))
    MODEL_MD.write_text(new, encoding="utf-8")
    sys.stdout.write(f"{MODEL_MD}: {', '.join(PARTS)} regenerated\n")
