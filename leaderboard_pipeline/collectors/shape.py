"""What the collectors need from a response, checked in one place: envelopes, fields, counters, times.

Liberal in envelopes (the official clients unwrap `data` / `Data` and ignore what they do not need), strict
in records: a field the collector reads must be present (a renamed field is a changed API, not a zero),
counters are integers in [0, MAX_COUNT] or null (unknown: the field absent or null), timestamps parse in
seconds or milliseconds, and a record belongs to the owner it was listed for. A counter that is present
but not such an integer (a float, NaN, Infinity, a boolean, a string, a negative or oversized number)
is an error, never a guess: the official clients type these fields `int` (huggingface_hub `ModelInfo`,
modelscope_hub `RepoInfo`, PyGithub `Repository`). Every violation raises `BadShape` naming the field; the HTTP
layer turns it into a `ShapeError` naming platform, org and request (`PlatformClient.checking`). The
probe (`leaderboard probe`) runs the very same functions, so it checks exactly what a run needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import polars as pl

from leaderboard_pipeline.contract.raw_tables import RAW_SCHEMAS

_MISSING = object()
# The largest count stored: 2**53 - 1, exact as a float and in JavaScript (the site's JSON API), and far
# inside the warehouse's Int64 even summed over every item of an org. No platform counts anything near.
MAX_COUNT = 2**53 - 1


class TooLarge(str):
    """An integer in a JSON body too long for Python to convert (more than 4300 digits), kept as text."""

    def __repr__(self) -> str:
        return f"<integer of {len(self)} digits>"


class BadShape(ValueError):
    """A response without what the collector needs; the message names the field (and the item)."""


def label(item: Any) -> str:
    """How an item is named in messages: its id or name, a text one before a number."""
    if isinstance(item, dict):
        keys = ("id", "Id", "name", "Name", "uriName", "full_name")
        for kinds in (str, int):
            for key in keys:
                value = item.get(key)
                if isinstance(value, kinds) and not isinstance(value, bool) and value != "":
                    return f"item {value!r}"
    return "item"


def require(item: Any, *keys: str, where: str = "") -> Any:
    """The value of the first of `keys` present in `item` (None allowed); BadShape when none is there."""
    if not isinstance(item, dict):
        raise BadShape(f"{where or 'response'}: expected an object, got {type(item).__name__}")
    for key in keys:
        if key in item:
            return item[key]
    names = " / ".join(repr(k) for k in keys)
    raise BadShape(f"{where or label(item)}: field {names} missing")


def optional(item: dict, *keys: str) -> Any:
    """The first non-null value among `keys`, else None."""
    return next((item[k] for k in keys if item.get(k) is not None), None)


_KINDS = {float: "a float", bool: "a boolean", str: "text", dict: "an object", list: "an array"}


def shown(value: Any, width: int = 60) -> str:
    """A served value in a message: its repr (control characters escaped), cut to `width`."""
    text = repr(value)
    return text if len(text) <= width else f"{text[: width - 12]}… ({len(text)} chars)"


def counter(
    value: Any, name: str, where: str, parse: Callable[[Any], int | None] | None = None
) -> int | None:
    """An integer in [0, MAX_COUNT], or None for unknown. Strings only through `parse` (OpenDataLab's
    display strings); floats (also NaN, Infinity, 12.0), booleans and anything else are errors."""
    if value is None:
        return None
    if parse is not None and isinstance(value, str) and not isinstance(value, TooLarge):
        parsed = parse(value)
        if parsed is None and value.strip() not in ("", "-", "--"):
            raise BadShape(f"{where}: field {name!r} is not a count: {shown(value)}")
        value = parsed
        if value is None:
            return None
    if isinstance(value, bool) or not isinstance(value, int | TooLarge):
        kind = _KINDS.get(type(value), type(value).__name__)
        raise BadShape(f"{where}: field {name!r} is not a count ({kind}): {shown(value)}")
    if isinstance(value, TooLarge) or value > MAX_COUNT:
        raise BadShape(f"{where}: field {name!r} is larger than any count (max 2**53-1): {shown(value)}")
    if value < 0:
        raise BadShape(f"{where}: field {name!r} is not a count >= 0: {value!r}")
    return value


def timestamp(value: Any, name: str, where: str) -> str | None:
    """ISO text, or Unix seconds / milliseconds (ModelScope sends both: modelscope_hub `types.py`)."""
    if value is None or value == "":
        return None
    if isinstance(value, TooLarge):
        raise BadShape(f"{where}: field {name!r} is not a time: {shown(value)}")
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,16}", value.strip()):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadShape(f"{where}: field {name!r} is not a time: {shown(value)}")
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise BadShape(f"{where}: field {name!r} is not a time: {shown(value)}") from None
        return value
    seconds = value / 1000 if value > 1e12 else value  # the SDK's own rule for milliseconds
    when = datetime.fromtimestamp(seconds, UTC) if 0 <= seconds < 4e9 else None
    if when is None or not 1990 <= when.year <= 2100:
        raise BadShape(f"{where}: field {name!r} is not a plausible Unix time: {shown(value)}")
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def rows_of(data: Any, keys: Iterable[str], where: str) -> list:
    """The item list of a page: `data` itself when it is a list, else the first list under `keys`."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in keys:
            if isinstance(data.get(key), list):
                return data[key]
    names = " / ".join(repr(k) for k in keys)
    raise BadShape(f"{where}: no item list ({names}) in {str(data)[:120]}")


