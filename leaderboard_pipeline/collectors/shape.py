"""What the collectors need from a response, checked in one place: envelopes, fields, counters, times.

Liberal in envelopes (the official clients unwrap `data` / `Data` and ignore what they do not need), strict
in records: a field the collector reads must be present (a renamed field is a changed API, not a zero),
counters are integers >= 0 or null (unknown), timestamps parse in seconds or milliseconds, and a record
belongs to the owner it was listed for. Every violation raises `BadShape` naming the field; the HTTP
layer turns it into a `ShapeError` naming platform, org and request (`PlatformClient.checking`). The
probe (`leaderboard probe`) runs the very same functions, so it checks exactly what a run needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

_MISSING = object()


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


def counter(
    value: Any, name: str, where: str, parse: Callable[[Any], int | None] | None = None
) -> int | None:
    """An integer >= 0, or None for unknown. Strings only through `parse` (OpenDataLab display strings)."""
    if value is None:
        return None
    if parse is not None and isinstance(value, str):
        parsed = parse(value)
        if parsed is None and value.strip() not in ("", "-", "--"):
            raise BadShape(f"{where}: field {name!r} is not a count: {value!r}")
        return parsed
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadShape(f"{where}: field {name!r} is not a count: {value!r}")
    if value != int(value) or value < 0:
        raise BadShape(f"{where}: field {name!r} is not a count >= 0: {value!r}")
    return int(value)


def timestamp(value: Any, name: str, where: str) -> str | None:
    """ISO text, or Unix seconds / milliseconds (ModelScope sends both: modelscope_hub `types.py`)."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise BadShape(f"{where}: field {name!r} is not a time: {value!r}")
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise BadShape(f"{where}: field {name!r} is not a time: {value!r}") from None
        return value
    seconds = value / 1000 if value > 1e12 else value  # the SDK's own rule for milliseconds
    when = datetime.fromtimestamp(seconds, UTC) if 0 <= seconds < 4e9 else None
    if when is None or not 1990 <= when.year <= 2100:
        raise BadShape(f"{where}: field {name!r} is not a plausible Unix time: {value!r}")
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
