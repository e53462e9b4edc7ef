"""The open data API: versioned static JSON beside the pages, with a JSON Schema (2020-12) per file.

``api/v1/index.json`` (months, rankings, profile, source, generated-at, code version, metric catalog),
``api/v1/<month>/<ranking>.json`` (a ranking with its metrics) and ``api/v1/orgs/<slug>.json`` (every
score and rank of an org). Unknown is ``null``, never 0. Field meanings are documented in docs/site.md;
``API_VERSION`` changes only when a field changes meaning or disappears.
"""

from __future__ import annotations

import json
import subprocess
from importlib import metadata
from pathlib import Path

import polars as pl

from leaderboard_pipeline.config.profiles import DIMENSIONS
from leaderboard_pipeline.config.settings import PROJECT_ROOT
from leaderboard_pipeline.contract.months import MONTH_PATTERN
from leaderboard_pipeline.contract.untrusted import clean_data
from leaderboard_pipeline.site.formatting import is_unknown
from leaderboard_pipeline.site.tables import (
    INTERVALS,
    RANKINGS,
    SiteTables,
    category_of,
    rank_rows,
    variants_of,
)

API_VERSION = "1"
API_DIR = Path("api") / f"v{API_VERSION}"
WHOLE_KINDS = ("count", "downloads", "flag")  # written as JSON integers when the value is whole


def code_version() -> dict[str, str | None]:
    """The package version and, when built from a git checkout, the commit."""
    try:
        package = metadata.version("leaderboard_pipeline")
    except metadata.PackageNotFoundError:
        package = None
    try:
        commit = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short=12", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {"package": package, "commit": commit or None}


def _number(value: float | int | None, kind: str = "number") -> float | int | None:
    if is_unknown(value):
        return None
    if kind in WHOLE_KINDS and float(value).is_integer():
        return int(value)
    return value


def _ranked(row: dict) -> dict:
    """The fields every ranking row and history entry shares: rank, score, delta and the intervals
    (null where the profile does not compute them, or the table has no such column)."""
    out = {"rank": row["rank"], "score": _number(row["score"]), "delta_rank": row["delta_rank"]}
    return out | {c: row.get(c) for c in INTERVALS}


def metric_columns(tables: SiteTables, dimension: str, month: str) -> list[str]:
    rows = tables.normalised[dimension].filter(pl.col("month") == month)
    return rows["metric"].unique(maintain_order=True).to_list()


def _metric_meta(tables: SiteTables, dimension: str, column: str) -> dict:
    entry = tables.metric(dimension, column)
    return {
        "dimension": dimension,
        "column": column,
        "label": entry.label,
        "kind": entry.kind,
        "category": category_of(tables.profile, dimension, column) or None,
        "definition": entry.definition or None,
        "sources": list(entry.sources),
    }


def ranking_document(tables: SiteTables, month: str, ranking: str) -> dict:
    variants: dict[str, list[dict]] = {}
    if ranking == "overall":
        columns: list[str] = []
        for variant in variants_of(tables, month):
            rows = []
            for r in rank_rows(tables, month, variant).iter_rows(named=True):
                entry = {"org": r["org"], **_ranked(r)}
                entry["dimensions"] = {
                    d: {"score": _number(r[f"{d}_score"]), "rank": r[f"{d}_rank"]} for d in DIMENSIONS
                }
                rows.append(entry)
            variants[variant] = rows
    else:
        columns = metric_columns(tables, ranking, month)
        kinds = {c: tables.metric(ranking, c).kind for c in columns}
        for variant in variants_of(tables, month, ranking):
            ranks = tables.ranks[ranking].filter((pl.col("month") == month) & (pl.col("variant") == variant))
            normalised = tables.normalised[ranking].filter(
                (pl.col("month") == month) & (pl.col("variant") == variant)
            )
            values: dict[str, dict] = {}
            for n in normalised.iter_rows(named=True):
                values.setdefault(n["org"], {})[n["metric"]] = {
                    "value": _number(n["value"], kinds[n["metric"]]),
                    "normalised": _number(n["normalised"]),
                }
            variants[variant] = [
                {"org": r["org"], **_ranked(r), "metrics": values.get(r["org"], {})}
                for r in ranks.sort(["rank", "position"]).iter_rows(named=True)
            ]
    return {
        "api_version": API_VERSION,
        "month": month,
        "ranking": ranking,
        "source": tables.source,
        "profile": tables.profile.name,
        "gaps": gaps_document(tables, month),
        "delta_from": tables.previous_ranked(month),
        "metrics": [_metric_meta(tables, ranking, c) for c in columns],
        "variants": variants,
    }