def unwrap(body: Any, where: str) -> Any:
    """The payload of an envelope: `data` / `Data` when present (modelscope_hub `_openapi._decode`).

    An explicit failure (`success: false`, or a `code` that is neither 0 nor 200) is an error with the
    server's message; an absent `success` or `code` is fine, as it is for the official clients.
    """
    if not isinstance(body, dict):
        return body
    message = optional(body, "message", "Message", "msg")
    success = body.get("success", body.get("Success", _MISSING))
    if success is not _MISSING and success is not True and success not in (1, "true"):
        raise BadShape(f"{where}: success={success}: {message}")
    code = body.get("code", body.get("Code", _MISSING))
    if code is not _MISSING and code not in (0, 200, "0", "200", None):
        raise BadShape(f"{where}: code={code}: {message}")
    for key in ("data", "Data"):
        if key in body:
            return body[key]
    return body


def total_of(data: Any, keys: Iterable[str]) -> int | None:
    if not isinstance(data, dict):
        return None
    for key in keys:
        value = data.get(key)
        if value is not None:
            return counter(value, key, "page")
    return None


def owned(namespace: str, owner: str) -> bool:
    return namespace.casefold() == owner.casefold()


def paged(
    fetch: Callable[[int, int], tuple[list, int | None]],
    key: Callable[[Any], Any],
    *,
    first: int,
    size: int,
) -> list:
    """Every item of a page-numbered listing, robust to a server that caps pages below `size`.

    `fetch(page, size)` returns (rows, total or None). A first page shorter than asked while the total
    says there is more means the server caps its pages: paging continues at the server's size (page
    N of size k is rows N*k.. under either reading of the page number). Without a total, paging goes
    on until an empty page, because a short page cannot tell a cap from the end. A page that repeats
    only items seen before means the page parameter is ignored: an error, never a silent stop.
    """
    items, seen, page = [], set(), first
    while True:
        rows, total = fetch(page, size)
        new = [r for r in rows if key(r) not in seen]
        if rows and not new:
            raise BadShape(f"page {page} repeats earlier items only: the server ignores the page parameter")
        for row in new:
            seen.add(key(row))
        items.extend(new)
        if page == first and rows and len(rows) < size and (total is None or total > len(rows)):
            size = len(rows)
        if not rows or (total is not None and len(seen) >= total):
            return items
        page += 1


def check_record(table: str, record: dict[str, Any]) -> None:
    """A collected record against its raw table's types, before it becomes a frame: text is text, counts
    are counts (`counter`), flags are booleans, tags are lists of text. Whatever a collector let through
    becomes a `BadShape` naming the field and the item, never a polars error naming neither."""
    where = f"item {record.get('namespace')}/{record.get('name')}" if "name" in record else label(record)
    for name, dtype in RAW_SCHEMAS[table].items():
        value = record.get(name)
        if value is None or name in ("month", "date_crawl"):
            continue
        if dtype == pl.Int64:
            counter(value, name, where)
        elif dtype == pl.String and (not isinstance(value, str) or isinstance(value, TooLarge)):
            raise BadShape(f"{where}: field {name!r} is not text: {shown(value)}")
        elif dtype == pl.Boolean and not isinstance(value, bool):
            raise BadShape(f"{where}: field {name!r} is not true / false: {shown(value)}")
        elif dtype == pl.List(pl.String) and not (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            raise BadShape(f"{where}: field {name!r} is not a list of text: {shown(value)}")
