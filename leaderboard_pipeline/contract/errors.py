"""The error every input problem becomes: one line naming the file, row or request at fault."""

from __future__ import annotations


class SourceError(RuntimeError):
    """Bad or missing input. The message names the file, row or request at fault."""
