"""The organisation registry (`data/registry/orgs.yaml`): which namespaces and code repos belong to an org.

Validated on load: an unknown platform, a namespace claimed by two orgs (compared case-insensitively,
because platforms resolve names that way and the published configs mix `openbmb` / `OpenBMB`), an empty
org name, a malformed repo, a repo claimed by two orgs or a category the dimension does not have raise
`RegistryError` naming the file and entry.

Repositories are listed per dimension and category (``system: {Operator Library: [github:o/r]}``; a plain
list leaves the category open). ``data/registry/evidence.yaml`` says how every code-hosting URL of the
published evidence lists maps onto the registry (`review_evidence`); `repo_coverage` counts the
repositories per org and category for the method page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import polars as pl
import yaml

from leaderboard_pipeline.config.settings import DATA_DIR
from leaderboard_pipeline.contract.raw_tables import RAW_SCHEMAS

# YAML key -> platform name used in the org_registry table.
NAMESPACE_PLATFORMS = {
    "huggingface": "HuggingFace",
    "modelscope": "ModelScope",
    "opendatalab": "OpenDataLab",
    "baai": "BAAIData",
    "openi": "OpenI",  # OpenI (启智) accounts: organisations or users (collectors/openi.py)
}
CODE_PLATFORMS = ("github", "gitee", "gitcode")
CODE_DIMENSIONS = ("system", "benchmark")  # the dimensions code repositories count in
# The categories of the stated method (osir-method.md §2, the leaderboard README's dimension text).
REPO_CATEGORIES = {
    "system": (
        "Operator Library",
        "Compatibility Testing",
        "Parallel Training and Inference Framework",
        "Communication Library",
        "Deep Learning Framework",
        "Open-source AI Compiler",
    ),
    "benchmark": (
        "Leaderboards",
        "Evaluated Models",
        "Evaluation Datasets",
        "Evaluation Methods",
        "Evaluation Tools",
    ),
}
EVIDENCE = DATA_DIR / "registry" / "evidence.yaml"


class RegistryError(ValueError):
    """The registry file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class CodeRepo:
    org: str
    dimension: str  # system | benchmark
    platform: str  # github | gitee | gitcode
    repo: str  # owner/name
    categories: tuple[str, ...] = ()  # of the dimension (REPO_CATEGORIES); empty: not reviewed

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.repo}".lower()


@dataclass(frozen=True)
class Org:
    name: str
    namespaces: dict[str, tuple[str, ...]]  # platform name -> namespaces
    repos: tuple[CodeRepo, ...]


@dataclass(frozen=True)
class Registry:
    path: Path
    orgs: tuple[Org, ...]

    def resolve(self, platform: str, namespace: str) -> str | None:
        """The org owning `namespace` on `platform` (either spelling: "huggingface" or "HuggingFace")."""
        platform = NAMESPACE_PLATFORMS.get(platform, platform)
        wanted = namespace.casefold()
        for org in self.orgs:
            if any(ns.casefold() == wanted for ns in org.namespaces.get(platform, ())):
                return org.name
        return None

    def namespaces(self, platform: str) -> list[tuple[str, str]]:
        """(org, namespace) pairs of one platform, in file order."""
        platform = NAMESPACE_PLATFORMS.get(platform, platform)
        return [(o.name, ns) for o in self.orgs for ns in o.namespaces.get(platform, ())]

    def code_repos(self, platform: str | None = None) -> list[CodeRepo]:
        return [r for o in self.orgs for r in o.repos if platform in (None, r.platform)]

    def subset(self, names: list[str] | None) -> Registry:
        if names is None:
            return self
        unknown = set(names) - {o.name for o in self.orgs}
        if unknown:
            raise RegistryError(f"{self.path}: unknown orgs requested: {sorted(unknown)}")
        return Registry(self.path, tuple(o for o in self.orgs if o.name in names))

    def to_frame(self, month: str) -> pl.DataFrame:
        rows = [
            {"month": month, "org": o.name, "platform": p, "namespace": ns}
            for o in self.orgs
            for p, nss in o.namespaces.items()
            for ns in nss
        ]
        return pl.DataFrame(rows, schema=RAW_SCHEMAS["org_registry"])


def _strings(value, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str | int) and str(v).strip() for v in value):
        raise RegistryError(f"{where}: expected a list of non-empty names, got {value!r}")
    return tuple(str(v).strip() for v in value)


