"""Can a source produce a month now? The monthly schedule's question, answered without Dagster.

A tick either produces its month or says why not: a source that cannot produce the month (the demo and
the archive hold fixed months), missing or invalid hand inputs, or a month already stored.
"""

from __future__ import annotations

from pathlib import Path

from leaderboard_pipeline.config.profiles import Profile
from leaderboard_pipeline.contract.errors import SourceError
from leaderboard_pipeline.contract.months import ranges
from leaderboard_pipeline.contract.source import SnapshotSource


def why_not(source: SnapshotSource, month: str, profile: Profile, warehouse: Path) -> str | None:
    """The reason ``source`` cannot produce ``month`` now, or None when a run should go ahead."""
    from leaderboard_pipeline.warehouse import WarehouseError, stored_months

    months = source.months()
    if month not in months:
        if source.name in ("demo", "archive"):
            return (
                f"LEADERBOARD_SOURCE={source.name} has no month {month} (it has {ranges(months) or 'none'}): "
                "new months come only from the live source; set LEADERBOARD_SOURCE=live for the code "
                "location (with the month's hand inputs in LEADERBOARD_INPUTS)"
            )
        return (
            f"the {source.name} source cannot produce {month} now (it can produce {ranges(months) or 'none'})"
        )
    check = getattr(source, "check_hand_inputs", None)
    if check is not None:  # a combined source: the month's hand inputs must be there and valid
        try:
            check([month], profile)
        except SourceError as exc:
            return f"hand inputs of {month} are not ready: {exc}"
    try:
        ranked = stored_months(warehouse, "scores", "overall", profile.name)
    except WarehouseError as exc:
        return str(exc)
    if month in ranked:
        return f"{month} is already ranked in {warehouse} (rerun it with `leaderboard run --source {source.name} --months {month}`)"
    return None
