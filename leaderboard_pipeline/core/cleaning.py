"""Cleaning rules: raw platform rows -> org-attributed, labelled rows with monthly downloads.

Every row of an org's namespace is kept in the clean tables; ``excluded`` names the rule that keeps it
out of the metrics (null = counted). Pure polars, no Dagster.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from leaderboard_pipeline.config.profiles import Cleaning
from leaderboard_pipeline.contract.raw_tables import PLATFORM_TABLES
from leaderboard_pipeline.core.item_classes import with_item_classes

# raw table -> platform name used in the registry and in merge precedence
PLATFORM_OF = {table: platform for table, (platform, _) in PLATFORM_TABLES.items()}
CUMULATIVE = ("ms_models", "ms_datasets", "odl_datasets", "baai_datasets")
ORG_IN_RECORD = ("odl_datasets", "baai_datasets")  # these platforms' records carry their org

CLEAN_MODEL_COLUMNS = {
    "month": pl.String,
    "platform": pl.String,
    "org": pl.String,
    "namespace": pl.String,
    "name": pl.String,
    "modality": pl.String,
    "is_large_model": pl.Boolean,
    "parameters": pl.Int64,
    "licence": pl.String,  # licence id (data/method/licences.yaml), null when none is named
    "licence_class": pl.String,  # open | restricted | unknown; null when the platform reported no tags
    "gated": pl.Boolean,  # access needs approval; null when not reported
    "downloads_month": pl.Int64,
    "total_downloads": pl.Int64,
    "previous_total": pl.Int64,
    "previous_month": pl.String,  # the snapshot the monthly difference was taken against
    "days_since_previous": pl.Int64,  # days between the two crawls of the item
    "likes": pl.Int64,
    "community": pl.Int64,
    "descendants": pl.Int64,
    "date_crawl": pl.Date,
    "link": pl.String,
    "row": pl.Int64,
    "excluded": pl.String,
}
CLEAN_DATASET_COLUMNS = {
    **{
        k: v
        for k, v in CLEAN_MODEL_COLUMNS.items()
        if k not in ("is_large_model", "parameters", "descendants", "licence", "licence_class", "gated")
    },
    "lifecycle": pl.String,
    "is_valid": pl.Boolean,
    "dataset_usage": pl.Int64,
    "domains": pl.List(pl.String),  # industry domains named by the tags; null when no tags were reported
}
# Item classes the merge carries over from the platform rows (metrics: openness, scale, domains).
MERGED_CLASSES = {
    "models": {"parameters": pl.Int64, "licence": pl.String, "licence_class": pl.String, "gated": pl.Boolean},
    "datasets": {"domains": pl.List(pl.String)},
}


PREVIOUS_TOTALS_SCHEMA = {
    "month": pl.String,
    "namespace": pl.String,
    "name": pl.String,
    "total_downloads": pl.Int64,
    "date_crawl": pl.Date,
}


def attribute_orgs(raw: pl.DataFrame, registry: pl.DataFrame, platform: str, rules: Cleaning) -> pl.DataFrame:
    """Attach the org owning each row's namespace; rows of namespaces outside the registry are dropped.

    The published leaderboard matches namespaces case-sensitively per platform (``case_sensitive_orgs``);
    by default letter case is ignored, as the platforms themselves do.
    """
    names = registry.filter(pl.col("platform") == platform).select("org", "namespace").unique()
    if rules.case_sensitive_orgs:
        return raw.join(names, on="namespace", how="inner", maintain_order="left")
    names = (
        names.with_columns(ns_key=pl.col("namespace").str.to_lowercase()).unique("ns_key").drop("namespace")
    )
    return (
        raw.with_columns(ns_key=pl.col("namespace").str.to_lowercase())
        .join(names, on="ns_key", how="inner", maintain_order="left")
        .drop("ns_key")
    )


@dataclass(frozen=True)
class PreparedLabels:
    """A month's label table made ready for `attach_labels` once, instead of once per platform table."""

    columns: list[str]  # the label columns (everything but month and key)
    exact: pl.DataFrame  # key + label columns, first row per key
    folded: pl.DataFrame | None  # fold + "<column>__ci", first row per lower-cased key (fallback only)