def load_registry(path: Path | str) -> Registry:
    path = Path(path)
    try:
        doc = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise RegistryError(f"{path}: cannot read registry: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("orgs"), dict) or not doc["orgs"]:
        raise RegistryError(f"{path}: expected a top-level mapping 'orgs: {{<org>: {{...}}}}'")
    orgs, owners = [], {}  # owners: (platform, casefolded namespace) -> org
    for name, entry in doc["orgs"].items():
        where = f"{path}: org {name!r}"
        if name is None or not str(name).strip():
            raise RegistryError(f"{path}: an org entry has an empty name")
        name = str(name).strip()
        entry = entry or {}
        if not isinstance(entry, dict):
            raise RegistryError(f"{where}: expected a mapping, got {entry!r}")
        unknown = set(entry) - set(NAMESPACE_PLATFORMS) - {"repos"}
        if unknown:
            raise RegistryError(
                f"{where}: unknown platform(s) {sorted(unknown)}; "
                f"known: {sorted(NAMESPACE_PLATFORMS)} and 'repos'"
            )
        namespaces = {}
        for key, platform in NAMESPACE_PLATFORMS.items():
            nss = _strings(entry.get(key), f"{where}.{key}")
            for ns in nss:
                other = owners.setdefault((platform, ns.casefold()), name)
                if other != name or nss.count(ns) > 1:
                    raise RegistryError(
                        f"{where}.{key}: namespace {ns!r} is already listed under org {other!r} "
                        "(namespaces are compared case-insensitively)"
                    )
            if nss:
                namespaces[platform] = nss
        repos = _repos(entry.get("repos"), name, where)
        if not namespaces and not repos:
            raise RegistryError(f"{where}: empty org: it lists no namespace and no repository")
        orgs.append(Org(name, namespaces, repos))
    # A repository is one org's, in one dimension: it is fetched once a month and counted once.
    claimed: dict[str, CodeRepo] = {}
    for repo in (r for o in orgs for r in o.repos):
        other = claimed.setdefault(repo.key, repo)
        if other is not repo:
            where = (
                f"org {other.org!r}" if other.org != repo.org else f"{other.dimension} of org {other.org!r}"
            )
            raise RegistryError(
                f"{path}: org {repo.org!r}.repos.{repo.dimension}: {repo.platform}:{repo.repo} is already listed under {where}"
            )
    return Registry(path, tuple(orgs))


def _repos(value, org: str, where: str) -> tuple[CodeRepo, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict) or set(value) - set(CODE_DIMENSIONS):
        raise RegistryError(f"{where}.repos: expected a mapping with keys {CODE_DIMENSIONS}, got {value!r}")
    repos: dict[tuple[str, str], CodeRepo] = {}  # (dimension, key) -> repo; a repo may have two categories
    for dimension, listed in value.items():
        here = f"{where}.repos.{dimension}"
        by_category = listed if isinstance(listed, dict) else {None: listed}
        for category, items in by_category.items():
            if category is not None and category not in REPO_CATEGORIES[dimension]:
                raise RegistryError(
                    f"{here}: unknown category {category!r} (known: {', '.join(REPO_CATEGORIES[dimension])})"
                )
            for item in _strings(items, here if category is None else f"{here}.{category}"):
                platform, _, repo = item.partition(":")
                if platform not in CODE_PLATFORMS or repo.count("/") != 1 or "" in repo.split("/"):
                    raise RegistryError(
                        f"{here}: {item!r} must look like '<{'|'.join(CODE_PLATFORMS)}>:owner/name'"
                    )
                found = repos.setdefault((dimension, item.lower()), CodeRepo(org, dimension, platform, repo))
                if category is not None and category not in found.categories:
                    repos[dimension, item.lower()] = replace(found, categories=(*found.categories, category))
    return tuple(repos.values())


# -- the published evidence lists, reviewed ------------------------------------------------------------
CODE_HOSTS = {"github.com": "github", "gitee.com": "gitee", "gitcode.com": "gitcode"}
_URL = re.compile(r"https?://[^\s，,]+?(?=https?://|[\s，,]|$)")


def evidence_urls(text: str) -> list[str]:
    """The URLs of an evidence list: one or more per line, also run together or split by a full-width
    comma, as the published lists have them."""
    return [u for line in text.splitlines() for u in _URL.findall(line.strip())]


def code_location(url: str) -> tuple[str, str] | None:
    """(platform, path) of a code-hosting URL, path being ``owner/name`` for a repository (any deeper path,
    ``.git`` or ``/overview`` dropped; GitCode mirror groups keep their group path) or ``owner`` for an
    account page; None for any other site."""
    split = urlsplit(url)
    platform = CODE_HOSTS.get(split.netloc.lower().removeprefix("www."))
    if platform is None:
        return None
    parts = [p for p in split.path.split("/") if p]
    if parts[:1] == ["orgs"]:  # github.com/orgs/<owner>/repositories?q=...: an account's repository list
        parts = parts[1:2]
    if platform == "gitcode" and parts[:1] and parts[0] in ("gh_mirrors", "mirrors", "hf_mirrors"):
        return platform, "/".join(parts[:3])
    for stop in ("tree", "blob", "overview"):
        if stop in parts:
            parts = parts[: parts.index(stop)]
    parts = parts[:2]
    if len(parts) == 2:
        parts[1] = parts[1].removesuffix(".git")
    return (platform, "/".join(parts)) if parts else None


@dataclass(frozen=True)
class EvidenceReview:
    copies: dict[str, str]  # "<platform>:<path>" (mirror, fork, other host) -> the registry repo it copies
    accounts: dict[str, str]  # "<platform>:<owner>" -> org
    cited: dict[str, dict]  # "<platform>:<owner>/<name>" -> {org, dimension, category, note}: not collected


def load_evidence(path: Path = EVIDENCE) -> EvidenceReview:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise RegistryError(f"{path}: cannot read the evidence review: {exc}") from exc
    sections = {k: doc.get(k) or {} for k in ("copies", "accounts", "cited")}
    for name, section in sections.items():
        if not isinstance(section, dict):
            raise RegistryError(f"{path}: {name} must be a mapping")
    lower = {name: {str(k).lower(): v for k, v in section.items()} for name, section in sections.items()}
    return EvidenceReview(
        {k: str(v).lower() for k, v in lower["copies"].items()}, lower["accounts"], lower["cited"]
    )


def review_evidence(registry: Registry, review: EvidenceReview, urls: list[str]) -> pl.DataFrame:
    """Each code-hosting URL of the evidence lists with what it is in our registry.

    ``status``: ``repo`` (a registry repository), ``copy`` (a mirror / fork / other host's copy of one),
    ``account`` (an org's account page), ``cited`` (named for an org but not collected, with a note), or
    ``unmapped`` (a gap to review). Other sites are not code repositories and are left out.
    """
    repos = {r.key: r for r in registry.code_repos()}
    names = {o.name for o in registry.orgs}
    rows = []
    for url in urls:
        where = code_location(url)
        if where is None:
            continue
        key = f"{where[0]}:{where[1]}".lower()
        row = {"url": url, "location": key, "status": "unmapped", "org": None, "repo": None, "note": None}
        target = review.copies.get(key, key)
        if target in repos:
            repo = repos[target]
            row |= {"status": "repo" if target == key else "copy", "org": repo.org, "repo": repo.key}
        elif key in review.cited:
            cited = review.cited[key]
            row |= {"status": "cited", "org": cited.get("org"), "note": cited.get("note")}
        elif key in review.accounts and review.accounts[key] in names:
            row |= {"status": "account", "org": review.accounts[key]}
        rows.append(row)
    schema = {c: pl.String for c in ("url", "location", "status", "org", "repo", "note")}
    return pl.DataFrame(rows, schema=schema).unique("url", maintain_order=True)


def repo_coverage(registry: Registry) -> pl.DataFrame:
    """Repositories per org, dimension and category (a repository in two categories counts in both), with
    how many are on each platform: the coverage table of the method page."""
    rows = [
        {"org": r.org, "dimension": r.dimension, "category": c, "platform": r.platform, "repo": r.repo}
        for r in registry.code_repos()
        for c in r.categories or ("(no category)",)
    ]
    schema = {c: pl.String for c in ("org", "dimension", "category", "platform", "repo")}
    return (
        pl.DataFrame(rows, schema=schema)
        .group_by(["org", "dimension", "category"], maintain_order=True)
        .agg(
            repos=pl.len().cast(pl.Int64),
            **{p: (pl.col("platform") == p).sum().cast(pl.Int64) for p in CODE_PLATFORMS},
            names=pl.col("repo").sort().str.join(", "),
        )
        .sort(["org", "dimension", "category"])
    )
