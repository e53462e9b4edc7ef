"""The organisation registry (`data/registry/orgs.yaml`): which namespaces and code repos belong to an org.

Validated on load: an unknown platform, a namespace claimed by two orgs (compared case-insensitively,
because platforms resolve names that way and the published configs mix `openbmb` / `OpenBMB`), an empty
org name or a malformed repo raise `RegistryError` naming the file and entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import yaml

from leaderboard_pipeline.raw_tables import RAW_SCHEMAS

# YAML key -> platform name used in the org_registry table.
NAMESPACE_PLATFORMS = {
    "huggingface": "HuggingFace",
    "modelscope": "ModelScope",
    "opendatalab": "OpenDataLab",
    "baai": "BAAIData",
}
CODE_PLATFORMS = ("github", "gitee", "gitcode")
DIMENSIONS = ("system", "benchmark")


class RegistryError(ValueError):
    """The registry file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class CodeRepo:
    org: str
    dimension: str  # system | benchmark
    platform: str  # github | gitee | gitcode
    repo: str  # owner/name


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
    return Registry(path, tuple(orgs))


def _repos(value, org: str, where: str) -> tuple[CodeRepo, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict) or set(value) - set(DIMENSIONS):
        raise RegistryError(f"{where}.repos: expected a mapping with keys {DIMENSIONS}, got {value!r}")
    repos = []
    for dimension, items in value.items():
        for item in _strings(items, f"{where}.repos.{dimension}"):
            platform, _, repo = item.partition(":")
            if platform not in CODE_PLATFORMS or repo.count("/") != 1 or "" in repo.split("/"):
                raise RegistryError(
                    f"{where}.repos.{dimension}: {item!r} must look like '<{'|'.join(CODE_PLATFORMS)}>:owner/name'"
                )
            repos.append(CodeRepo(org, dimension, platform, repo))
    return tuple(repos)