def prepare_labels(labels: pl.DataFrame, rules: Cleaning) -> PreparedLabels:
    """A month's labels, one row per key. Where the month also carries published labels (``origin``
    "published": a live month taken over from the published leaderboard), ``published_labels`` decides:
    they come first, by exact key; otherwise they are not used at all."""
    if "origin" in labels.columns:
        published = pl.col("origin") == "published"
        if rules.published_labels:
            labels = labels.sort(published.fill_null(False), descending=True, maintain_order=True)
        else:
            labels = labels.filter(~published.fill_null(False))
        labels = labels.drop("origin")
    label_cols = [c for c in labels.columns if c not in ("month", "key")]
    exact = labels.drop("month", strict=False).unique("key", keep="first", maintain_order=True)
    folded = None
    if rules.label_case_fallback:
        folded = (
            exact.with_columns(fold=pl.col("key").str.to_lowercase())
            .unique("fold", keep="first", maintain_order=True)
            .drop("key")
            .rename({c: f"{c}__ci" for c in label_cols})
        )
    return PreparedLabels(label_cols, exact, folded)


def attach_labels(
    frame: pl.DataFrame, labels: pl.DataFrame | PreparedLabels, rules: Cleaning
) -> pl.DataFrame:
    """Join labels on "<namespace>/<name>"; optionally fall back to a case-insensitive match."""
    prepared = labels if isinstance(labels, PreparedLabels) else prepare_labels(labels, rules)
    label_cols = prepared.columns
    frame = frame.with_columns(key=pl.col("namespace") + "/" + pl.col("name"))
    out = frame.join(prepared.exact, on="key", how="left", maintain_order="left")
    if rules.label_case_fallback:
        out = (
            out.with_columns(fold=pl.col("key").str.to_lowercase())
            .join(prepared.folded, on="fold", how="left", maintain_order="left")
            .with_columns([pl.coalesce(c, f"{c}__ci").alias(c) for c in label_cols])
            .drop(["fold", *[f"{c}__ci" for c in label_cols]])
        )
    return out.drop("key")


def _tidy_labels(frame: pl.DataFrame, rules: Cleaning) -> pl.DataFrame:
    if rules.invalid_modalities_as_null:
        frame = frame.with_columns(
            pl.when(pl.col("modality").is_in(["", "null"]))
            .then(None)
            .otherwise(pl.col("modality"))
            .alias("modality")
        )
    return frame


def _sentinels(frame: pl.DataFrame, rules: Cleaning, columns: tuple[str, ...]) -> pl.DataFrame:
    present = [c for c in columns if c in frame.columns]
    if not rules.sentinels_as_null or not present:
        return frame
    return frame.with_columns(
        [pl.when(pl.col(c) < 0).then(None).otherwise(pl.col(c)).alias(c) for c in present]
    )


def _with_previous(frame: pl.DataFrame, previous: pl.DataFrame, rules: Cleaning) -> pl.DataFrame:
    """Attach the earlier snapshot's cumulative total of the same "<namespace>/<name>" (last record
    wins), the snapshot's month and the days between the two crawls."""
    prev = previous.select(
        "namespace",
        "name",
        previous_total="total_downloads",
        previous_month="month",
        previous_crawl="date_crawl",
    ).unique(["namespace", "name"], keep="last", maintain_order=True)
    return (
        frame.join(prev, on=["namespace", "name"], how="left", maintain_order="left")
        .with_columns(
            days_since_previous=(pl.col("date_crawl") - pl.col("previous_crawl")).dt.total_days(),
            previous_month=pl.when(pl.col("previous_total").is_not_null()).then(pl.col("previous_month")),
        )
        .drop("previous_crawl")
    )


def _dedupe(frame: pl.DataFrame, rules: Cleaning) -> pl.DataFrame:
    """The same record listed twice in one crawl (pagination overlap) is one item."""
    if rules.count_duplicates:
        return frame
    return frame.unique(["namespace", "name"], keep="first", maintain_order=True)


def _exclusion(*rules: tuple[pl.Expr, str]) -> pl.Expr:
    expr = pl.lit(None, dtype=pl.String)
    for condition, reason in reversed(rules):
        expr = pl.when(condition).then(pl.lit(reason)).otherwise(expr)
    return expr.alias("excluded")


