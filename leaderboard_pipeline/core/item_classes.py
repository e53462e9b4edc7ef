"""Classes of single items, from reviewed data files: licence class (models), parameter class (models) and
industry domains (datasets). Polars expressions over the clean tables; the tables are ``data/method/``.

Unknown is kept apart from "none": an item whose platform did not report tags (the published archive)
gets null, an item whose tags were read but name no licence gets the class "unknown", and a dataset whose
tags name no domain gets an empty list.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import polars as pl
import yaml

from leaderboard_pipeline.config.settings import DATA_DIR

LICENCES = DATA_DIR / "method" / "licences.yaml"
DOMAINS = DATA_DIR / "method" / "domains.yaml"
LICENCE_CLASSES = ("open", "restricted", "unknown")
# Upper bounds (exclusive) of the parameter classes; see docs/method.md for why these.
PARAMETER_CLASSES = (
    ("under_1b", 1_000_000_000),
    ("1b_to_10b", 10_000_000_000),
    ("10b_to_100b", 100_000_000_000),
    ("100b_plus", None),
)
_TAG_PREFIXES = r"^(task_categories|task_ids):"


class ClassTableError(ValueError):
    """A licence or domain table is malformed; the message names the file and entry."""


def _load(path: Path, key: str) -> dict:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ClassTableError(f"{path}: cannot read: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get(key), dict):
        raise ClassTableError(f"{path}: expected a top-level mapping '{key}:'")
    return doc


@cache
def licence_table(path: Path = LICENCES) -> dict[str, str]:
    """Lower-cased licence id (and alias) -> class."""
    return {key: classes for key, (_, classes) in _licences(path).items()}


@cache
def licence_aliases(path: Path = LICENCES) -> dict[str, str]:
    """Lower-cased licence id or alias -> the licence id."""
    return {key: licence for key, (licence, _) in _licences(path).items()}


@cache
def _licences(path: Path) -> dict[str, tuple[str, str]]:
    doc = _load(path, "classes")
    out: dict[str, str] = {}
    for cls, ids in doc["classes"].items():
        if cls not in LICENCE_CLASSES:
            raise ClassTableError(f"{path}: unknown class {cls!r} (known: {', '.join(LICENCE_CLASSES)})")
        for licence in ids or []:
            key = str(licence).strip().lower()
            if key in out:
                raise ClassTableError(f"{path}: licence {licence!r} is listed under {out[key]!r} and {cls!r}")
            out[key] = cls
    for alias, target in (doc.get("aliases") or {}).items():
        target = str(target).strip().lower()
        if target not in out:
            raise ClassTableError(f"{path}: alias {alias!r} points to {target!r}, which has no class")
        out[str(alias).strip().lower()] = out[target]
    targets = {str(a).strip().lower(): str(t).strip().lower() for a, t in (doc.get("aliases") or {}).items()}
    return {key: (targets.get(key, key), cls) for key, cls in out.items()}


@cache
def domain_table(path: Path = DOMAINS) -> dict[str, str]:
    """Lower-cased tag -> domain."""
    doc = _load(path, "domains")
    out: dict[str, str] = {}
    for domain, tags in doc["domains"].items():
        if not str(domain).isidentifier():
            raise ClassTableError(f"{path}: domain {domain!r} must be a lower-case word (it names a column)")
        for tag in tags or []:
            key = str(tag).strip().lower()
            if out.get(key, domain) != domain:
                raise ClassTableError(f"{path}: tag {tag!r} is mapped to {out[key]!r} and {domain!r}")
            out[key] = domain
    return out


def domains() -> tuple[str, ...]:
    return tuple(dict.fromkeys(domain_table().values()))


def licence_id() -> pl.Expr:
    """The licence of a platform row: its own licence field, else its first ``license:<id>`` tag."""
    from_tags = (
        pl.col("tags")
        .list.eval(pl.element().filter(pl.element().str.starts_with("license:")).str.slice(8))
        .list.first()
    )
    own = pl.col("license").str.strip_chars().replace("", None)
    spelled = pl.coalesce(own, from_tags).str.to_lowercase()
    return spelled.replace(licence_aliases()).alias("licence")


def licence_class() -> pl.Expr:
    """open | restricted | unknown; null when the platform reported neither tags nor a licence."""
    table = licence_table()
    known = pl.col("tags").is_not_null() | pl.col("license").is_not_null()
    cls = pl.col("licence").replace_strict(table, default="unknown", return_dtype=pl.String)
    return pl.when(known).then(cls).otherwise(None).alias("licence_class")


def dataset_domains() -> pl.Expr:
    """Domains a dataset's tags name (sorted, each once); null when the platform reported no tags."""
    table = domain_table()
    return (
        pl.col("tags")
        .list.eval(
            pl.element()
            .str.to_lowercase()
            .str.replace(_TAG_PREFIXES, "")
            .replace_strict(table, default=None, return_dtype=pl.String)
            .drop_nulls()
            .unique()
            .sort()
        )
        .alias("domains")
    )


def with_item_classes(frame: pl.DataFrame, kind: str) -> pl.DataFrame:
    """Add ``licence``/``licence_class`` (models) or ``domains`` (datasets) to a platform's rows."""
    missing = {"tags": pl.List(pl.String), "license": pl.String}
    frame = frame.with_columns(
        [pl.lit(None, dtype=t).alias(c) for c, t in missing.items() if c not in frame.columns]
    )
    if kind == "models":
        return frame.with_columns(licence_id()).with_columns(licence_class())
    return frame.with_columns(dataset_domains())


def openness(licence_cls: pl.Expr, gated: pl.Expr) -> pl.Expr:
    """A model's openness class: "gated" when access needs approval, else its licence class."""
    return pl.when(gated.fill_null(False)).then(pl.lit("gated")).otherwise(licence_cls)


def parameter_class(parameters: pl.Expr) -> pl.Expr:
    """under_1b | 1b_to_10b | 10b_to_100b | 100b_plus; "unknown" without a parameter count."""
    expr = pl.lit("unknown")
    for name, bound in reversed(PARAMETER_CLASSES):
        condition = parameters.is_not_null() if bound is None else parameters < bound
        expr = pl.when(condition).then(pl.lit(name)).otherwise(expr)
    return expr
