"""Per-org metric tables of the four dimensions, monthly and accumulated (long: one row per org x metric)."""

from __future__ import annotations

import polars as pl

from leaderboard_pipeline.config.curated import DEFAULT_ORG
from leaderboard_pipeline.config.profiles import Cleaning, Profile
from leaderboard_pipeline.core.cleaning import MERGED_CLASSES
from leaderboard_pipeline.core.item_classes import PARAMETER_CLASSES, domains, openness, parameter_class

METRIC_SCHEMA = {
    "month": pl.String,
    "variant": pl.String,
    "org": pl.String,
    "position": pl.Int32,
    "metric": pl.String,
    "value": pl.Float64,
}
VARIANTS = ("monthly", "accumulated")
ITEM_SCHEMA = {
    "month": pl.String,
    "variant": pl.String,
    "dimension": pl.String,
    "org": pl.String,
    "item": pl.String,
    "metric": pl.String,
    "value": pl.Float64,
}


def column_suffix(label: pl.Expr) -> pl.Expr:
    """ "Pre-training" -> "pretraining", "3D" -> "3d": the metric column of a modality or lifecycle."""
    return label.str.to_lowercase().str.replace_all("-", "")


def ranked_orgs(system_inputs: pl.DataFrame) -> pl.DataFrame:
    """The orgs of a month are the rows of its system-dimension hand input, in that file's order."""
    return (
        system_inputs.group_by(["month", "org"])
        .agg(pl.col("position").min())
        .sort(["month", "position"])
        .select("month", "org", "position")
    )


def _item_key(rows: pl.DataFrame) -> pl.Expr:
    """Each row's item: the merge key of clean items (frames without one number their rows)."""
    if "item" in rows.columns:
        return pl.col("item")
    return pl.int_range(pl.len()).cast(pl.String).alias("item")


def _contributions(rows: pl.DataFrame, metric: pl.Expr, value: pl.Expr) -> pl.DataFrame:
    """One row per item and metric: (month, org, item, metric, value)."""
    return rows.select(
        "month",
        "org",
        _item_key(rows).alias("item"),
        metric.alias("metric"),
        value.cast(pl.Float64).alias("value"),
    )


def _counts(rows: pl.DataFrame, by: str, downloads: bool, prefix: str = "") -> pl.DataFrame:
    """``num_<prefix><class>`` (1 per item) and ``downloads_<prefix><class>`` of each item with a class."""
    rows = rows.filter(pl.col(by).is_not_null()).with_columns(suffix=column_suffix(pl.col(by)))
    frames = [_contributions(rows, pl.format(f"num_{prefix}{{}}", "suffix"), pl.lit(1.0))]
    if downloads:
        frames.append(
            _contributions(rows, pl.format(f"downloads_{prefix}{{}}", "suffix"), pl.col("downloads"))
        )
    return pl.concat(frames)


def _sum(rows: pl.DataFrame, column: str, metric: str, keep_unknown: bool = False) -> pl.DataFrame:
    """The item's ``column`` as metric ``metric``. Unknown values are dropped (the org's sum counts the
    known ones) unless ``keep_unknown``: then an org whose items are all unknown gets null, not 0."""
    out = _contributions(rows, pl.lit(metric), pl.col(column))
    return out if keep_unknown else out.filter(pl.col("value").is_not_null())


def aggregate(contributions: pl.DataFrame) -> pl.DataFrame:
    """Per (month, org, metric): the sum over items; null when every contribution is unknown."""
    return contributions.group_by(["month", "org", "metric"]).agg(
        pl.when(pl.col("value").is_not_null().any()).then(pl.col("value").sum()).alias("value")
    )