def gaps_document(tables: SiteTables, month: str) -> dict:
    """What the month's ranks are missing: each platform not collected (and which dimensions' numbers
    lack its share), and each dimension not ranked because every platform it comes from is missing."""
    return {"missing": tables.month_gaps(month), "unranked": tables.unranked(month)}


def org_document(tables: SiteTables, org: str) -> dict:
    history = []
    frames = {"overall": tables.overall, **tables.ranks}
    for ranking in RANKINGS:
        rows = frames[ranking].filter(pl.col("org") == org).sort("month", "variant")
        history += [
            {"month": r["month"], "ranking": ranking, "variant": r["variant"], **_ranked(r)}
            for r in rows.iter_rows(named=True)
        ]
    months = tables.org_months(org)
    latest = months[-1]
    current = {
        h["ranking"]: {"rank": h["rank"], "score": h["score"], "delta_rank": h["delta_rank"]}
        for h in history
        if h["month"] == latest and h["variant"] == "monthly"
    }
    return {
        "api_version": API_VERSION,
        "org": org,
        "slug": tables.slugs[org],
        "source": tables.source,
        "profile": tables.profile.name,
        "months": months,
        "latest": {"month": latest, **current},
        "history": history,
        "hub": hub_entries(tables, org, months),
    }


HUB_FIELDS = ("model_download_share", "dataset_download_share", "derivative_models", "derivative_downloads")


def hub_entries(tables: SiteTables, org: str, months: list[str]) -> list[dict]:
    """Per ranked month: the org's share of the Hub's model and dataset downloads and its derivative
    reach (the month's census); every field null in a month without a census."""
    census = {r["month"]: r for r in tables.census.filter(pl.col("org") == org).iter_rows(named=True)}
    out = []
    for month in months:
        r = census.get(month)
        if r is None:
            out.append({"month": month, **dict.fromkeys(HUB_FIELDS)})
            continue
        out.append(
            {
                "month": month,
                "model_download_share": r["model_downloads"] / r["hub_model_downloads"]
                if r["hub_model_downloads"]
                else None,
                "dataset_download_share": r["dataset_downloads"] / r["hub_dataset_downloads"]
                if r["hub_dataset_downloads"]
                else None,
                "derivative_models": r["derivative_models"],
                "derivative_downloads": r["derivative_downloads"],
            }
        )
    return out


def index_document(tables: SiteTables, generated_at: str) -> dict:
    profile = tables.profile
    seen = {}
    for dim in DIMENSIONS:
        for column in tables.normalised[dim]["metric"].unique(maintain_order=True).to_list():
            seen[(dim, column)] = _metric_meta(tables, dim, column)
    return {
        "api_version": API_VERSION,
        "generated_at": generated_at,
        "code_version": code_version(),
        "source": tables.source,
        "profile": {
            "name": profile.name,
            "description": profile.description,
            "normalisation": profile.normalisation,
            "combine": profile.combine,
            "weights": dict(profile.weights),
        },
        "months": tables.months,
        "latest": tables.latest,
        "rankings": list(RANKINGS),
        "variants": {
            r: sorted({v for m in tables.months for v in variants_of(tables, m, r)}, reverse=True)
            for r in RANKINGS
        },
        "metrics": list(seen.values()),
        "orgs": [
            {"org": org, "file": f"orgs/{tables.slugs[org]}.json", "months": tables.org_months(org)}
            for org in tables.orgs()
        ],
        "files": {
            "ranking": "{month}/{ranking}.json",
            "org": "orgs/{slug}.json",
            "downloads": "../../downloads/{month}/",
        },
        "schemas": {name: f"schema/{name}.json" for name in SCHEMAS},
    }


