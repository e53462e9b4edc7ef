"""Hostile-but-possible platform answers for the mock ecosystem (issue 17), kept apart from its switches.

What anyone with an account can publish (names, counters) and what a platform or a man in the middle
can answer (pagination links, redirects, compressed bodies, answers that never end). `MockEcosystem(
hostile=Hostile(...))` hands the matching requests to `Hostile.serve`; everything else is the normal mock.

    Hostile(platform="hf", path="/api/models", namespace="BAAI", ...)   which requests turn hostile
    times=1, with_credentials=True     only the first N of them / only those carrying a token or cookie

    next_link="http://127.0.0.1:P/x"   the listing's first page links its next page to another origin
    next_always=True                   ... every page does (with a URL on the origin: a pagination loop)
    headers={"x-ratelimit-reset": "soon"}   extra headers on the answer
    redirect="http://127.0.0.1:P/x"    answer 307 to there (another origin, or another platform)
    dribble=0.2, dribble_for=5.0       headers, then one body byte every 0.2 s (for at most 5 s)
    dribble_headers=True               ... the header bytes themselves one by one
    bomb=("gzip", 4 << 20)             a body of that many bytes after inflating, a few kB on the wire
    pad=50 << 20                       a valid listing padded with spaces to that many bytes
    nesting=100_000                    the first item carries an array nested that deep
    counter=("downloads", "NaN")       a raw JSON literal as the first item's counter (NaN, 1e30, 2**63 …)
    duplicate=True                     the first item listed again under another _id, other counts
    names=("../../../../x", …)         extra items with these names
    status=(400, "text")               answer that status with that body (served text in an error)

`Listener` is another origin on 127.0.0.1 that records what reaches it (credentials must not).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RAW = "__raw_literal__"  # placeholder replaced by the raw JSON literal of `counter`
HOSTILE_NAMES = (
    "../../../../evil-account/phish",  # would resolve to another account's page
    "..",  # a dot segment on its own
    "x\x00y\x07z\x1b[31mred\x1b[0m\x7f\x85\u202eevil\u2066",  # NUL, BEL, ESC, DEL, C1, bidi
    '<script>alert("x")</script><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
)


def compressed(encoding: str, size: int) -> bytes:
    """A JSON array of `size` bytes (spaces inside brackets), compressed: a decompression bomb."""
    packer = zlib.compressobj(9, zlib.DEFLATED, {"gzip": 31, "deflate": 15}[encoding])
    chunk = b" " * (1 << 20)
    parts, left = [packer.compress(b"[")], size - 2
    while left > 0:
        parts.append(packer.compress(chunk[: min(left, len(chunk))]))
        left -= len(chunk)
    parts.append(packer.compress(b"]") + packer.flush())
    return b"".join(parts)


@dataclass
class Hostile:
    platform: str = "hf"  # the mock's URL prefix of the platform (hf, ms, gh, odl, baai, gitee, gitcode)
    path: str = "/api/models"  # the endpoint (a prefix of the path after the platform's prefix)
    namespace: str | None = None  # only this namespace's listing (author= / owner=), None: every one
    times: int | None = None  # only the first N matching requests, None: all of them
    with_credentials: bool = False  # only requests that carry a token or cookie (BAAI after its refusal)
    next_link: str | None = None
    next_always: bool = False  # the next link on every page, not only the first (a pagination loop)
    headers: dict[str, str] = field(default_factory=dict)  # extra response headers (rate-limit garbage)
    redirect: str | None = None
    redirect_status: int = 307
    dribble: float | None = None
    dribble_for: float = 30.0
    dribble_headers: bool = False
    bomb: tuple[str, int] | None = None
    pad: int | None = None
    nesting: int | None = None
    counter: tuple[str, str] | None = None
    duplicate: bool = False
    names: tuple[str, ...] = ()
    status: tuple[int, str] | None = None
    served: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.bomb:  # compressed now, not while the client waits for the answer
            _bomb(*self.bomb)

    def serve(self, handler: BaseHTTPRequestHandler, prefix: str, path: str, query: dict) -> bool:
        """Answer the request if it is one of the hostile ones; False leaves it to the normal mock."""
        if prefix != self.platform or not path.startswith(self.path):
            return False
        owner = query.get("author") or query.get("owner")
        if self.namespace is not None and owner != self.namespace:
            return False
        if self.with_credentials and not (
            handler.headers.get("Authorization") or handler.headers.get("Cookie")
        ):
            return False
        with self.lock:
            if self.times is not None and self.served >= self.times:
                return False
            self.served += 1
            first = self.served == 1
        eco = handler.eco
        with eco.lock:
            eco.log.append((handler.command, f"/{prefix}{path}", 0, time.monotonic()))
        if self.redirect:
            return _send(handler, self.redirect_status, b"", {"Location": self.redirect})
        if self.status:
            headers = {"Content-Type": "text/plain", **self.headers}
            return _send(handler, self.status[0], self.status[1].encode(), headers)
        if self.dribble:
            return _dribble(handler, self.dribble, self.dribble_for, self.dribble_headers)
        if self.bomb:
            encoding, size = self.bomb
            return _send(handler, 200, _bomb(encoding, size), {"Content-Encoding": encoding})
        linked = self.next_link and (first or self.next_always)
        link = (self.next_link or "").replace("{url}", eco.url)  # {url}: the mock's own origin
        headers = {**self.headers, **({"Link": f'<{link}>; rel="next"'} if linked else {})}
        body = self._listing(eco, prefix, path, owner)
        if self.pad:
            body = body[:-1] + b" " * max(0, self.pad - len(body)) + body[-1:]
        return _send(handler, 200, body, headers)

    def _listing(self, eco, prefix: str, path: str, owner: str | None) -> bytes:
        """The namespace's whole listing on one page, with the content switches applied."""
        if prefix == "hf":
            items = eco.hf_models(owner) if "models" in path else eco.hf_datasets(owner)
            items = [i for i in items if not i["private"]]
            if "models" in path and eco.children_in_list:
                items = [{**i, "childrenModelCount": eco.hf_children(i["id"])} for i in items]
        else:
            raise KeyError(f"content switches serve Hugging Face listings, not {prefix}{path}")
        # extra items are large multimodal models with downloads, so every output lists them
        template = {
            **items[0],
            "pipeline_tag": "image-text-to-text",
            "library_name": "transformers",
            "tags": ["transformers"],
            "safetensors": {"parameters": {"BF16": 2_208_985_600}, "total": 2_208_985_600},
            "downloads": 5000,
        }
        for name in self.names:
            rid = f"{owner}/{name}"
            items.append({**template, "_id": hashlib.md5(rid.encode()).hexdigest()[:24], "id": rid})
        if self.duplicate:
            again = {**items[0], "_id": "f" * 24, "downloads": items[0]["downloads"] + 999_999, "likes": 0}
            items.insert(1, again)
        if self.nesting:
            items[0] = {**items[0], "cardData": RAW}
        if self.counter:
            items[0] = {**items[0], self.counter[0]: RAW}
        text = json.dumps(items, ensure_ascii=False)
        if self.nesting:
            text = text.replace(f'"{RAW}"', "[" * self.nesting + "]" * self.nesting, 1)
        if self.counter:
            text = text.replace(f'"{RAW}"', self.counter[1], 1)
        return text.encode()


