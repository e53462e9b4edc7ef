"""`leaderboard probe`: one small request per platform and endpoint, checked by the collectors' own code.

The first thing to run on a new deployment (docs/data-sources.md); see `collectors.probe` for what is
asked. Exit status 0 when every endpoint answered in shape, 1 otherwise.
"""

# The HTTP stack is imported when the probe runs, not at import: every `leaderboard` command builds
# this subcommand's parser, and the CLI must start fast.

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from leaderboard_pipeline.collectors import probe as probe_logic  # light: the HTTP stack loads on use
from leaderboard_pipeline.config import settings

if TYPE_CHECKING:
    from leaderboard_pipeline.collectors.probe import Row

PROBE_DOC = (
    f"{probe_logic.__doc__.strip()}\n\nExit status 0 when every endpoint answered in shape, 1 otherwise."
)


def format_table(rows: list[Row]) -> str:
    header = ("platform", "endpoint", "status", "latency", "auth", "rate-limit headers", "shape")
    cells = [
        (
            r.platform,
            r.endpoint,
            r.status,
            "-" if r.latency_ms is None else f"{r.latency_ms:.0f} ms",
            r.auth,
            r.rate_limit,
            r.shape,
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(header)]
    widths[-1] = len(header[-1])  # the last column is free text: no padding
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(tuple("-" * w for w in widths)), *map(line, cells)])


def _platform_list(value: str) -> list[str]:
    from leaderboard_pipeline.collectors.platforms import PLATFORMS

    names = [v.strip().lower() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in PLATFORMS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown platform {', '.join(unknown)} (one of {', '.join(PLATFORMS)})"
        )
    return names


def cmd_probe(args: argparse.Namespace) -> int:
    from leaderboard_pipeline.config.registry import RegistryError, load_registry
    from leaderboard_pipeline.contract.errors import SourceError

    try:
        registry = load_registry(args.registry)
        if args.org:
            registry = registry.subset([args.org])
    except RegistryError as exc:
        raise SourceError(str(exc)) from None
    save = Path(args.save) if args.save else None
    started = time.perf_counter()
    rows = probe_logic.run_probe(registry, args.platform, save=save, timeout=args.timeout)
    print(format_table(rows))
    bad = [r for r in rows if not r.ok]
    took = time.perf_counter() - started
    verdict = (
        "every endpoint in shape" if not bad else f"{len(bad)} endpoint(s) not in shape or not reachable"
    )
    print(f"\n{verdict} ({took:.1f} s)" + (f"; responses saved under {save}" if save else ""))
    return 0 if not bad else 1


def add_parser(subparsers) -> argparse.ArgumentParser:
    """Register `leaderboard probe` on the CLI's subparsers."""
    probe = subparsers.add_parser(
        "probe",
        help="one small request per platform endpoint, checked against what the collectors need",
        description=PROBE_DOC,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    probe.add_argument(
        "--platform",
        type=_platform_list,
        help="comma-separated subset of huggingface, modelscope, github, opendatalab, baai, gitee, gitcode, openi",
    )
    probe.add_argument(
        "--org", help="probe this registry org's namespaces / repos (default: the first of each)"
    )
    probe.add_argument(
        "--save", metavar="DIR", help="store every response as a cassette under DIR/<platform>/"
    )
    probe.add_argument(
        "--timeout", type=float, default=20.0, help="read timeout per request, seconds (default 20)"
    )
    probe.add_argument(
        "--registry", default=str(settings.DATA_DIR / "registry" / "orgs.yaml"), help=argparse.SUPPRESS
    )
    probe.set_defaults(func=cmd_probe)
    return probe
