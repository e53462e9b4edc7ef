"""Bounds on every request: a total deadline, a body cap after decompression, a JSON nesting limit.

httpx bounds each socket read (`read_timeout`), not a request: a server sending a byte every few seconds
keeps a request alive for ever, and a gzip body of 1 MB inflates to 1 GB in memory. Here:

- `Budget` is one attempt's bounds: the earliest of its own deadline (`request_deadline`), the
  platform's and the month's, a body cap (`max_body`, counted after decompression) and the client's
  cancel event. `PlatformClient` sets it for the thread while it sends and reads.
- `BoundedTransport` is httpx's transport over a network backend whose every connect, read and write
  is cut at the budget's deadline and notices a cancel within `SLICE` seconds, so a never-ending
  response (headers or body) ends at the deadline and Ctrl-C / SIGTERM stops a read at once.
- `read_body` streams the raw body and inflates it itself (gzip, deflate) in bounded steps, stopping
  at the cap; a bomb never inflates past `max_body`.
- `nesting_exceeds` is a cheap pre-scan (no recursion) before `json.loads`, which would otherwise recurse
  once per level.

Hitting a bound raises `Bounded` (the client retries it like a network error); a passed platform or
month deadline raises `Bounded(final=True)`, a cancel `Cancelled`.
"""

from __future__ import annotations

import re
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpcore
import httpx

SLICE = 0.25  # longest a blocked read waits before it looks at the deadline and the cancel event again
STEP = 256 * 1024  # most bytes one inflate step may produce
ACCEPT_ENCODING = "gzip, deflate"  # what read_body can inflate in bounded steps (no br, no zstd)
MIB = 1024 * 1024

_local = threading.local()


class Bounded(Exception):
    """A request stopped at one of its bounds; `final` when retrying cannot help (platform / month)."""

    def __init__(self, reason: str, final: bool = False):
        super().__init__(reason)
        self.reason, self.final = reason, final


class Cancelled(Exception):
    """The client was cancelled (another platform failed the month, or the run was interrupted)."""


@dataclass
class Budget:
    """One attempt's bounds. `deadlines` are (monotonic end, what it is, final)."""

    deadlines: list[tuple[float, str, bool]]
    max_body: int = 64 * MIB
    cancelled: threading.Event = field(default_factory=threading.Event)

    def nearest(self) -> tuple[float, str, bool]:
        return min(self.deadlines)

    def remaining(self) -> float:
        return self.nearest()[0] - time.monotonic()

    def check(self) -> None:
        if self.cancelled.is_set():
            raise Cancelled("cancelled")
        end, what, final = self.nearest()
        if time.monotonic() >= end:
            raise Bounded(f"the {what} passed" if final else f"not complete within the {what}", final)

    def cap(self, timeout: float | None) -> float:
        """`timeout` cut at the deadline (after `check`, so always > 0)."""
        self.check()
        left = max(self.remaining(), 0.001)
        return left if timeout is None else min(timeout, left)


def current() -> Budget | None:
    return getattr(_local, "budget", None)


class bounded:
    """Context manager: `budget` applies to this thread's network operations inside the block."""

    def __init__(self, budget: Budget):
        self.budget = budget

    def __enter__(self) -> Budget:
        self.previous = current()
        _local.budget = self.budget
        return self.budget

    def __exit__(self, *exc) -> None:
        _local.budget = self.previous


# -- the network layer ---------------------------------------------------------------------------------


