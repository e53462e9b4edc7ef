"""What a completed `leaderboard run` stored, so that a rerun with the same inputs is known to be a no-op
before anything is computed.

- ``meta.generation``: a counter every write that changes a table bumps (`writes.write_layer`, in the
  same transaction). Whoever writes (the CLI, a run from the UI, the schedule), a record made before is
  no longer current.
- ``meta.inputs``: per profile, the digest of everything a run's results depend on (`cli.run_inputs`),
  the months it stored, the generation it left, and the lines it printed (check warnings, baselines).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from leaderboard_pipeline.warehouse.connection import META_SCHEMA, connect, is_remote, table_exists

GENERATION = f'"{META_SCHEMA}".generation'
INPUTS = f'"{META_SCHEMA}".inputs'


@dataclass(frozen=True)
class InputsRecord:
    digest: str
    months: list[str]
    generation: int
    notes: list[str] = field(default_factory=list)


def bump_generation(con) -> None:
    """Inside a write's transaction: the warehouse changed."""
    con.execute(f'create schema if not exists "{META_SCHEMA}"')
    con.execute(f"create table if not exists {GENERATION} (n bigint)")
    if con.execute(f"update {GENERATION} set n = n + 1").fetchone()[0] == 0:
        con.execute(f"insert into {GENERATION} values (1)")


def _generation(con) -> int:
    if not table_exists(con, META_SCHEMA, "generation"):
        return 0
    row = con.execute(f"select n from {GENERATION}").fetchone()
    return int(row[0]) if row else 0


def recorded_inputs(path: Path | str, profile: str) -> tuple[InputsRecord | None, int]:
    """The record of ``profile``'s last completed run (None: none, or the warehouse changed since), and
    the warehouse's generation now."""
    if not is_remote(path) and not Path(path).exists():
        return None, 0
    with connect(path, read_only=True) as con:
        generation = _generation(con)
        if not table_exists(con, META_SCHEMA, "inputs"):
            return None, generation
        row = con.execute(
            f"select digest, months, generation, notes from {INPUTS} where profile = ?", [profile]
        ).fetchone()
    if row is None or int(row[2]) != generation:
        return None, generation
    return InputsRecord(row[0], json.loads(row[1]), int(row[2]), json.loads(row[3])), generation


def record_inputs(path: Path | str, profile: str, digest: str, months: list[str], notes: list[str]) -> None:
    """Record what a completed run stored, at the warehouse's current generation."""
    with connect(path) as con:
        con.execute(f'create schema if not exists "{META_SCHEMA}"')
        con.execute(
            f"create table if not exists {INPUTS} "
            "(profile varchar primary key, digest varchar, months varchar, generation bigint, notes varchar)"
        )
        con.execute(
            f"insert or replace into {INPUTS} values (?, ?, ?, ?, ?)",
            [profile, digest, json.dumps(sorted(set(months))), _generation(con), json.dumps(notes)],
        )
