"""Record the scenario's three live months from the mock ecosystem (run from the repo root):

    .venv/bin/python leaderboard_pipeline_tests/scenario/record.py

October and December complete; November with the BAAI data platform down and allowed to be missing, so
the scenario ranks a month with a recorded gap, and December's BAAI downloads bridge it (differenced
against October, scaled to 30 days).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORGS = ["BAAI", "Ali", "Baidu"]
MONTHS = {"2026-10": {}, "2026-11": {"down": ("baai",), "allow_missing": ("baai",)}, "2026-12": {}}


def main() -> None:
    spec = importlib.util.spec_from_file_location(
        "mock_ecosystem", HERE.parent / "collectors" / "mock_ecosystem.py"
    )
    mock = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mock)
    out = HERE / "cassettes"
    shutil.rmtree(out, ignore_errors=True)
    for month, options in MONTHS.items():
        result = mock.record_month(month, out, orgs=ORGS, **options)
        print(month, json.dumps(result.get("rows", result))[:200])


if __name__ == "__main__":
    main()