def _finish(frame: pl.DataFrame, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    return frame.select(
        [(pl.col(c) if c in frame.columns else pl.lit(None)).cast(t).alias(c) for c, t in columns.items()]
    )


def _prepare(
    raw: pl.DataFrame,
    table: str,
    registry: pl.DataFrame,
    labels: pl.DataFrame | PreparedLabels,
    rules: Cleaning,
):
    frame = raw.with_row_index("row").with_columns(pl.col("row").cast(pl.Int64))
    if table in ORG_IN_RECORD:
        frame = frame  # the record names its org
    else:
        frame = attribute_orgs(frame, registry, PLATFORM_OF[table], rules)
    frame = _dedupe(frame, rules)
    frame = attach_labels(frame, labels, rules)
    frame = _tidy_labels(frame, rules)
    return _sentinels(frame, rules, ("likes", "community")).with_columns(platform=pl.lit(PLATFORM_OF[table]))


def _monthly_delta(frame: pl.DataFrame, table: str, rules: Cleaning) -> pl.Expr:
    delta = pl.col("total_downloads") - pl.col("previous_total")
    if rules.download_window_days is not None:
        # A window of other than 30 days (a crawl on the 3rd, the next on the 9th; a skipped month) is
        # scaled to the window, so months stay comparable. Crawls on the same day give no rate: unknown.
        days = pl.col("days_since_previous")
        delta = pl.when(days > 0).then((delta * rules.download_window_days / days).round(0)).cast(pl.Int64)
    if table == "ms_datasets" and rules.falsy_previous_is_missing:
        # published: ModelScope datasets whose previous total is missing or 0 get 0 monthly downloads
        delta = pl.when(pl.col("previous_total").fill_null(0) == 0).then(0).otherwise(delta)
    if rules.clamp_negative_deltas:
        delta = pl.when(delta < 0).then(0).otherwise(delta)
    return delta.alias("downloads_month")


def _with_monthly_downloads(
    frame: pl.DataFrame, table: str, rules: Cleaning, previous: pl.DataFrame | None
) -> pl.DataFrame:
    """``downloads_month``: the platform's 30-day count, or this month's total minus last month's."""
    if table not in CUMULATIVE:
        return frame.with_columns(downloads_month=pl.col("downloads_last_month"))
    if previous is None:
        previous = pl.DataFrame(schema=PREVIOUS_TOTALS_SCHEMA)
    frame = _with_previous(frame, previous, rules)
    return frame.with_columns(_monthly_delta(frame, table, rules))


def clean_models(
    raw: pl.DataFrame,
    table: str,
    registry: pl.DataFrame,
    labels: pl.DataFrame | PreparedLabels,
    rules: Cleaning,
    previous: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """HF or ModelScope models of one month -> clean rows (see module docstring)."""
    frame = _with_monthly_downloads(_prepare(raw, table, registry, labels, rules), table, rules, previous)
    small_language = (
        (pl.col("modality") == "Language")
        & pl.col("parameters").is_not_null()
        & (pl.col("parameters") < (rules.min_language_model_parameters or 0))
    )
    frame = frame.with_columns(
        _exclusion(
            (pl.col("previous_total").is_null(), "no previous total")
            if table in CUMULATIVE
            else (pl.lit(False), ""),
            (~pl.col("is_large_model").fill_null(False), "not a large model"),
            (small_language, "language model under the parameter threshold"),
            (
                pl.col("downloads_month").fill_null(0) < rules.min_model_downloads,
                f"fewer than {rules.min_model_downloads} monthly downloads",
            ),
        )
    )
    return _finish(with_item_classes(frame, "models"), CLEAN_MODEL_COLUMNS)


def clean_datasets(
    raw: pl.DataFrame,
    table: str,
    registry: pl.DataFrame,
    labels: pl.DataFrame | PreparedLabels,
    rules: Cleaning,
    previous: pl.DataFrame | None = None,
) -> pl.DataFrame:
    frame = _with_monthly_downloads(_prepare(raw, table, registry, labels, rules), table, rules, previous)
    no_previous = pl.lit(False)
    if table in CUMULATIVE:
        if table in rules.skip_first_month:
            no_previous = pl.col("previous_total").is_null()
        else:
            frame = frame.with_columns(pl.col("downloads_month").fill_null(0))
    negative = pl.col("downloads_month") < 0 if table in rules.drop_negative_deltas else pl.lit(False)
    frame = frame.with_columns(
        _exclusion(
            (no_previous, "no previous total"),
            (~pl.col("is_valid").fill_null(False), "not a valid dataset"),
            (negative.fill_null(False), "negative monthly downloads"),
        )
    )
    return _finish(with_item_classes(frame, "datasets"), CLEAN_DATASET_COLUMNS)


def _merge_key(rules: Cleaning) -> pl.Expr:
    name = pl.col("name") if rules.merge_key == "org_name" else pl.col("name").str.to_lowercase()
    return (pl.col("org") + "/" + name).alias("item")


def merge(clean: dict[str, pl.DataFrame], rules: Cleaning, kind: str) -> pl.DataFrame:
    """Per-platform clean rows -> one row per item (org + name), platforms visited in a fixed precedence.

    First-row fields (namespace, modality, lifecycle, date_crawl) come from the first platform in
    ``source_order``; downloads add up over platforms (positive values only), likes and community add up.
    """
    order = {p: i for i, p in enumerate(rules.source_order)}
    frames = [
        f.filter(pl.col("excluded").is_null()).with_columns(
            [pl.lit(None, dtype=d).alias(c) for c, d in MERGED_CLASSES[kind].items() if c not in f.columns],
            precedence=pl.lit(order.get(PLATFORM_OF[t], len(order))),
        )
        for t, f in clean.items()
        if f.height
    ]
    extra = ["descendants"] if kind == "models" else ["lifecycle", "dataset_usage"]
    columns = ["month", "org", "namespace", "name", "modality", *extra[:-1], "date_crawl"]
    if not frames:
        return merged_schema_frame(kind)
    rows = pl.concat(
        [
            f.select(
                [
                    *columns,
                    "platform",
                    "downloads_month",
                    "likes",
                    "community",
                    extra[-1],
                    *MERGED_CLASSES[kind],
                    "precedence",
                    "row",
                ]
            )
            for f in frames
        ],
        how="vertical_relaxed",
    )
    merged = (
        rows.sort(["month", "precedence", "row"])
        .with_columns(_merge_key(rules))
        .group_by(["month", "item"], maintain_order=True)
        .agg(
            *[pl.col(c).first() for c in columns if c != "month"],
            pl.col("downloads_month").filter(pl.col("downloads_month") > 0).sum().alias("downloads_month"),
            *[_counter_sum(c, rules) for c in ("likes", "community", extra[-1])],
            pl.col("platform").unique(maintain_order=True).str.join(",").alias("platforms"),
            *_merged_classes(kind),
        )
    )
    if kind == "datasets":
        merged = merged.with_columns(
            pl.when(pl.col("domains_known")).then(pl.col("domains")).otherwise(None).alias("domains")
        )
    return merged.select(merged_schema_frame(kind).columns).cast(merged_schema_frame(kind).schema)


def _merged_classes(kind: str) -> list[pl.Expr]:
    """Item classes of a merged item, from its platform rows in precedence order: the first parameter
    count; the first licence that says open or restricted (else unknown, else null: not reported);
    gated when any platform gates it; every domain any platform's tags name."""
    if kind == "datasets":
        return [
            pl.col("domains")
            .list.explode(keep_nulls=False, empty_as_null=False)
            .unique()
            .sort()
            .alias("domains"),
            pl.col("domains").is_not_null().any().alias("domains_known"),
        ]
    said = pl.col("licence_class").replace_strict({"open": 0, "restricted": 0, "unknown": 1}, default=2)
    return [
        pl.col("parameters").drop_nulls().first(),
        *[pl.col(c).sort_by(said, maintain_order=True).first() for c in ("licence", "licence_class")],
        pl.col("gated").max(),
    ]


def _counter_sum(column: str, rules: Cleaning) -> pl.Expr:
    """The sum over platforms of the known values; unknown (null) when no platform knows it, never 0
    (the published merge summed unknown to 0: ``unknown_counts_as_zero``)."""
    if rules.unknown_counts_as_zero:
        return pl.col(column).sum()
    return pl.when(pl.col(column).is_not_null().any()).then(pl.col(column).sum()).alias(column)


def merged_schema_frame(kind: str) -> pl.DataFrame:
    schema = {
        "month": pl.String,
        "item": pl.String,
        "org": pl.String,
        "namespace": pl.String,
        "name": pl.String,
        "modality": pl.String,
    }
    if kind == "datasets":
        schema["lifecycle"] = pl.String
    schema |= {"date_crawl": pl.Date, "downloads_month": pl.Int64, "likes": pl.Int64, "community": pl.Int64}
    schema["descendants" if kind == "models" else "dataset_usage"] = pl.Int64
    schema["platforms"] = pl.String
    return pl.DataFrame(schema=schema | MERGED_CLASSES[kind])
