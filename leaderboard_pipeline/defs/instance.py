"""The Dagster instance of a run: one pooled database connection instead of one per event.

dagster-postgres opens a new connection (TCP, a server process, password authentication) for every
event it stores. Its instance method `optimize_for_webserver`, what dagster-webserver applies to itself,
switches the run, event-log and schedule storages to a pooled engine that keeps a connection open. A run
stores hundreds of events, so the CLI applies it to the instance it runs on, and a run launched by the
daemon applies it when its resources are set up. SQLite storage ignores it.
"""

from __future__ import annotations

import weakref

import dagster as dg

_POOLED: weakref.WeakSet = weakref.WeakSet()


def pooled(instance: dg.DagsterInstance | None) -> dg.DagsterInstance | None:
    """Keep ``instance``'s storage connections open (once per instance)."""
    if instance is not None and instance not in _POOLED:
        # statement_timeout 0: no limit, as with Dagster's default engine (the webserver uses 15 s to protect
        # its requests); a run may hold one connection more per thread that stores concurrently.
        instance.optimize_for_webserver(statement_timeout=0, pool_recycle=3600, max_overflow=4)
        _POOLED.add(instance)
    return instance
