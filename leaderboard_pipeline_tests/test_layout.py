"""The package's folders are layers: a module imports only from its own layer or the ones below it."""

from __future__ import annotations

import ast
from pathlib import Path

import leaderboard_pipeline

PACKAGE = Path(leaderboard_pipeline.__file__).parent
# bottom to top; `definitions.py` at the root (where Dagster looks for the code location) is Dagster wiring
LAYERS = ("contract", "config", "core", "collectors", "sources", "warehouse", "site", "defs", "cli")


def _layer(module: str) -> int:
    parts = module.split(".")
    if parts[0] != "leaderboard_pipeline" or len(parts) == 1:
        return -1
    if parts[1] == "definitions":
        return LAYERS.index("defs")
    return LAYERS.index(parts[1]) if parts[1] in LAYERS else len(LAYERS)


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = (
                [node.module]
                if node.module != "leaderboard_pipeline"
                else [f"leaderboard_pipeline.{a.name}" for a in node.names]
            )
            found += [(node.lineno, n) for n in names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return [(line, n) for line, n in found if n.startswith("leaderboard_pipeline.")]


def test_every_module_sits_in_a_layer():
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "definitions.py")]
    assert not loose, f"modules outside the layer folders: {loose}"
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == set(LAYERS)


def test_no_import_runs_up_a_layer():
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(("leaderboard_pipeline", *path.relative_to(PACKAGE).with_suffix("").parts))
        own = _layer(module)
        for line, imported in _imports(path):
            if _layer(imported) > own:
                upward.append(f"{path.relative_to(PACKAGE)}:{line} imports {imported}")
    assert not upward, "\n".join(upward)
