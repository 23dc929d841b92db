"""The example notebook runs end to end (at a coarse scale) and writes the study's files."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
SMALL = """
MONTHS = 24
SCALE = 1000
SAMPLES = 10
REPLICATIONS = 1
TRAJECTORIES = 2
SCENARIOS = 2
WORKERS = 2
USE_DASK = True
OUT = "study"
"""


def test_the_example_study_notebook_runs(tmp_path):
    notebook = nbformat.read(ROOT / "examples" / "study.ipynb", as_version=4)
    first = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert "MONTHS" in first.source and "USE_DASK" in first.source  # (the cell the sizes live in)
    first.source = SMALL
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    study = tmp_path / "study"
    assert len(pd.read_csv(study / "lhs" / "runs.csv")) == 10
    assert (study / "morris" / "model.csv").exists()
    assert (study / "lhs" / "discovery_jobs_housing_ratio" / "boxes.csv").exists()
    assert set(pd.read_csv(study / "crossed" / "runs.csv")["policy"]) == {"none", "package", "approval_only"}
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
