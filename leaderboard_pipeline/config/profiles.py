"""Scoring profiles are data: ``data/profiles/<name>.yaml`` -> a validated, immutable Profile."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from leaderboard_pipeline.config.settings import PROFILES_DIR

DIMENSIONS = ("data", "model", "system", "benchmark")
NORMALISATIONS = ("minmax", "max")
COMBINE_METHODS = ("mean", "rank_discount")
MERGE_KEYS = ("org_name", "org_name_casefold")
PREVIOUS_SNAPSHOTS = ("latest_stored", "previous_month")


class ProfileError(ValueError):
    pass


@dataclass(frozen=True)
class Metric:
    column: str
    category: str
    label: str = ""
    # False: computed and shown (metric tables, summaries) but not normalised, not in the score.
    scored: bool = True


@dataclass(frozen=True)
class Dimension:
    name: str
    # Explicit metric columns, or None when the dimension is only the month's hand inputs.
    metrics: tuple[Metric, ...] | None
    categories: dict[str, str] = field(default_factory=dict)  # input column -> category (hand inputs)
    # True when the month's hand-input columns come first; ``metrics`` (if any) are scored after them.
    inputs: bool = False

    @property
    def unscored(self) -> frozenset[str]:
        return frozenset(m.column for m in self.metrics or () if not m.scored)


@dataclass(frozen=True)
class Intervals:
    """Rank intervals: a Poisson bootstrap over each org's items and the leave-one-metric-out range."""

    rounds: int = 1000
    seed: int = 0
    level: float = 0.95  # central share of the bootstrap ranks: 0.95 -> the 2.5-97.5 % range


@dataclass(frozen=True)
class Cleaning:
    """Switches of the cleaning and merge rules. The defaults are the correct behaviour."""

    case_sensitive_orgs: bool = False  # published: per-platform, case-sensitive namespace map
    label_case_fallback: bool = True  # look labels up case-insensitively when the exact key is missing
    # A live month taken over from the published leaderboard carries the folder's published label files
    # beside our rules' labels: True uses the published label wherever its exact key labels an item (our
    # rules elsewhere); False uses our rules and reviewed overrides only.
    published_labels: bool = False
    count_duplicates: bool = False  # published: duplicate raw rows counted twice
    min_model_downloads: int = 50  # monthly downloads a model needs (>=)
    min_language_model_parameters: int | None = 500_000_000  # needs parameter counts (live source)
    skip_first_month: tuple[str, ...] = ()  # raw tables whose datasets are skipped without a previous total
    drop_negative_deltas: tuple[str, ...] = ()  # raw tables whose negative monthly differences drop the row
    clamp_negative_deltas: bool = True  # a cumulative counter that went down contributes 0, not < 0
    shared_previous_totals: bool = (
        False  # published: one previous-total map per platform for models and datasets
    )
    falsy_previous_is_missing: bool = False  # published: a previous total of 0 counts as "no previous total"
    sentinels_as_null: bool = True  # -1 likes/community mean "unknown"
    unknown_counts_as_zero: bool = False  # published: a merged item nobody reports likes for has 0 likes
    merge_key: str = "org_name_casefold"
    source_order: tuple[str, ...] = ("ModelScope", "BAAIData", "HuggingFace", "OpenDataLab")
    invalid_modalities_as_null: bool = True  # the strings "null" and "" are not modalities
    dedupe_other_sources: bool = True  # a curated dataset listed twice counts once per category
    accumulate_key: str = "merge_key"  # published: "namespace_name"
    # Cumulative platforms (ModelScope, OpenDataLab, BAAI): monthly downloads are the difference to the
    # latest earlier stored snapshot ("latest_stored"; a skipped month is bridged), or to the calendar
    # previous month only ("previous_month", published).
    previous_snapshot: str = "latest_stored"
    download_window_days: int | None = 30  # scale a difference to this many days by the crawl dates
    rank_baseline_months: bool = False  # a month with no earlier snapshot at all is stored, not ranked
    # published: the accumulation starts at the second month of the source ("every dated folder except
    # the first", osir-method.md 5.5)
    accumulate_skip_first_month: bool = False


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    normalisation: str
    combine: str
    weights: dict[str, float]
    dimensions: dict[str, Dimension]
    cleaning: Cleaning
    export_columns: dict[str, str]
    export_files: dict[str, str]
    path: Path
    export_order: str = "rank"  # rank: best first | input: the hand-input order of orgs
    export_float_text: str = "shortest"  # shortest (polars) | python: the published CSVs' float text
    export_omit_empty: tuple[str, ...] = ()  # columns left out of a file when entirely empty
    # hand-input summaries (system, benchmark): "ours" (UTF-8, LF) | "as-read": the BOM and line endings
    # of the file they were read from, as the published folders hold them
    export_inputs_text: str = "ours"
    intervals: Intervals | None = None  # None: no rank intervals (their columns stay null)

    def metric_columns(self, dimension: str) -> tuple[str, ...] | None:
        """The explicit metric columns of a dimension (after the hand-input ones when it has inputs);
        None for a dimension that is only the month's hand input."""
        metrics = self.dimensions[dimension].metrics
        return None if metrics is None else tuple(m.column for m in metrics)


def _fraction(value: object, where: str) -> float:
    """Weights may be written as numbers or simple fractions ("1/6"); never evaluated as code."""
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and "/" in value:
        top, _, bottom = value.partition("/")
        try:
            return float(top) / float(bottom)
        except (ValueError, ZeroDivisionError):
            pass
    raise ProfileError(f"{where}: {value!r} is not a number or a fraction like 1/6")


