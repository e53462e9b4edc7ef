"""Turn a layer's frames and check outcomes into warehouse writes, materialisations and check results.

Checks run inside the step that builds the tables (one step per layer keeps orchestration cheap).
A failed blocking check stops the step before anything is written, so the stored partitions stay as
they were and nothing downstream runs. Otherwise every table of the layer is written in one
transaction, and each materialisation says which months were new, replaced or unchanged.
"""

from collections.abc import Iterable, Iterator

import dagster as dg
import polars as pl

from leaderboard_pipeline.core.quality import CHECKS, Outcome
from leaderboard_pipeline.defs.preview import markdown_table
from leaderboard_pipeline.defs.resources import Warehouse


def check_specs(layer: str) -> list[dg.AssetCheckSpec]:
    return [
        dg.AssetCheckSpec(
            name=spec.name,
            asset=dg.AssetKey([layer, spec.table]),
            blocking=spec.blocking,
            description=spec.description,
        )
        for spec in CHECKS[layer]
    ]


def specs(layer: str, tables: dict[str, str], deps: Iterable[dg.AssetDep] = ()) -> list[dg.AssetSpec]:
    """One AssetSpec per table: key ``<layer>/<table>``, the DuckDB table ``<layer>.<table>``."""
    return [
        dg.AssetSpec(
            key=dg.AssetKey([layer, table]),
            group_name=layer,
            description=description,
            metadata={"partition_expr": "month"},
            kinds={"duckdb", "polars"},
            deps=list(deps),
        )
        for table, description in tables.items()
    ]


def _preview(frame: pl.DataFrame) -> pl.DataFrame:
    """What the UI shows of a table: for rankings, the top 10 of the latest month (monthly variant when
    there is one), best first; other tables as written."""
    if "rank" not in frame.columns or frame.is_empty():
        return frame
    latest = frame.filter(pl.col("month") == pl.col("month").max())
    if "variant" in latest.columns:
        variant = "monthly" if (latest["variant"] == "monthly").any() else latest["variant"].min()
        latest = latest.filter(pl.col("variant") == variant)
    order = ["rank", "position"] if "position" in latest.columns else ["rank"]
    return latest.sort(order).head(10).drop("position", strict=False)


def publish(
    context: dg.AssetExecutionContext,
    warehouse: Warehouse,
    layer: str,
    tables: dict[str, pl.DataFrame],
    outcomes: list[Outcome],
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    failed = [o for o in outcomes if o.blocking and not o.passed]
    if not failed:
        writes = warehouse.write(layer, tables, context.partition_keys)
        for table, frame in tables.items():
            write = writes[table]
            yield dg.MaterializeResult(
                asset_key=dg.AssetKey([layer, table]),
                # One materialisation covers every month of a range run, so the row count is the run's;
                # the per-month counts say how the rows split, and which months this run changed.
                metadata={
                    "dagster/row_count": frame.height,
                    "rows_per_month": dg.MetadataValue.json(
                        dict(frame.group_by("month").len().sort("month").iter_rows()) if frame.height else {}
                    ),
                    "months_new": dg.MetadataValue.json(write.new),
                    "months_replaced": dg.MetadataValue.json(write.replaced),
                    "months_unchanged": dg.MetadataValue.json(write.unchanged),
                    "warehouse": dg.MetadataValue.path(warehouse.database),
                    "source": warehouse.source,
                    "preview": dg.MetadataValue.md(
                        markdown_table(_preview(frame).drop("profile", strict=False))
                    ),
                },
            )
    for o in outcomes:
        yield dg.AssetCheckResult(
            asset_key=dg.AssetKey([layer, o.table]),
            check_name=o.name,
            passed=o.passed,
            severity=dg.AssetCheckSeverity.ERROR if o.blocking else dg.AssetCheckSeverity.WARN,
            metadata=o.metadata,
        )
    if failed:
        summary = "; ".join(f"{layer}.{o.table} {o.name}: {o.metadata}" for o in failed[:5])
        raise dg.Failure(
            description=f"blocking check(s) failed, nothing written: {summary}",
            allow_retries=False,
        )