_BOMBS: dict[tuple[str, int], bytes] = {}


def _bomb(encoding: str, size: int) -> bytes:
    if (encoding, size) not in _BOMBS:
        _BOMBS[encoding, size] = compressed(encoding, size)
    return _BOMBS[encoding, size]


def _send(handler, status: int, body: bytes, headers: dict[str, str]) -> bool:
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
        handler.send_header("Content-Length", str(len(body)))
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        pass
    return True


def _dribble(handler, every: float, limit: float, in_headers: bool) -> bool:
    """A response that never ends: one byte every `every` seconds (given up after `limit` seconds, so a
    client without a total deadline still finishes some day)."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n["
    start = time.monotonic()
    handler.close_connection = True
    try:
        if not in_headers:
            handler.wfile.write(head)
            handler.wfile.flush()
        for byte in head if in_headers else itertools.repeat(32):
            if time.monotonic() - start > limit:
                break
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(every)
    except (BrokenPipeError, ConnectionResetError, OSError):
        pass
    return True


class Listener:
    """Another origin on 127.0.0.1 that records every request it gets (method, path, headers) and
    answers 200 with `answer` (a JSON value; default an empty array)."""

    def __init__(self, answer=()):
        seen = self.seen = []
        body = json.dumps(list(answer) if isinstance(answer, tuple) else answer).encode()

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                seen.append((self.command, self.path, dict(self.headers)))
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                _send(self, 200, body, {})

            do_POST = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    def __enter__(self) -> Listener:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def credentials(self) -> list[str]:
        """Every credential that reached this origin (header names and token-looking values)."""
        found = []
        for _, path, headers in self.seen:
            found += [k for k in headers if k.lower() in ("authorization", "cookie")]
            found += ["access_token"] if "access_token" in path else []
        return found
