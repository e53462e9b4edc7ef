"""A collected month with no platform at all is refused: nothing would be ranked from anything but
curated constants and hand inputs.

``run --allow-missing`` lets named platforms fail without failing the month; when every platform failed,
the month is not stored (the run fails, exit status 2) and the error names each platform and why.
"""

from __future__ import annotations

import polars as pl

from leaderboard_pipeline.collectors.platforms import PLATFORMS
from leaderboard_pipeline.contract.errors import SourceError


def missing_platforms(manifest: pl.DataFrame, last_run: dict | None = None) -> dict[str, str]:
    """platform key -> why it is missing, from the collector's last run (precise per platform) or, when
    there is none, from the manifest's rows with ``status = 'missing'`` (a table of several platforms,
    the code repositories, names each missing one in its detail)."""
    if last_run and "missing" in last_run:
        return dict(last_run["missing"])
    from leaderboard_pipeline.sources.live import TABLE_PLATFORMS  # heavy: only without a last run

    out: dict[str, str] = {}
    for row in manifest.filter(pl.col("status") == "missing").iter_rows(named=True):
        platforms = TABLE_PLATFORMS.get(row["table"], ())
        detail = row["detail"] or ""
        for key in platforms:
            name = PLATFORMS[key].name
            if len(platforms) == 1 or f"{name} missing" in detail:
                out.setdefault(key, detail)
    return out


def collected_platforms(manifest: pl.DataFrame, last_run: dict | None = None) -> set[str]:
    """The platforms that answered this month: asked at least once, and not missing (a platform the
    registry gives nothing to ask is neither)."""
    missing = missing_platforms(manifest, last_run)
    if last_run and "platform" in last_run:
        asked = {p for p, counts in last_run["platform"].items() if (counts or {}).get("requests", 0) > 0}
        return asked - set(missing)
    from leaderboard_pipeline.sources.live import TABLE_PLATFORMS

    # a table of several platforms (code repositories) may be "missing" for one of them only
    asked = manifest.filter(pl.col("requests").fill_null(0) > 0)
    return {p for t in asked["table"] for p in TABLE_PLATFORMS.get(t, ())} - set(missing)


def refuse_empty_month(month: str, manifest: pl.DataFrame, last_run: dict | None = None) -> None:
    """Raise SourceError when platforms were missing and not one platform's data was collected."""
    missing = missing_platforms(manifest, last_run)
    if not missing or collected_platforms(manifest, last_run):
        return
    ordered = [k for k in PLATFORMS if k in missing] + [k for k in missing if k not in PLATFORMS]
    names = ", ".join(PLATFORMS[k].name if k in PLATFORMS else k for k in ordered)
    first = " ".join(missing[ordered[0]].split())[:200]
    raise SourceError(
        f"{month}: no platform's data was collected ({names} missing; first: {first}); the month is not "
        "stored: nothing would be ranked but curated constants and hand inputs. Run it again when the "
        "platforms answer"
    )
