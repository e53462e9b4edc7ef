"""The raw layer's tables: one polars schema per platform x kind and per hand input.

Every source (the published archive, the bundled demo, the live collectors) produces exactly these
frames for a month, so everything downstream is source-agnostic. Values are stored as read: sentinels
such as -1 likes stay -1 here and are interpreted by the cleaning rules.
"""

from __future__ import annotations

import polars as pl

MONTH = pl.String  # "YYYY-MM": the monthly partition key, present in every table of every layer

_PLATFORM_META = {
    # Fields only the live collectors know; the archive leaves them null.
    "pipeline_tag": pl.String,
    "library": pl.String,
    "tags": pl.List(pl.String),
    "parameters": pl.Int64,
    "downloads_all_time": pl.Int64,
    "created_at": pl.String,
    "last_modified": pl.String,
    "license": pl.String,  # a licence field of its own (ModelScope); Hugging Face puts it in `license:` tags
    "gated": pl.Boolean,  # access needs approval (Hugging Face "auto"/"manual"); null when not reported
}

_OPENI = {
    "month": MONTH,
    "org": pl.String,  # the registry org of the account (as OpenDataLab's records carry theirs)
    "namespace": pl.String,  # the OpenI account (owner) as served
    "name": pl.String,  # the repository, as served
    "stars": pl.Int64,
    "forks": pl.Int64,
    "downloads": pl.Int64,
    "date_crawl": pl.Date,
    "link": pl.String,
    "created_at": pl.String,
    "last_modified": pl.String,
}

_REGISTRY_OF = {
    # The registry org (of the whole registry file at collection time, not only the orgs collected that
    # month) one of whose namespaces the census row's namespace is, and on which platform (HuggingFace
    # first); null for every other account. A registry account is never a candidate for the registry.
    "registry_org": pl.String,
    "registry_platform": pl.String,
}

RAW_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "hf_models": {
        "month": MONTH,
        "namespace": pl.String,
        "name": pl.String,
        "downloads_last_month": pl.Int64,
        "likes": pl.Int64,
        "community": pl.Int64,
        "descendants": pl.Int64,
        "date_crawl": pl.Date,
        "link": pl.String,
        **_PLATFORM_META,
    },
    "hf_datasets": {
        "month": MONTH,
        "namespace": pl.String,
        "name": pl.String,
        "downloads_last_month": pl.Int64,
        "likes": pl.Int64,
        "community": pl.Int64,
        "dataset_usage": pl.Int64,
        "date_crawl": pl.Date,
        "link": pl.String,
        **_PLATFORM_META,
    },
    "ms_models": {
        "month": MONTH,
        "namespace": pl.String,
        "name": pl.String,
        "total_downloads": pl.Int64,
        "likes": pl.Int64,
        "community": pl.Int64,
        "date_crawl": pl.Date,
        "link": pl.String,
        **_PLATFORM_META,
    },
    "ms_datasets": {
        "month": MONTH,
        "namespace": pl.String,
        "name": pl.String,
        "total_downloads": pl.Int64,
        "likes": pl.Int64,
        "community": pl.Int64,
        "date_crawl": pl.Date,
        "link": pl.String,
        "tags": pl.List(pl.String),  # live source only (industry domains)
    },
    "odl_datasets": {
        "month": MONTH,
        "org": pl.String,
        "namespace": pl.String,
        "name": pl.String,
        "total_downloads": pl.Int64,
        "likes": pl.Int64,
        "date_crawl": pl.Date,
        "link": pl.String,
    },
    "baai_datasets": {
        "month": MONTH,
        "org": pl.String,
        "namespace": pl.String,
        "name": pl.String,
        "total_downloads": pl.Int64,
        "likes": pl.Int64,
        "date_crawl": pl.Date,
        "link": pl.String,
    },
    # Hand inputs of the system and benchmark dimensions, long so new columns need no schema change.
    "system_inputs": {
        "month": MONTH,
        "org": pl.String,
        "position": pl.Int32,
        "metric": pl.String,
        "value": pl.Float64,
    },
    "benchmark_inputs": {
        "month": MONTH,
        "org": pl.String,
        "position": pl.Int32,
        "metric": pl.String,
        "value": pl.Float64,
    },
    "other_source_datasets": {
        "month": MONTH,
        "org": pl.String,
        "namespace": pl.String,
        "name": pl.String,
        "link": pl.String,
        "modality": pl.String,
        "lifecycle": pl.String,
    },
    # Hand-curated metric values (e.g. data-processing operators, adapted chips): our own data files.
    # org "*" carries the value of every org not listed.
    "curated_metrics": {
        "month": MONTH,
        "dimension": pl.String,
        "metric": pl.String,
        "org": pl.String,
        "value": pl.Float64,
        "evidence": pl.String,
    },
    # Organisation registry: which platform namespace belongs to which org.
    "org_registry": {
        "month": MONTH,
        "org": pl.String,
        "platform": pl.String,
        "namespace": pl.String,
    },
    # Labels per "<namespace>/<name>". ``origin`` null: the source's own labels (the archive's label
    # files; a live month's rules and reviewed overrides); "published": the published label files of a
    # folder a live month takes over from, kept beside ours for the profiles that use them
    # (``cleaning.published_labels``).
    "model_labels": {
        "month": MONTH,
        "key": pl.String,
        "modality": pl.String,
        "is_large_model": pl.Boolean,
        "origin": pl.String,
    },
    "dataset_labels": {
        "month": MONTH,
        "key": pl.String,
        "modality": pl.String,
        "lifecycle": pl.String,
        "is_valid": pl.Boolean,
        "origin": pl.String,
    },
    # Code repositories behind the system and benchmark dimensions (GitHub, Gitee, GitCode).
    "code_repos": {
        "month": MONTH,
        "org": pl.String,
        "dimension": pl.String,
        "platform": pl.String,
        "repo": pl.String,
        "stars": pl.Int64,
        "forks": pl.Int64,
        "open_issues": pl.Int64,
        "contributors": pl.Int64,
        "commits_last_month": pl.Int64,
    },
    # OpenI (启智): the registry orgs' repositories that carry a dataset / a model (collectors/openi.py).
    # Counts are null where no response carries them (downloads: none confirmed).
    "openi_models": _OPENI,
    "openi_datasets": _OPENI,
    # The whole-Hub census of the month (collectors/hf_census.py): every public model / dataset, with only
    # the fields the census metrics need. A model's base models come from its `base_model:` tags.
    "hf_census_models": {
        "month": MONTH,
        "namespace": pl.String,
        "name": pl.String,
        "downloads_last_month": pl.Int64,
        "likes": pl.Int64,
        "created_at": pl.String,
        "base_models": pl.List(pl.String),  # "<namespace>/<name>" ids (bare legacy ids as written)
        "base_relation": pl.String,  # finetune | adapter | quantized | merge; null: not named
        **_REGISTRY_OF,
    },
    "hf_census_datasets": {
        "month": MONTH,
        "namespace": pl.String,
        "name": pl.String,
        "downloads_last_month": pl.Int64,
        "likes": pl.Int64,
        "created_at": pl.String,
        **_REGISTRY_OF,
    },
    # What was read or fetched for the month: the run manifest of the snapshot.
    "snapshot_manifest": {
        "month": MONTH,
        "source": pl.String,
        "table": pl.String,
        "location": pl.String,
        "sha256": pl.String,
        "rows": pl.Int64,
        "started": pl.String,
        "finished": pl.String,
        "requests": pl.Int64,
        "retries": pl.Int64,
        "failures": pl.Int64,
        # "ok", or "missing": the platform was down and the month was allowed to go without it
        "status": pl.String,
        "detail": pl.String,  # e.g. which API variant answered, or why a platform is missing
    },
    # Evidence of hand-input values: a URL and a note per org and column; ``carried_from`` names the
    # month a value was carried forward from (not yet reviewed for this month).
    "input_evidence": {
        "month": MONTH,
        "dimension": pl.String,
        "org": pl.String,
        "metric": pl.String,
        "url": pl.String,
        "note": pl.String,
        "carried_from": pl.String,
    },
}