def load_profile(name_or_path: str | Path) -> Profile:
    path = Path(name_or_path)
    if not path.suffix:
        path = PROFILES_DIR / f"{name_or_path}.yaml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in PROFILES_DIR.glob("*.yaml")))
        raise ProfileError(f"{path}: no such profile (known: {known})")
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML ({exc})") from exc

    normalisation = doc.get("normalisation", "minmax")
    if normalisation not in NORMALISATIONS:
        raise ProfileError(f"{path}: normalisation must be one of {NORMALISATIONS}, got {normalisation!r}")
    combine_doc = doc.get("combine") or {"method": "mean"}
    combine = combine_doc.get("method")
    if combine not in COMBINE_METHODS:
        raise ProfileError(f"{path}: combine.method must be one of {COMBINE_METHODS}, got {combine!r}")
    raw_weights = combine_doc.get("weights") or {d: 1 for d in DIMENSIONS}
    weights = {d: _fraction(raw_weights.get(d, 0), f"{path}: combine.weights.{d}") for d in DIMENSIONS}
    if doc.get("ranking", "dense") != "dense":
        raise ProfileError(f"{path}: only dense ranking is implemented")

    cleaning_doc = dict(doc.get("cleaning") or {})
    known = set(Cleaning.__dataclass_fields__)
    unknown = set(cleaning_doc) - known
    if unknown:
        raise ProfileError(f"{path}: unknown cleaning switch(es): {', '.join(sorted(unknown))}")
    for key, value in cleaning_doc.items():
        if isinstance(value, list):
            cleaning_doc[key] = tuple(value)
    cleaning = Cleaning(**cleaning_doc)
    if cleaning.merge_key not in MERGE_KEYS:
        raise ProfileError(f"{path}: cleaning.merge_key must be one of {MERGE_KEYS}")
    if cleaning.previous_snapshot not in PREVIOUS_SNAPSHOTS:
        raise ProfileError(f"{path}: cleaning.previous_snapshot must be one of {PREVIOUS_SNAPSHOTS}")
    window = cleaning.download_window_days
    if window is not None and (not isinstance(window, int) or window <= 0):
        raise ProfileError(f"{path}: cleaning.download_window_days must be a positive number of days or null")

    intervals = _intervals(doc.get("intervals"), path)
    dimensions = {dim: _dimension(doc, dim, path) for dim in DIMENSIONS}

    export = doc.get("export") or {}
    if export.get("order", "rank") not in ("rank", "input"):
        raise ProfileError(f"{path}: export.order must be rank or input")
    if export.get("inputs_text", "ours") not in ("ours", "as-read"):
        raise ProfileError(f"{path}: export.inputs_text must be ours or as-read")
    return Profile(
        name=doc.get("name", path.stem),
        description=doc.get("description", ""),
        normalisation=normalisation,
        combine=combine,
        weights=weights,
        dimensions=dimensions,
        cleaning=cleaning,
        export_columns=dict(export.get("columns") or {}),
        export_files=dict(export.get("files") or {}),
        path=path,
        export_order=export.get("order", "rank"),
        export_float_text=export.get("float_text", "shortest"),
        export_omit_empty=tuple(export.get("omit_empty") or ()),
        export_inputs_text=export.get("inputs_text", "ours"),
        intervals=intervals,
    )


def _dimension(doc: dict, dim: str, path: Path) -> Dimension:
    spec = (doc.get("dimensions") or {}).get(dim)
    if spec is None:
        raise ProfileError(f"{path}: dimensions.{dim} is missing")
    inputs = spec.get("metrics") == "inputs" or spec.get("inputs") is True
    listed = [] if spec.get("metrics") == "inputs" else spec.get("metrics") or []
    metrics = []
    for i, m in enumerate(listed):
        if not isinstance(m, dict) or "column" not in m or "category" not in m:
            raise ProfileError(f"{path}: dimensions.{dim}.metrics[{i}] needs column and category")
        if not isinstance(m.get("scored", True), bool):
            raise ProfileError(f"{path}: dimensions.{dim}.metrics[{i}].scored must be true or false")
        metrics.append(Metric(m["column"], m["category"], m.get("label", ""), m.get("scored", True)))
    if not metrics and not inputs:
        raise ProfileError(f"{path}: dimensions.{dim} has no metrics")
    columns = [m.column for m in metrics]
    if len(set(columns)) != len(columns):
        raise ProfileError(f"{path}: dimensions.{dim} lists a metric twice")
    return Dimension(
        dim, tuple(metrics) if metrics else None, dict(spec.get("categories") or {}), inputs=inputs
    )


def _intervals(spec: object, path: Path) -> Intervals | None:
    if spec is None or spec is False:
        return None
    if not isinstance(spec, dict) or set(spec) - set(Intervals.__dataclass_fields__):
        raise ProfileError(f"{path}: intervals must be a mapping with keys rounds, seed, level")
    out = Intervals(**spec)
    if not isinstance(out.rounds, int) or out.rounds < 10:
        raise ProfileError(f"{path}: intervals.rounds must be an integer >= 10, got {out.rounds!r}")
    if not isinstance(out.seed, int) or out.seed < 0:
        raise ProfileError(f"{path}: intervals.seed must be a non-negative integer, got {out.seed!r}")
    if not isinstance(out.level, float | int) or not 0 < out.level < 1:
        raise ProfileError(f"{path}: intervals.level must be between 0 and 1, got {out.level!r}")
    return out
