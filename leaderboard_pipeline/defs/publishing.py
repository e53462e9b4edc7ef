"""Turn a layer's frames and check outcomes into warehouse writes, materialisations and check results.

Checks run inside the step that builds the tables (one step per layer keeps orchestration cheap).
A failed blocking check stops the step before anything is written, so the stored partitions stay as
they were and nothing downstream runs. Otherwise every table of the layer is written in one
transaction.

Each month tells its own truth in the UI, however many months the run covers: a table's
materialisation of a month carries that month's row count, preview and write (new, replaced,
unchanged), and its checks are evaluated per month (a partitioned check: its outcome for that month,
with that month's figures).

A table's rules (`core.quality.CHECKS`: its pandera schema and domain rules) are one Dagster check,
``quality``, per table and month: each evaluation lists every rule's figures (``unique_records.
duplicate_records``), which rules failed (``rules_failed``), and is a failure (ERROR) when a blocking rule
failed, a warning (WARN) when only warning rules did. One check per rule would store every month's
evaluation of each of ~90 rules as its own event: 890 events for a ten-month backfill instead of 390,
about 12 % of its CPU time (docs/performance.md).
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

from leaderboard_pipeline.core.quality import CHECKS, CheckSpec, Outcome
from leaderboard_pipeline.defs.preview import markdown_table
from leaderboard_pipeline.defs.resources import LeaderboardSettings, Warehouse

CHECK = "quality"  # the one Dagster check of each table


def rules_of(layer: str) -> dict[str, list[CheckSpec]]:
    """table -> its rules, in `CHECKS` order."""
    tables: dict[str, list[CheckSpec]] = {}
    for spec in CHECKS[layer]:
        tables.setdefault(spec.table, []).append(spec)
    return tables


def check_specs(layer: str, monthly: dg.PartitionsDefinition) -> list[dg.AssetCheckSpec]:
    """One check per table, partitioned by month like its table (Dagster 1.13 marks ``partitions_def``
    on a check as a preview: the per-month status it gives is what the UI needs)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return [
            dg.AssetCheckSpec(
                name=CHECK,
                asset=dg.AssetKey([layer, table]),
                blocking=any(rule.blocking for rule in rules),
                description="Per month: "
                + "; ".join(
                    f"{r.name} ({'blocking' if r.blocking else 'warning'}): {r.description}" for r in rules
                ),
                partitions_def=monthly,
            )
            for table, rules in rules_of(layer).items()
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
    """One evaluation per table and month (AssetCheckResult would record one evaluation for the whole
    range, with no partition), and each check's output once (blocking checks gate downstream steps)."""
    output_names = {spec.key: name for name, spec in context.assets_def.check_specs_by_output_name.items()}
    months: dict[tuple[str, str | None], list[Outcome]] = {}
    for o in outcomes:
        months.setdefault((o.table, o.month), []).append(o)
    done = set()
    for (table, month), rules in months.items():
        key = dg.AssetCheckKey(dg.AssetKey([layer, table]), CHECK)
        if key not in done:
            done.add(key)
            yield dg.Output(None, output_name=output_names[key])
        failed = [o for o in rules if not o.passed]
        yield dg.AssetCheckEvaluation(
            asset_key=key.asset_key,
            check_name=CHECK,
            passed=not failed,
            metadata={
                "rules_failed": ", ".join(o.name for o in failed),
                **{f"{o.name}.{k}": v for o in rules for k, v in o.metadata.items()},
            },
            severity=dg.AssetCheckSeverity.ERROR
            if any(o.blocking for o in failed)
            else dg.AssetCheckSeverity.WARN,
            description="; ".join(f"{o.name}: {_figures(o.metadata)}" for o in failed) or None,
            blocking=True,
            partition=month,
            target_materialization_data=targets.get(key.asset_key, {}).get(month),
        )


def _figures(metadata: dict) -> str:
    """The figures that say what is wrong (zero counts and empty lists only add noise)."""
    shown = {k: v for k, v in metadata.items() if k != "failure_sample"}
    telling = {k: v for k, v in shown.items() if v not in (0, "", None)} or shown
    return ", ".join(f"{k}={v}" for k, v in telling.items())