def unknown_for(orgs: pl.DataFrame, months_known: pl.Series, metrics: list[str]) -> pl.DataFrame:
    """Explicit nulls for ``metrics`` of every ranked org in months whose source lacks the field
    (e.g. the published archive has no licences), so the metric is unknown there, never 0."""
    missing = orgs.filter(~pl.col("month").is_in(months_known.implode()))
    return (
        missing.select("month", "org")
        .join(pl.DataFrame({"metric": metrics}), how="cross")
        .with_columns(value=pl.lit(None, dtype=pl.Float64))
    )


def with_unknown(values: pl.DataFrame, unknown: pl.DataFrame) -> pl.DataFrame:
    """``values`` where the metric is unknown replaced by the explicit nulls of ``unknown``."""
    keys = ["month", "org", "metric"]
    return pl.concat([values.join(unknown, on=keys, how="anti"), unknown], how="vertical_relaxed")


def _months_with(rows: pl.DataFrame, column: str) -> pl.Series:
    return rows.filter(pl.col(column).is_not_null())["month"].unique()


def curated_values(curated: pl.DataFrame, dimension: str, orgs: pl.DataFrame) -> pl.DataFrame:
    """Curated metric values per ranked org; an org not listed takes the "*" default."""
    mine = curated.filter(pl.col("dimension") == dimension)
    listed = orgs.join(mine.filter(pl.col("org") != DEFAULT_ORG), on=["month", "org"], how="inner")
    defaults = orgs.join(mine.filter(pl.col("org") == DEFAULT_ORG).drop("org"), on="month", how="inner").join(
        listed.select("month", "org", "metric"), on=["month", "org", "metric"], how="anti"
    )
    return pl.concat(
        [listed.select("month", "org", "metric", "value"), defaults.select("month", "org", "metric", "value")]
    )


def _complete(
    values: pl.DataFrame, orgs: pl.DataFrame, columns: tuple[str, ...], variant: str
) -> pl.DataFrame:
    """Every ranked org x every metric of the profile, in profile order.

    A value that is absent is 0 (the org has no such item); a value given as null is unknown (the
    source lacks the field this month) and stays null.
    """
    grid = orgs.join(pl.DataFrame({"metric": list(columns), "order": range(len(columns))}), how="cross")
    given = values.group_by(["month", "org", "metric"]).agg(
        pl.when(pl.col("value").is_not_null().any()).then(pl.col("value").sum()).alias("value"),
        given=pl.lit(True),
    )
    return (
        grid.join(given, on=["month", "org", "metric"], how="left")
        .with_columns(
            pl.when(pl.col("given")).then(pl.col("value")).otherwise(0.0).alias("value"),
            variant=pl.lit(variant),
        )
        .sort(["month", "position", "order"])
        .select(list(METRIC_SCHEMA))
        .cast(METRIC_SCHEMA)
    )


