"""Text and links from platform data are untrusted: what every output does with them.

Anyone with an account on a platform chooses the names the collectors store. Names are stored as served
(the warehouse keeps the platform's bytes), and every output writes them through `clean_text`: no
control characters (NUL, BEL, ESC, DEL, the C1 block) and no bidirectional overrides or isolates
(U+202A-202E, U+2066-2069), which could forge terminal escape sequences or reorder what a reader sees.
Tab and newline are whitespace and stay. Item links are built by `item_link` from URL-quoted path
segments, so a name can only ever point into its own namespace on its own platform.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

# C0 controls except tab and newline, DEL, C1, bidi embeddings / overrides / isolates (also as a pattern
# for polars' `str.replace_all`, which takes the same class syntax).
UNSAFE_PATTERN = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
_UNSAFE = re.compile(UNSAFE_PATTERN)
# Path segments that browsers resolve as "this folder" / "the folder above", also percent-encoded.
_DOT_SEGMENTS = {".", "..", "%2e", "%2e.", ".%2e", "%2e%2e"}


def clean_text(text: str) -> str:
    """`text` without control and bidi-override characters (each removed, nothing put in its place)."""
    return _UNSAFE.sub("", text) if _UNSAFE.search(text) else text


def clean_data(value: Any) -> Any:
    """`clean_text` applied to every string inside dicts, lists and tuples (a JSON document)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_data(k): clean_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_data(v) for v in value]
    return value


def item_link(site: str, prefix: Iterable[str], *segments: str) -> str | None:
    """`site` + the fixed `prefix` path + one URL-quoted path segment per name, or None.

    Every segment is quoted whole (a "/" in a name is `%2F`, not a path separator), so the link stays
    inside the item's namespace; a segment that is empty or a dot segment ("." / ".." in any spelling,
    which a browser resolves upwards) gives no link at all rather than a link somewhere else.
    """
    quoted = []
    for segment in segments:
        part = quote(str(segment), safe="")
        if not part or part.lower() in _DOT_SEGMENTS:
            return None
        quoted.append(part)
    return "/".join([site.rstrip("/"), *prefix, *quoted])
