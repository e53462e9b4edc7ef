"""What a Dagster run did, read from its events: the first error of ours, the checks that warned or
failed in which month, and which months each layer wrote new, replaced or found unchanged."""

from __future__ import annotations

import re

from leaderboard_pipeline.contract.months import ranges

OUR_ERRORS = {"SourceError", "WarehouseError", "Failure", "CollectError", "RegistryError", "ProfileError"}


def error_message(result) -> str:
    """The error our code raised in the first failed step (not Dagster's wrappers, not its causes)."""
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE" and event.event_specific_data is not None:
            chain, error = [], event.event_specific_data.error
            while error is not None:
                chain.append(error)
                error = error.cause
            ours = next((e for e in chain if e.cls_name in OUR_ERRORS), chain[-1] if chain else None)
            if ours is not None:
                text = ours.message.strip()
                text = re.sub(r"^[\w.]+(Error|Failure): ", "", text)
                return " ".join(text.split("\n")[:3]).strip() or "step failed"
    return "the run failed (see the Dagster UI for the run log)"


def warning_lines(evaluations) -> list[str]:
    """One line per rule that failed, with each month's figures: ``check raw/hf_models unique_records:
    2025-02 duplicate_records=25; 2025-05 duplicate_records=3`` (a table's check lists its rules' figures
    as ``<rule>.<figure>`` and the rules that failed in ``rules_failed``)."""
    by_rule: dict[tuple[str, str], list[str]] = {}
    for evaluation in evaluations:
        if evaluation.passed:
            continue
        metadata = {k: v.value for k, v in evaluation.metadata.items()}
        month = f"{evaluation.partition} " if evaluation.partition else ""
        for rule in filter(None, str(metadata.get("rules_failed", "")).split(", ")):
            figures = {
                k.split(".", 1)[1]: v
                for k, v in metadata.items()
                if k.startswith(f"{rule}.") and not k.endswith(".failure_sample")
            }
            # the figures that say what is wrong (a warning's zero counts and empty lists only add noise)
            telling = {k: v for k, v in figures.items() if v not in (0, "", None)} or figures
            detail = ", ".join(f"{k}={v}" for k, v in telling.items())
            by_rule.setdefault((evaluation.asset_key.to_user_string(), rule), []).append(f"{month}{detail}")
    return [f"  check {asset} {rule}: {'; '.join(months)}" for (asset, rule), months in by_rule.items()]


def write_summary(result) -> dict[str, dict[str, set[str]]]:
    """Per layer, which months the run wrote new, replaced, or found stored with the same content (each
    month's materialisation says what the run did to it: ``write``)."""
    layers: dict[str, dict[str, set[str]]] = {}
    for event in result.get_asset_materialization_events():
        layer = event.asset_key.path[0]
        metadata = event.materialization.metadata
        status = metadata["write"].value if "write" in metadata else None
        if status is None or event.partition is None:
            continue
        seen = layers.setdefault(layer, {"new": set(), "replaced": set(), "unchanged": set()})
        if status in seen:
            seen[status].add(event.partition)
    for seen in layers.values():
        # a month is unchanged in a layer only when no table of the layer changed it
        seen["unchanged"] -= seen["new"] | seen["replaced"]
        seen["new"] -= seen["replaced"]
    return layers


def print_summary(layers: dict[str, dict[str, set[str]]]) -> bool:
    """Print what changed; returns whether anything did."""
    changed = any(seen["new"] or seen["replaced"] for seen in layers.values())
    if not changed:
        months = set().union(*(seen["unchanged"] for seen in layers.values())) if layers else set()
        print(f"  unchanged: {ranges(list(months)) or 'no month'} already stored with exactly this content")
        return False
    for layer, seen in layers.items():
        parts = [f"{status} {ranges(list(m))}" for status, m in seen.items() if m]
        if parts:
            print(f"  {layer}: {'; '.join(parts)}")
    return True