def _capped(timeout: float | None) -> float | None:
    """A socket operation's timeout, cut at the thread's budget (unchanged outside a budget)."""
    budget = current()
    return timeout if budget is None else budget.cap(timeout)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream):
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        budget = current()
        if budget is None:
            return self._inner.read(max_bytes, timeout)
        until = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = budget.cap(SLICE)
            if until is not None:
                wait = min(wait, max(until - time.monotonic(), 0.001))
            try:
                return self._inner.read(max_bytes, wait)
            except httpcore.ReadTimeout:
                if until is not None and time.monotonic() >= until:
                    raise  # the per-read timeout: httpx's own ReadTimeout

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _capped(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _capped(timeout)))

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend):
        self._inner = inner

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        return _Stream(self._inner.connect_tcp(host, port, _capped(timeout), local_address, socket_options))

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        return _Stream(self._inner.connect_unix_socket(path, _capped(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class BoundedTransport(httpx.HTTPTransport):
    """httpx's own transport (pooling, TLS, proxies) whose sockets obey the thread's `Budget`."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        pool = self._pool  # httpx 0.28 / httpcore 1.x: the pool holds its network backend here
        if not hasattr(pool, "_network_backend"):
            raise RuntimeError(
                "httpcore changed: cannot bound the network backend (see collectors/limits.py)"
            )
        pool._network_backend = _Backend(pool._network_backend)


# -- the body ------------------------------------------------------------------------------------------


def _zlib_wrapped(first: bytes) -> bool:
    """Deflate bodies come zlib-wrapped (RFC 9110) or raw (some servers): the zlib header says which."""
    return len(first) >= 2 and first[0] & 0x0F == 8 and ((first[0] << 8) | first[1]) % 31 == 0


def _inflate(chunks: Iterator[bytes], encoding: str) -> Iterator[bytes]:
    """Inflate `chunks` in steps of at most STEP output bytes (zlib's max_length), never all at once."""
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding in ("gzip", "x-gzip") else None
    for data in chunks:
        if not data:
            continue
        if decoder is None:
            decoder = zlib.decompressobj(zlib.MAX_WBITS if _zlib_wrapped(data) else -zlib.MAX_WBITS)
        while True:  # input left over, or a full step whose input is taken but output still pending
            try:
                out = decoder.decompress(data, STEP)
            except zlib.error as exc:
                raise Bounded(f"{encoding} body does not inflate ({exc})") from None
            if out:
                yield out
            data = decoder.unconsumed_tail
            if not data and len(out) < STEP:
                break
    if decoder is not None and (rest := decoder.flush()):
        yield rest


def _decoded(resp: httpx.Response) -> Iterator[bytes]:
    chunks: Iterator[bytes] = resp.iter_raw()
    encodings = [e.strip().lower() for e in resp.headers.get("content-encoding", "").split(",")]
    for encoding in reversed([e for e in encodings if e and e != "identity"]):
        if encoding not in ("gzip", "x-gzip", "deflate"):
            raise Bounded(f"content-encoding {encoding!r} is not one we asked for ({ACCEPT_ENCODING})")
        chunks = _inflate(chunks, encoding)
    return chunks


def read_body(resp: httpx.Response, budget: Budget | None = None) -> bytes:
    """The whole body, inflated, or `Bounded` once it passes `budget.max_body` (or the deadline)."""
    budget = budget or current() or Budget([(float("inf"), "", False)])
    cap = budget.max_body
    if resp.is_stream_consumed:  # built in memory (a replayed cassette, a mock transport)
        body = resp.content
        if len(body) > cap:
            raise Bounded(f"body larger than {_size(cap)}")
        return body
    parts, size = [], 0
    for part in _decoded(resp):
        budget.check()
        size += len(part)
        if size > cap:
            raise Bounded(f"body larger than {_size(cap)} after decompression")
        parts.append(part)
    return b"".join(parts)


def settled(resp: httpx.Response, body: bytes) -> httpx.Response:
    """`resp` with its body read and inflated: the response the collectors see."""
    drop = ("content-encoding", "content-length", "transfer-encoding")
    headers = [(k, v) for k, v in resp.headers.multi_items() if k.lower() not in drop]
    return httpx.Response(resp.status_code, headers=headers, content=body, request=resp.request)


def _size(n: int) -> str:
    return f"{n / MIB:g} MiB" if n >= MIB else f"{n} bytes"


# -- JSON nesting ----------------------------------------------------------------------------------------

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_SQUARE = bytes.maketrans(b"{}", b"[]")


def nesting_exceeds(body: bytes, limit: int) -> bool:
    """Whether JSON text nests arrays / objects more than `limit` deep, without parsing it.

    Strings are cut out (brackets inside them are text), then one level of innermost `[]` pairs is
    peeled per pass, at most `limit + 1` passes of a C-speed `replace`; unclosed brackets (invalid JSON)
    count as nested, since the decoder would recurse into them before it saw the error."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS).translate(_SQUARE)
    for passes in range(limit + 1):
        if not brackets:
            return False
        peeled = brackets.replace(b"[]", b"")
        if len(peeled) == len(brackets):
            return passes + brackets.count(b"[") > limit
        brackets = peeled
    return True
