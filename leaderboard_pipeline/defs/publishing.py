"""Turn a layer's frames and check outcomes into warehouse writes, materialisations and check results.

Checks run inside the step that builds the tables (one step per layer keeps orchestration cheap).
A failed blocking check stops the step before anything is written, so the stored partitions stay as
they were and nothing downstream runs. Otherwise every table of the layer is written in one
transaction.

Each month tells its own truth in the UI, however many months the run covers: a table's
materialisation of a month carries that month's row count, preview and write (new, replaced,
unchanged), and every check is evaluated per month (a partitioned check: its outcome for that month,
with that month's figures).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator

import dagster as dg
import polars as pl

# Not exported by dagster 1.13.27, but part of the public AssetCheckEvaluation: without it the UI clears
# a partition's check status as soon as the partition is materialised (AssetCheckResult fills it the same
# way, for one partition only).
from dagster._core.definitions.asset_checks.asset_check_evaluation import (
    AssetCheckEvaluationTargetMaterializationData,
)

from leaderboard_pipeline.core.quality import CHECKS, Outcome
from leaderboard_pipeline.defs.partitions import monthly
from leaderboard_pipeline.defs.preview import markdown_table
from leaderboard_pipeline.defs.resources import LeaderboardSettings, Warehouse


def check_specs(layer: str) -> list[dg.AssetCheckSpec]:
    """One check per rule and table, partitioned by month like its table (Dagster 1.13 marks
    ``partitions_def`` on a check as a preview: the per-month status it gives is what the UI needs)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return [
            dg.AssetCheckSpec(
                name=spec.name,
                asset=dg.AssetKey([layer, spec.table]),
                blocking=spec.blocking,
                description=spec.description,
                partitions_def=monthly,
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
    """What the UI shows of a month of a table: for rankings, the top 10 (monthly variant when there is
    one), best first; other tables as written."""
    if "rank" not in frame.columns or frame.is_empty():
        return frame
    if "variant" in frame.columns:
        variant = "monthly" if (frame["variant"] == "monthly").any() else frame["variant"].min()
        frame = frame.filter(pl.col("variant") == variant)
    order = ["rank", "position"] if "position" in frame.columns else ["rank"]
    return frame.sort(order).head(10).drop("position", strict=False)


def _month_metadata(frame: pl.DataFrame, write: str, profile: str | None) -> dict:
    meta = {
        "dagster/row_count": frame.height,
        "write": write,  # new | replaced | unchanged | empty: what this run did to the month
        "preview": dg.MetadataValue.md(markdown_table(_preview(frame).drop("profile", strict=False))),
    }
    if profile is not None:
        meta["profile"] = profile
    return meta


def _write_status(write, month: str) -> str:
    for status in ("new", "replaced", "unchanged"):
        if month in getattr(write, status):
            return status
    return "empty"  # nothing stored and nothing to store for the month


def publish(
    context: dg.AssetExecutionContext,
    run: LeaderboardSettings,
    warehouse: Warehouse,
    layer: str,
    tables: dict[str, pl.DataFrame],
    outcomes: list[Outcome],
) -> Iterator[dg.MaterializeResult | dg.AssetCheckEvaluation | dg.Output]:
    months = context.partition_keys
    failed = [o for o in outcomes if o.blocking and not o.passed]
    targets: dict[dg.AssetKey, dict[str, AssetCheckEvaluationTargetMaterializationData]] = {}
    if not failed:
        writes = warehouse.write(layer, tables, months, run)
        profile = None if layer == "raw" else run.scoring_profile.name
        for table, frame in tables.items():
            key = dg.AssetKey([layer, table])
            parts = frame.partition_by("month", as_dict=True) if frame.height else {}
            for month in months:
                part = parts.get((month,), frame.head(0))
                status = _write_status(writes[table], month)
                context.add_asset_metadata(_month_metadata(part, status, profile), key, month)
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={"warehouse": dg.MetadataValue.path(warehouse.database), "source": run.source},
            )
        targets = _materialisations(context, [dg.AssetKey([layer, t]) for t in tables], months)
    yield from _evaluations(context, layer, outcomes, targets)
    if failed:
        summary = "; ".join(
            f"{layer}.{o.table} {o.name}{f' {o.month}' if o.month else ''}: {o.metadata}" for o in failed[:5]
        )
        raise dg.Failure(
            description=f"blocking check(s) failed, nothing written: {summary}",
            allow_retries=False,
        )


def _materialisations(
    context: dg.AssetExecutionContext, keys: list[dg.AssetKey], months: list[str]
) -> dict[dg.AssetKey, dict[str, AssetCheckEvaluationTargetMaterializationData]]:
    """Per table and month, the materialisation this run just stored: what each month's check
    evaluation is about (the UI tells a check of the current data from one of older data by it)."""
    found = {}
    for key in keys:
        records = context.instance.fetch_materializations(
            dg.AssetRecordsFilter(asset_key=key, asset_partitions=months), limit=len(months)
        ).records
        found[key] = {
            r.partition_key: AssetCheckEvaluationTargetMaterializationData(
                storage_id=r.storage_id, run_id=r.run_id, timestamp=r.timestamp
            )
            for r in records
            if r.run_id == context.run_id
        }
    return found


def _evaluations(
    context: dg.AssetExecutionContext,
    layer: str,
    outcomes: list[Outcome],
    targets: dict[dg.AssetKey, dict[str, AssetCheckEvaluationTargetMaterializationData]],
) -> Iterator[dg.AssetCheckEvaluation | dg.Output]:
    """One evaluation per check and month (AssetCheckResult would record one evaluation for the whole
    range, with no partition), and the check's output once (blocking checks gate downstream steps)."""
    output_names = {spec.key: name for name, spec in context.assets_def.check_specs_by_output_name.items()}
    done = set()
    for o in outcomes:
        key = dg.AssetCheckKey(dg.AssetKey([layer, o.table]), o.name)
        if key not in done:
            done.add(key)
            yield dg.Output(None, output_name=output_names[key])
        yield dg.AssetCheckEvaluation(
            asset_key=key.asset_key,
            check_name=o.name,
            passed=o.passed,
            metadata=o.metadata,
            severity=dg.AssetCheckSeverity.ERROR if o.blocking else dg.AssetCheckSeverity.WARN,
            blocking=o.blocking,
            partition=o.month,
            target_materialization_data=targets.get(key.asset_key, {}).get(o.month),
        )