RAW_TABLES = tuple(RAW_SCHEMAS)

# Where a month's content came from and how fetching it went, not what it is: left out when a rerun is
# compared with what is stored (the same archive spelt another way, a replay of a recorded crawl, the
# API variant that answered), and kept from the first write.
PROVENANCE = {
    "snapshot_manifest": (
        *("source", "location", "sha256", "detail"),  # which path, bytes and API variant were read
        *("started", "finished", "requests", "retries", "failures"),  # how the crawl went
    ),
}

# The census tables: large, optional parts of a live month (a month without a census has none; its census
# metrics are unknown). CENSUS_TABLES are read by the clean layer only for the month itself.
CENSUS_TABLES = ("hf_census_models", "hf_census_datasets")
OPENI_TABLES = ("openi_models", "openi_datasets")

# Row order of the tables whose order carries no meaning (labels, registry, curated values, ...), so
# their content is the same however a source assembled them. Platform records and hand inputs keep the
# source's own order (file order; first record wins in cleaning), which every source defines.
CANONICAL_ORDER = {
    "model_labels": ("key", "origin"),
    "dataset_labels": ("key", "origin"),
    "org_registry": ("org", "platform", "namespace"),
    "curated_metrics": ("dimension", "metric", "org"),
    "code_repos": ("org", "dimension", "platform", "repo"),
    "snapshot_manifest": ("table",),
    "input_evidence": ("dimension", "org", "metric"),
    "openi_models": ("org", "namespace", "name"),
    "openi_datasets": ("org", "namespace", "name"),
}

PLATFORM_TABLES = {
    # raw table -> (platform folder in the published layout, record kind)
    "hf_models": ("HuggingFace", "models"),
    "hf_datasets": ("HuggingFace", "datasets"),
    "ms_models": ("ModelScope", "models"),
    "ms_datasets": ("ModelScope", "datasets"),
    "odl_datasets": ("OpenDataLab", "datasets"),
    "baai_datasets": ("BAAIData", "datasets"),
}


def empty_raw(table: str) -> pl.DataFrame:
    return pl.DataFrame(schema=RAW_SCHEMAS[table])


def canonical(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """The table's schema, and its canonical row order where order carries no meaning."""
    frame = conform(table, frame)
    keys = CANONICAL_ORDER.get(table)
    if not keys or frame.is_empty():
        return frame
    return frame.sort(["month", *keys], nulls_last=True, maintain_order=True)


def conform(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Cast a frame to the table's schema: missing optional columns become null, extra ones are dropped.

    Casts are strict: a value that does not fit its column raises instead of silently becoming null.
    """
    schema = RAW_SCHEMAS[table]
    return frame.select(
        [
            (pl.col(c).cast(dtype) if c in frame.columns else pl.lit(None, dtype=dtype)).alias(c)
            for c, dtype in schema.items()
        ]
    )