def write_api(tables: SiteTables, out: Path, generated_at: str) -> list[Path]:
    """Every API file and its schemas under ``out/api/v1``; returns the files written."""
    root = out / API_DIR
    written = []

    def dump(relative: str, document: dict) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        # allow_nan=False: a NaN would make the file invalid JSON for strict readers; fail loudly instead.
        # clean_data: no control or bidi-override characters in any string of any document.
        text = json.dumps(clean_data(document), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        path.write_text(text, encoding="utf-8")
        written.append(path)

    for name, schema in SCHEMAS.items():
        path = root / "schema" / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    dump("index.json", index_document(tables, generated_at))
    for month in tables.months:
        for ranking in RANKINGS:
            dump(f"{month}/{ranking}.json", ranking_document(tables, month, ranking))
    for org in tables.orgs():
        dump(f"orgs/{tables.slugs[org]}.json", org_document(tables, org))
    return written


# ---- JSON Schemas (draft 2020-12). Closed objects: a field added without its schema fails the tests.

_MONTH = {"type": "string", "pattern": MONTH_PATTERN}
_RANKING = {"enum": list(RANKINGS)}
_VARIANT = {"enum": ["monthly", "accumulated"]}
_RANK = {"type": "integer", "minimum": 1}
_MAYBE_RANK = {"type": ["integer", "null"], "minimum": 1}
_MAYBE_NUMBER = {"type": ["number", "null"]}
_STRINGS = {"type": "array", "items": {"type": "string"}}
_RANKED = {
    "rank": _RANK,
    "score": _MAYBE_NUMBER,
    "delta_rank": {
        "type": ["integer", "null"],
        "description": "the last ranked month's rank minus this month's (null: not ranked then)",
    },
    "rank_low": {
        **_MAYBE_RANK,
        "description": "2.5 % bootstrap rank (null: not resampled: the profile computes no intervals, "
        "or nothing behind the values can be resampled, e.g. hand inputs)",
    },
    "rank_high": {**_MAYBE_RANK, "description": "97.5 % bootstrap rank (null: not resampled, as rank_low)"},
    "rank_best_loo": {**_MAYBE_RANK, "description": "best rank leaving one metric out (null: not computed)"},
    "rank_worst_loo": {
        **_MAYBE_RANK,
        "description": "worst rank leaving one metric out (null: not computed)",
    },
}
_REQUIRED_RANKED = list(_RANKED)


def _closed(properties: dict, required: list[str] | None = None, **extra) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        "additionalProperties": False,
        **extra,
    }


_METRIC_META = _closed(
    {
        "dimension": {"enum": list(DIMENSIONS)},
        "column": {"type": "string"},
        "label": {"type": "string"},
        "kind": {"enum": ["count", "downloads", "share", "flag", "score", "number"]},
        "category": {"type": ["string", "null"]},
        "definition": {"type": ["string", "null"]},
        "sources": _STRINGS,
    }
)

_GAPS = _closed(
    {
        "missing": {
            "type": "array",
            "description": "platforms not collected this month: the numbers of their dimensions lack their share",
            "items": _closed(
                {
                    "platform": {"type": "string"},
                    "name": {"type": "string"},
                    "tables": _STRINGS,
                    "dimensions": {"type": "array", "items": {"enum": list(DIMENSIONS)}},
                    "detail": {"type": ["string", "null"], "description": "why it is missing"},
                }
            ),
        },
        "unranked": {
            "type": "array",
            "items": {"enum": list(DIMENSIONS)},
            "description": "dimensions not ranked this month (every platform they come from is missing); "
            "the overall ranking combines the others",
        },
    },
    description="what the month's ranks are missing (both empty: nothing)",
)

