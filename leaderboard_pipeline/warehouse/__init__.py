"""The DuckDB warehouse: one table per asset (schema = layer), partitioned by the ``month`` column.

- A layer's tables are written in **one transaction** (`write_layer`): a failed write leaves every
  table as it was. Writes go through Arrow.
- Writes are judged **per month**: a month stored with the same content is left alone (a rerun is a
  no-op), a new month is added, a changed month is replaced — except in the raw layer, where a changed
  month is refused unless ``replace_raw`` (raw partitions are immutable; a silently edited input is what
  the published leaderboard suffered from). A raw month stored with a platform missing
  (``snapshot_manifest.status = 'missing'``) may be replaced by a complete one.
- Content identity leaves provenance out (`raw_tables.PROVENANCE`: where a file was read from, when a
  crawl ran): the same input read from another path or replayed later is the same content.
- Tables outside the raw layer carry the scoring ``profile``, so several profiles share one warehouse.
- A warehouse holds **one source** (demo, archive or live), recorded in ``meta.warehouse`` on the first
  write; another source is refused, so one source's raw data never feeds another's scores.
- Every failure is a `WarehouseError` naming the file: missing, read-only, locked by another process,
  disk full.
"""

from leaderboard_pipeline.warehouse.binding import (
    bound_source,
    check_source,
    record_source_version,
    require_source,
    source_version,
)
from leaderboard_pipeline.warehouse.connection import (
    ENV_LOCK_WAIT,
    META_SCHEMA,
    RAW_SCHEMA,
    WarehouseError,
    connect,
    is_remote,
    lock_wait,
    session,
)
from leaderboard_pipeline.warehouse.reads import read_partitions, stored_months
from leaderboard_pipeline.warehouse.runs import InputsRecord, record_inputs, recorded_inputs
from leaderboard_pipeline.warehouse.writes import TableWrite, write_layer

__all__ = [
    "ENV_LOCK_WAIT",
    "InputsRecord",
    "META_SCHEMA",
    "RAW_SCHEMA",
    "TableWrite",
    "WarehouseError",
    "bound_source",
    "check_source",
    "connect",
    "is_remote",
    "lock_wait",
    "read_partitions",
    "record_inputs",
    "record_source_version",
    "recorded_inputs",
    "require_source",
    "session",
    "source_version",
    "stored_months",
    "write_layer",
]
