"""A run's settings in one place: what the CLI's options, the code location's environment and the UI's
launchpad all become before the job runs.

`RunSettings` is built once: by the code location from its environment (`from_environment`, the defaults
every run of the location starts from: the UI, backfills, the schedule), or by `leaderboard run` from its
options (the same function, the options win). `run_config` turns it into the run config of the
``leaderboard`` and ``warehouse`` resources (`defs.resources`): the CLI launches the job with it, and the
launchpad shows and overrides exactly these fields. Nothing travels through environment variables between
the CLI and Dagster. Light to import (no Dagster): the CLI plans a run with it before loading Dagster.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, replace

from leaderboard_pipeline.config import settings

ENV_ALLOW_MISSING = "LEADERBOARD_ALLOW_MISSING"
ENV_CASSETTES = "LEADERBOARD_CASSETTES"
ENV_HTTP_OVERRIDES = "LEADERBOARD_HTTP_OVERRIDES"


@dataclass(frozen=True)
class RunSettings:
    """What a run reads, scores and writes. Field names are the ``leaderboard`` resource's config."""

    source: str = settings.DEFAULT_SOURCE  # demo | archive | live
    archive: str = ""  # the archive folder of the archive source ("": the default archive)
    profile: str = settings.DEFAULT_PROFILE  # scoring profile (data/profiles/<name>.yaml)
    replace_raw: bool = False  # allow replacing stored raw months whose source changed
    allow_missing: str = ""  # comma list of platforms a live month may go without
    cassettes: str = "off"  # off | record | replay: API responses of live months
    http_overrides: str = ""  # JSON of rate / timeout / retry overrides (mock servers, benchmarks)
    database: str = ""  # the warehouse ("": the source's, `settings.warehouse_path`)

    @property
    def warehouse(self) -> str:
        return self.database or str(settings.warehouse_path(self.source))

    def leaderboard_config(self) -> dict:
        """The ``leaderboard`` resource's config (every field but the warehouse)."""
        return {k: v for k, v in asdict(self).items() if k != "database"}


def from_environment(**options) -> RunSettings:
    """The settings of the environment (``LEADERBOARD_SOURCE``, ``LEADERBOARD_ARCHIVE``,
    ``LEADERBOARD_PROFILE``, ``LEADERBOARD_ALLOW_MISSING``, ``LEADERBOARD_CASSETTES``,
    ``LEADERBOARD_HTTP_OVERRIDES``; the warehouse from ``LEADERBOARD_DB`` / ``LEADERBOARD_WAREHOUSE_DIR``),
    with every option that is not None in its place. Replacing raw months is never a default: a run asks
    for it (``--replace-raw``, or ``replace_raw: true`` in the launchpad)."""
    env = os.environ
    base = RunSettings(
        source=settings.current_source(),
        archive=env.get(settings.ENV_ARCHIVE, ""),
        profile=env.get(settings.ENV_PROFILE) or settings.DEFAULT_PROFILE,
        allow_missing=env.get(ENV_ALLOW_MISSING, ""),
        cassettes=env.get(ENV_CASSETTES) or "off",
        http_overrides=env.get(ENV_HTTP_OVERRIDES, ""),
    )
    chosen = replace(base, **{k: v for k, v in options.items() if v is not None})
    if chosen.archive:
        chosen = replace(chosen, archive=os.path.abspath(chosen.archive))
    # the warehouse is fixed when the settings are made, so a run config always names its file
    return replace(chosen, database=chosen.warehouse)


def run_config(run: RunSettings) -> dict:
    """The run config that makes a run of the job use ``run``: the resources' config, as the launchpad
    shows it (``resources: leaderboard: config: ...``)."""
    return {
        "resources": {
            "leaderboard": {"config": run.leaderboard_config()},
            "warehouse": {"config": {"database": run.warehouse}},
        }
    }