SCHEMAS: dict[str, dict] = {
    "index": _closed(
        {
            "api_version": {"const": API_VERSION},
            "generated_at": {"type": "string", "format": "date-time"},
            "code_version": _closed(
                {"package": {"type": ["string", "null"]}, "commit": {"type": ["string", "null"]}}
            ),
            "source": {
                "type": "string",
                "description": "demo | archive | live: where the raw numbers come from",
            },
            "profile": _closed(
                {
                    "name": {"type": "string"},
                    "description": {"type": "string"},
                    "normalisation": {"type": "string"},
                    "combine": {"type": "string"},
                    "weights": {"type": "object", "additionalProperties": {"type": "number"}},
                }
            ),
            "months": {"type": "array", "items": _MONTH, "minItems": 1},
            "latest": _MONTH,
            "rankings": {"type": "array", "items": _RANKING},
            "variants": {"type": "object", "additionalProperties": {"type": "array", "items": _VARIANT}},
            "metrics": {"type": "array", "items": _METRIC_META},
            "orgs": {
                "type": "array",
                "items": _closed(
                    {
                        "org": {"type": "string"},
                        "file": {"type": "string"},
                        "months": {"type": "array", "items": _MONTH},
                    }
                ),
            },
            "files": {"type": "object", "additionalProperties": {"type": "string"}},
            "schemas": {"type": "object", "additionalProperties": {"type": "string"}},
        },
        **{"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "api/v1/index.json"},
    ),
    "ranking": _closed(
        {
            "api_version": {"const": API_VERSION},
            "month": _MONTH,
            "ranking": _RANKING,
            "source": {"type": "string"},
            "profile": {"type": "string"},
            "gaps": _GAPS,
            "delta_from": {
                "anyOf": [_MONTH, {"type": "null"}],
                "description": "the ranked month delta_rank compares with (null: none)",
            },
            "metrics": {"type": "array", "items": _METRIC_META},
            "variants": {
                "type": "object",
                "propertyNames": _VARIANT,
                "additionalProperties": {
                    "type": "array",
                    "items": _closed(
                        {
                            "org": {"type": "string"},
                            **_RANKED,
                            "metrics": {
                                "type": "object",
                                "additionalProperties": _closed(
                                    {"value": _MAYBE_NUMBER, "normalised": _MAYBE_NUMBER}
                                ),
                            },
                            "dimensions": {
                                "type": "object",
                                "propertyNames": {"enum": list(DIMENSIONS)},
                                "additionalProperties": _closed(
                                    {"score": _MAYBE_NUMBER, "rank": _MAYBE_RANK}
                                ),
                            },
                        },
                        required=["org", *_REQUIRED_RANKED],
                    ),
                },
            },
        },
        **{
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "api/v1/<month>/<ranking>.json",
        },
    ),
    "org": _closed(
        {
            "api_version": {"const": API_VERSION},
            "org": {"type": "string"},
            "slug": {"type": "string"},
            "source": {"type": "string"},
            "profile": {"type": "string"},
            "months": {"type": "array", "items": _MONTH, "minItems": 1},
            "latest": {
                "type": "object",
                "properties": {"month": _MONTH},
                "required": ["month"],
                "propertyNames": {"enum": ["month", *RANKINGS]},
                "additionalProperties": _closed(
                    {"rank": _RANK, "score": _MAYBE_NUMBER, "delta_rank": {"type": ["integer", "null"]}}
                ),
            },
            "history": {
                "type": "array",
                "items": _closed({"month": _MONTH, "ranking": _RANKING, "variant": _VARIANT, **_RANKED}),
            },
            "hub": {
                "type": "array",
                "description": "per ranked month, from the whole-Hub census (null: no census that month)",
                "items": _closed(
                    {
                        "month": _MONTH,
                        "model_download_share": {
                            "type": ["number", "null"],
                            "minimum": 0,
                            "maximum": 1,
                            "description": "the org's share of all Hub model downloads (30 days)",
                        },
                        "dataset_download_share": {
                            "type": ["number", "null"],
                            "minimum": 0,
                            "maximum": 1,
                            "description": "the org's share of all Hub dataset downloads (30 days)",
                        },
                        "derivative_models": {
                            "type": ["integer", "null"],
                            "minimum": 0,
                            "description": "models built on the org's models (transitively, across accounts)",
                        },
                        "derivative_downloads": {
                            "type": ["integer", "null"],
                            "minimum": 0,
                            "description": "their downloads (30 days)",
                        },
                    }
                ),
            },
        },
        **{"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "api/v1/orgs/<slug>.json"},
    ),
}