def _item_table(
    items: pl.DataFrame,
    unknown: pl.DataFrame,
    curated: pl.DataFrame,
    orgs: pl.DataFrame,
    profile: Profile,
    dimension: str,
    variant: str,
    extra: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """A dimension's metric table: its items summed (null where unknown) plus its curated columns, plus
    ``extra`` per-org values (month, org, metric, value; null = unknown) computed elsewhere."""
    values = [with_unknown(aggregate(items), unknown), curated_values(curated, dimension, orgs)]
    if extra is not None:
        values.append(extra.select("month", "org", "metric", "value"))
    columns = profile.metric_columns(dimension)
    return _complete(pl.concat(values, how="vertical_relaxed"), orgs, columns, variant)


def _other_source_rows(other: pl.DataFrame, by: str, rules: Cleaning) -> pl.DataFrame:
    if rules.dedupe_other_sources:
        other = other.unique(["month", "org", "name", by], maintain_order=True)
    return other.with_columns(item=pl.format("other-source:{}/{}", "org", "name"))


def _tagged(frame: pl.DataFrame, columns: dict[str, pl.DataType]) -> pl.DataFrame:
    """Clean frames written before a class column existed (tests, old partitions) read it as unknown."""
    return frame.with_columns(
        [pl.lit(None, dtype=t).alias(c) for c, t in columns.items() if c not in frame.columns]
    )


def data_items(datasets: pl.DataFrame, other_sources: pl.DataFrame, rules: Cleaning) -> pl.DataFrame:
    """Per-item contributions to the data metrics: counts and downloads per modality and lifecycle, dataset
    usage, datasets per industry domain; curated other-source datasets add to the counts."""
    rows = _tagged(datasets, {"domains": pl.List(pl.String)}).rename({"downloads_month": "downloads"})
    domains = rows.select("month", "org", _item_key(rows).alias("item"), "domains").explode("domains")
    return pl.concat(
        [
            _counts(rows, "modality", downloads=True),
            _counts(rows, "lifecycle", downloads=True),
            _counts(_other_source_rows(other_sources, "modality", rules), "modality", downloads=False),
            _counts(_other_source_rows(other_sources, "lifecycle", rules), "lifecycle", downloads=False),
            _sum(rows, "dataset_usage", "dataset_usage"),
            _counts(domains, "domains", downloads=False, prefix="domain_"),
        ],
        how="vertical_relaxed",
    )


def data_unknown(datasets: pl.DataFrame, orgs: pl.DataFrame) -> pl.DataFrame:
    """Domain counts are unknown in months whose datasets carry no tags (the published archive)."""
    rows = _tagged(datasets, {"domains": pl.List(pl.String)})
    return unknown_for(orgs, _months_with(rows, "domains"), [f"num_domain_{d}" for d in domains()])


def data_metrics(
    datasets: pl.DataFrame,
    other_sources: pl.DataFrame,
    curated: pl.DataFrame,
    orgs: pl.DataFrame,
    profile: Profile,
    variant: str,
    extra: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The data metric table (and the items behind it): dataset counts and downloads per modality and
    lifecycle, dataset usage, industry domains and curated columns (and ``extra`` per-org values)."""
    items = data_items(datasets, other_sources, profile.cleaning)
    table = _item_table(items, data_unknown(datasets, orgs), curated, orgs, profile, "data", variant, extra)
    return table, items


OPENNESS_COLUMNS = {
    "open": "open_licence",
    "restricted": "restricted_licence",
    "gated": "gated",
    "unknown": "unknown_licence",
}


def model_items(models: pl.DataFrame) -> pl.DataFrame:
    """Per-item contributions to the model metrics: downloads and counts per modality, descendants, likes,
    issues, openness (licence class or gated) and model scale (parameter class)."""
    rows = _tagged(models, MERGED_CLASSES["models"]).rename({"downloads_month": "downloads"})
    rows = rows.with_columns(
        # An item without a known licence in a month that has licences is of unknown licence.
        openness=openness(pl.col("licence_class").fill_null("unknown"), pl.col("gated")).replace_strict(
            OPENNESS_COLUMNS, return_dtype=pl.String
        ),
        scale=pl.format("params_{}", parameter_class(pl.col("parameters"))),
    )
    return pl.concat(
        [
            _counts(rows, "modality", downloads=True),
            _sum(rows, "descendants", "descendants"),
            _sum(rows, "likes", "likes"),
            _sum(rows, "community", "issue"),
            _counts(rows, "openness", downloads=True),
            _counts(rows, "scale", downloads=False),
        ],
        how="vertical_relaxed",
    )


def model_unknown(models: pl.DataFrame, orgs: pl.DataFrame) -> pl.DataFrame:
    """Openness is unknown in months without licence information, model scale in months without
    parameter counts (the published archive has neither)."""
    rows = _tagged(models, MERGED_CLASSES["models"])
    openness_metrics = [f"{k}_{c}" for c in OPENNESS_COLUMNS.values() for k in ("num", "downloads")]
    scale_metrics = [f"num_params_{c}" for c, _ in PARAMETER_CLASSES] + ["num_params_unknown"]
    return pl.concat(
        [
            unknown_for(orgs, _months_with(rows, "licence_class"), openness_metrics),
            unknown_for(orgs, _months_with(rows, "parameters"), scale_metrics),
        ]
    )


def model_metrics(
    models: pl.DataFrame,
    curated: pl.DataFrame,
    orgs: pl.DataFrame,
    profile: Profile,
    variant: str,
    extra: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The model metric table (and the items behind it; ``extra``: per-org values computed elsewhere)."""
    items = model_items(models)
    table = _item_table(items, model_unknown(models, orgs), curated, orgs, profile, "model", variant, extra)
    return table, items


REPO_METRICS = {
    # metric -> (raw column, difference against last month's snapshot)
    "repo_contributors": ("contributors", False),
    "repo_commits": ("commits_last_month", False),
    "repo_new_contributors": ("contributors", True),
    "repo_stars_gained": ("stars", True),
    "repo_forks_gained": ("forks", True),
}


def repo_items(repos: pl.DataFrame, previous: pl.DataFrame | None, dimension: str) -> pl.DataFrame:
    """Per-repository contributions to contributor activity (system or benchmark repositories).

    Contributors (all time) and commits (the calendar month before the snapshot) as reported; new
    contributors, stars and forks gained = this month's count - last month's (a count that went down
    gains 0). Null where the platform does not report the count (Gitee / GitCode contributors and
    commits) or the repository has no snapshot last month.
    """
    key = pl.col("platform") + ":" + pl.col("repo").str.to_lowercase()
    mine = repos.filter(pl.col("dimension") == dimension).with_columns(item=key)
    counters = ["contributors", "stars", "forks"]
    if previous is not None and previous.height:
        last = previous.filter(pl.col("dimension") == dimension).with_columns(item=key)
        last = last.select("item", *[pl.col(c).alias(f"previous_{c}") for c in counters]).unique("item")
        mine = mine.join(last, on="item", how="left")
    else:
        mine = mine.with_columns([pl.lit(None, dtype=pl.Int64).alias(f"previous_{c}") for c in counters])
    frames = []
    for metric, (column, gained) in REPO_METRICS.items():
        value = pl.col(column)
        if gained:
            value = pl.max_horizontal(value - pl.col(f"previous_{column}"), pl.lit(0))
            value = (
                pl.when(pl.col(f"previous_{column}").is_null() | pl.col(column).is_null())
                .then(None)
                .otherwise(value)
            )
        frames.append(_contributions(mine, pl.lit(metric), value))
    return pl.concat(frames) if frames else _contributions(mine, pl.lit(""), pl.lit(0.0)).clear()


def repo_unknown(items: pl.DataFrame, orgs: pl.DataFrame) -> pl.DataFrame:
    """Contributor activity is unknown in months without code repositories (the published archive), and
    each count in months where no repository reports it (e.g. no snapshot last month: nothing gained)."""
    frames = [
        unknown_for(
            orgs,
            items.filter((pl.col("metric") == metric) & pl.col("value").is_not_null())["month"].unique(),
            [metric],
        )
        for metric in REPO_METRICS
    ]
    return pl.concat(frames)


def input_metrics(
    inputs: pl.DataFrame,
    curated: pl.DataFrame,
    orgs: pl.DataFrame,
    profile: Profile,
    dimension: str,
    computed: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """System / benchmark: the hand-input columns (all of them, or the profile's list) per ranked org,
    then the profile's own columns of the dimension, from ``computed`` values (contributor activity)."""
    spec = profile.dimensions[dimension]
    extra = profile.metric_columns(dimension) or ()
    given = pl.concat(
        [inputs.select("month", "org", "metric", "value"), curated_values(curated, dimension, orgs)]
    )
    values = given if computed is None else pl.concat([given, computed], how="vertical_relaxed")
    if not spec.inputs:
        return _complete(values, orgs, extra, "monthly")
    # Columns in the order of the month's input file (months may differ: new columns appear), then the
    # profile's own columns of the dimension.
    frames = []
    for month, part in given.group_by("month", maintain_order=True):
        columns = [m for m in part["metric"].unique(maintain_order=True) if m not in extra]
        month_values = values.filter(pl.col("month") == month[0])
        frames.append(
            _complete(month_values, orgs.filter(pl.col("month") == month[0]), (*columns, *extra), "monthly")
        )
    return pl.concat(frames) if frames else pl.DataFrame(schema=METRIC_SCHEMA)


def repo_metrics(
    repos: pl.DataFrame, previous: pl.DataFrame | None, dimension: str, orgs: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Contributor activity of a dimension: (values per org incl. unknowns, the repositories behind them)."""
    items = repo_items(repos, previous, dimension)
    return with_unknown(aggregate(items), repo_unknown(items, orgs)), items


def interval_items(
    items: pl.DataFrame, dimension: str, variant: str, orgs: pl.DataFrame, profile: Profile
) -> pl.DataFrame:
    """The contributions the rank intervals resample: scored metrics of ranked orgs, non-zero (an item
    adds nothing to a column it has no value in). Empty when the profile computes no intervals."""
    spec = profile.dimensions[dimension]
    scored = [m.column for m in spec.metrics or () if m.scored]
    if profile.intervals is None or not scored or items.is_empty():
        return pl.DataFrame(schema=ITEM_SCHEMA)
    return (
        items.filter(pl.col("metric").is_in(scored) & (pl.col("value") != 0))
        .join(orgs.select("month", "org"), on=["month", "org"], how="semi")
        .group_by(["month", "org", "item", "metric"], maintain_order=True)
        .agg(pl.col("value").sum())
        .with_columns(variant=pl.lit(variant), dimension=pl.lit(dimension))
        .select(list(ITEM_SCHEMA))
        .cast(ITEM_SCHEMA)
    )


def accumulate(
    merged: pl.DataFrame, month: str, kind: str, rules: Cleaning, first_month: str | None = None
) -> pl.DataFrame:
    """Items of every month up to and including ``month``: downloads add up, other counters take the max,
    item classes (licence, parameters, domains) the latest value that is known.

    Bounded by the partition month (the published files accumulated over every month published at run
    time, so their early accumulated tables contain later months). ``accumulate_skip_first_month``: the
    published accumulation leaves out the first month of the source (its first dated folder), which is
    ``first_month`` (default: the first month of ``merged``; datasets may have none in that month).
    """
    key = (
        pl.col("item") if rules.accumulate_key == "merge_key" else pl.col("namespace") + "/" + pl.col("name")
    )
    usage = "descendants" if kind == "models" else "dataset_usage"
    firsts = ["org", "namespace", "name", "modality"] + (["lifecycle"] if kind == "datasets" else [])
    rows = _tagged(merged, MERGED_CLASSES[kind]).filter(pl.col("month") <= month)
    if rules.accumulate_skip_first_month and rows.height:
        rows = rows.filter(pl.col("month") > (first_month or merged["month"].min()))
    return (
        rows.sort("month", maintain_order=True)
        .with_columns(acc_key=key)
        .group_by("acc_key", maintain_order=True)
        .agg(
            *[pl.col(c).first() for c in firsts],
            pl.col("item").first(),
            pl.col("downloads_month").sum(),
            pl.col("likes").max(),
            pl.col("community").max(),
            pl.col(usage).max(),
            *[pl.col(c).drop_nulls().last() for c in MERGED_CLASSES[kind]],
        )
        .drop("acc_key")
        .with_columns(month=pl.lit(month))
    )


# -- beyond the published leaderboard: the Hub census and OpenI (docs/method.md, "Beyond the published") --
CENSUS_METRICS = {
    "model": ("derivative_models", "derivative_downloads", "hub_model_share"),
    "data": ("hub_dataset_share",),
}
OPENI_METRICS = {
    "model": ("num_openi_models", "openi_models"),
    "data": ("num_openi_datasets", "openi_datasets"),
}
_VALUE_SCHEMA = {"month": pl.String, "org": pl.String, "metric": pl.String, "value": pl.Float64}


def _long(frame: pl.DataFrame, metrics: tuple[str, ...]) -> pl.DataFrame:
    if frame.is_empty():
        return pl.DataFrame(schema=_VALUE_SCHEMA)
    return (
        frame.unpivot(index=["month", "org"], on=list(metrics), variable_name="metric", value_name="value")
        .select(list(_VALUE_SCHEMA))
        .cast(_VALUE_SCHEMA)
    )


def census_values(
    census: pl.DataFrame | None, month: str, variant: str, orgs: pl.DataFrame
) -> dict[str, pl.DataFrame]:
    """Derivative reach and the share of the Hub per ranked org, per dimension (``CENSUS_METRICS``), from
    ``clean.census_orgs``. Monthly: the month's census; accumulated: every census up to the month
    (derivative downloads add up, the derivative count is the largest seen, a share is the org's
    downloads over the Hub's). Unknown (null) when no census is in range (the published archive)."""
    rows = census.filter(pl.col("month") <= month) if census is not None else None
    if rows is not None and variant == "monthly":
        rows = rows.filter(pl.col("month") == month)
    if rows is None or rows.is_empty():
        return {
            d: unknown_for(orgs, pl.Series([], dtype=pl.String), list(m)) for d, m in CENSUS_METRICS.items()
        }
    per_org = (
        rows.group_by("org")
        .agg(
            pl.col("derivative_models").max(),
            pl.col("derivative_downloads").sum(),
            *[pl.col(c).sum() for c in ("model_downloads", "dataset_downloads")],
            *[pl.col(c).sum() for c in ("hub_model_downloads", "hub_dataset_downloads")],
        )
        .with_columns(
            month=pl.lit(month),
            hub_model_share=pl.when(pl.col("hub_model_downloads") > 0).then(
                pl.col("model_downloads") / pl.col("hub_model_downloads")
            ),
            hub_dataset_share=pl.when(pl.col("hub_dataset_downloads") > 0).then(
                pl.col("dataset_downloads") / pl.col("hub_dataset_downloads")
            ),
        )
        .join(orgs.select("org"), on="org", how="semi")
    )
    return {d: _long(per_org, m) for d, m in CENSUS_METRICS.items()}


def openi_values(
    raw: dict[str, pl.DataFrame], month: str, variant: str, orgs: pl.DataFrame
) -> dict[str, pl.DataFrame]:
    """OpenI repositories carrying a model / a dataset per ranked org (``OPENI_METRICS``): the month's
    (monthly) or every one seen up to the month (accumulated). Unknown in months without any OpenI item
    (the published archive, a recording made before the collector)."""
    out = {}
    for dimension, (metric, table) in OPENI_METRICS.items():
        rows = raw.get(table)
        rows = rows.filter(pl.col("month") <= month) if rows is not None else None
        if rows is not None and variant == "monthly":
            rows = rows.filter(pl.col("month") == month)
        if rows is None or rows.is_empty():
            out[dimension] = unknown_for(orgs, pl.Series([], dtype=pl.String), [metric])
            continue
        counts = (
            rows.select("org", key=(pl.col("namespace") + "/" + pl.col("name")).str.to_lowercase())
            .unique()
            .group_by("org")
            .agg(pl.len().cast(pl.Float64).alias("value"))
            .join(orgs.select("org"), on="org", how="semi")
            .with_columns(month=pl.lit(month), metric=pl.lit(metric))
        )
        out[dimension] = counts.select(list(_VALUE_SCHEMA)).cast(_VALUE_SCHEMA)
    return out
