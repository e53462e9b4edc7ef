"""Lighthouse scores of the archive site, served the way docs/site.md's host configuration serves it.

    .venv/bin/python bench/lighthouse.py                    # build the archive site, serve it, score it
    .venv/bin/python bench/lighthouse.py --site out/site    # score an already-built site
    .venv/bin/python bench/lighthouse.py --runs 3 --server python --keep out/lighthouse

1. Builds the archive site with the real CLI (`leaderboard run --source archive`, then
   `leaderboard site --source archive --out ...`) in a temporary warehouse and Dagster home.
2. Serves it on 127.0.0.1 with the documented host configuration: `--server nginx` (the default when
   Debian's nginx is installed: `apt-get install nginx-light`) runs nginx with the ```nginx block of
   docs/site.md as it is written there, only `listen` and `root` replaced; `--server python` is a small
   server with the same rules (gzip of text types, the same Cache-Control, ETag and 304s) for machines
   without nginx.
3. Runs Lighthouse from the npm registry (pinned below; installed with `npm install` into a cache folder
   outside the repository on first use) with the system chromium (/usr/bin/chromium), mobile (the
   default preset) and desktop, over six pages: index, a dimension ranking, an org page, compare, method
   and open data; prints the four category scores per page and preset (the median over --runs) and
   every audit that kept a category from 100.
"""

from __future__ import annotations

import argparse
import email.utils
import gzip
import hashlib
import http.server
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, VENV_BIN, machine, table  # noqa: E402

LIGHTHOUSE = "lighthouse@12.8.2"  # the last release that runs on the machine's Node.js 20
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "leaderboard-bench"
DEFAULT_ARCHIVE = ROOT.parent / "shared" / "reference" / "osir-lmts"
CHROMIUM = Path("/usr/bin/chromium")
NGINX = Path("/usr/sbin/nginx")
DOCS = ROOT / "docs" / "site.md"
# This machine's closed network makes Chromium hang on its background fetches without these.
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PAGES = (
    ("index", "index.html"),
    ("dimension", "model-{latest}.html"),
    ("org", "org/BAAI.html"),
    ("compare", "compare-{latest}.html"),
    ("method", "method.html"),
    ("open data", "open-data-{latest}.html"),
)


def build_site(archive: Path, out: Path, work: Path) -> None:
    env = {
        **os.environ,
        "LEADERBOARD_DB": str(work / "archive.duckdb"),
        "DAGSTER_HOME": str(work / "dagster-home"),
    }
    (work / "dagster-home").mkdir(parents=True, exist_ok=True)
    cli = str(VENV_BIN / "leaderboard")
    for command in (
        [cli, "run", "--source", "archive", "--archive", str(archive)],
        [cli, "site", "--source", "archive", "--out", str(out)],
    ):
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"{' '.join(command[1:3])} failed ({done.returncode}):\n{done.stdout}{done.stderr}")


def ensure_lighthouse(folder: Path) -> Path:
    binary = folder / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        folder.mkdir(parents=True, exist_ok=True)
        print(f"installing {LIGHTHOUSE} into {folder}", flush=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", LIGHTHOUSE],
            cwd=folder,
            check=True,
        )
    return binary


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- nginx, configured by the block in docs/site.md


def documented_nginx() -> str:
    """The ```nginx block of docs/site.md: the configuration readers are told to use."""
    blocks = re.findall(r"```nginx\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.S)
    if len(blocks) != 1:
        sys.exit(f"{DOCS}: expected one ```nginx block, found {len(blocks)}")
    return blocks[0]


def nginx_config(site: Path, port: int, work: Path) -> str:
    server = documented_nginx()
    server, listens = re.subn(r"^\s*listen\s+[^;]+;", f"    listen 127.0.0.1:{port};", server, flags=re.M)
    server, roots = re.subn(r"^\s*root\s+[^;]+;", f"    root {site};", server, count=1, flags=re.M)
    server = re.sub(r"^\s*listen\s+\[::\][^;]*;\n", "", server, flags=re.M)
    if not listens or not roots:
        sys.exit(f"{DOCS}: the nginx block needs a listen and a root directive")
    return (
        f"daemon off;\nmaster_process off;\nworker_processes 1;\npid {work}/nginx.pid;\n"
        f"error_log {work}/nginx-error.log;\nevents {{ worker_connections 64; }}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
        f"  access_log off;\n  client_body_temp_path {work}/tmp;\n  proxy_temp_path {work}/tmp;\n"
        f"  fastcgi_temp_path {work}/tmp;\n  uwsgi_temp_path {work}/tmp;\n  scgi_temp_path {work}/tmp;\n"
        f"{server}\n}}\n"
    )


def start_nginx(site: Path, port: int, work: Path) -> subprocess.Popen:
    (work / "tmp").mkdir(parents=True, exist_ok=True)
    conf = work / "nginx.conf"
    conf.write_text(nginx_config(site, port, work), encoding="utf-8")
    subprocess.run([str(NGINX), "-t", "-q", "-c", str(conf), "-p", str(work)], check=True)
    return subprocess.Popen([str(NGINX), "-c", str(conf), "-p", str(work)])


# ---- the same rules in Python (machines without nginx)

COMPRESSED = {".html", ".css", ".js", ".json", ".svg", ".csv", ".txt"}
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".csv": "text/csv; charset=utf-8",
    ".parquet": "application/octet-stream",
}


def cache_control(path: str) -> str:
    """What docs/site.md's configuration says: assets are versioned by the pages (``?v=<hash>``) and
    kept a year; pages, data and API files revalidate on every visit (an ETag makes that a 304)."""
    return "public, max-age=31536000, immutable" if path.startswith("/assets/") else "no-cache"


class Handler(http.server.BaseHTTPRequestHandler):
    site: Path

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 (the standard library's name)
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path.endswith("/"):
            path += "index.html"
        target = (self.site / path.lstrip("/")).resolve()
        if not target.is_relative_to(self.site) or not target.is_file():
            self.send_error(404)
            return
        body = target.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        headers = {
            "Content-Type": TYPES.get(target.suffix, "application/octet-stream"),
            "Cache-Control": cache_control(path),
            "ETag": etag,
            "Last-Modified": email.utils.formatdate(target.stat().st_mtime, usegmt=True),
            "X-Content-Type-Options": "nosniff",
        }
        if target.suffix in COMPRESSED:
            headers["Vary"] = "Accept-Encoding"
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            return
        if target.suffix in COMPRESSED and "gzip" in self.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, compresslevel=6)
            headers["Content-Encoding"] = "gzip"
        self.send_response(200)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def start_python(site: Path, port: int) -> http.server.ThreadingHTTPServer:
    handler = type("SiteHandler", (Handler,), {"site": site.resolve()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"the server on 127.0.0.1:{port} did not start")


# ---- Lighthouse


def run_lighthouse(binary: Path, url: str, preset: str, out: Path) -> dict:
    command = [
        str(binary),
        url,
        f"--chrome-flags={CHROME_FLAGS}",
        "--output=json",
        f"--output-path={out}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--quiet",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    # Its own process group: stopping the bench stops Lighthouse and the Chromium it started too.
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        _, stderr = proc.communicate(timeout=300)
    except BaseException:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
        raise
    if proc.returncode or not out.exists():
        sys.exit(f"lighthouse failed on {url} ({preset}): {stderr[-2000:]}")
    return json.loads(out.read_text(encoding="utf-8"))


def scores(report: dict) -> dict[str, float]:
    return {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}


def shortfalls(report: dict) -> list[str]:
    """Every weighted audit that did not pass, per category (what to fix for a 100)."""
    found = []
    for name in CATEGORIES:
        for ref in report["categories"][name]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
                shown = audit.get("displayValue") or ""
                found.append(f"{name}: {ref['id']} ({audit['score']:.2f}{', ' + shown if shown else ''})")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--site", type=Path, help="an already-built site (default: build the archive site)")
    parser.add_argument("--archive", type=Path, default=DEFAULT_ARCHIVE)
    parser.add_argument("--server", choices=("nginx", "python"), help="default: nginx when installed")
    parser.add_argument("--presets", default="mobile,desktop")
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs per page and preset (median)")
    parser.add_argument("--only", help="comma-separated page names (index, dimension, org, ...)")
    parser.add_argument("--keep", type=Path, help="keep the site and the Lighthouse JSON reports here")
    parser.add_argument("--lighthouse-dir", type=Path, default=CACHE / LIGHTHOUSE.replace("@", "-"))
    args = parser.parse_args()
    # Stopped by a signal (even started in the background, where SIGINT is ignored), the bench still
    # stops its server and Lighthouse on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} missing: `make browser` installs Debian's chromium")
    server_kind = args.server or ("nginx" if NGINX.exists() else "python")
    if server_kind == "nginx" and not NGINX.exists():
        sys.exit(f"{NGINX} missing: apt-get install nginx-light, or --server python")
    binary = ensure_lighthouse(args.lighthouse_dir)

    work = Path(tempfile.mkdtemp(prefix="lb-lighthouse-"))
    keep = args.keep.resolve() if args.keep else work
    keep.mkdir(parents=True, exist_ok=True)
    try:
        site = args.site.resolve() if args.site else keep / "site"
        if not args.site:
            print(f"building the archive site into {site}", flush=True)
            started = time.perf_counter()
            build_site(args.archive, site, work)
            print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
        latest = sorted(p.stem.removeprefix("overall-") for p in site.glob("overall-*.html"))[-1]
        pages = [(name, path.format(latest=latest)) for name, path in PAGES]
        if args.only:
            wanted = set(args.only.split(","))
            pages = [p for p in pages if p[0] in wanted]
        port = free_port()
        if server_kind == "nginx":
            process = start_nginx(site, port, work)
        else:
            python_server = start_python(site, port)
        wait_for(port)
        version = subprocess.run([str(CHROMIUM), "--version"], capture_output=True, text=True).stdout.strip()
        print(f"{LIGHTHOUSE}, {version}, served by {server_kind} on 127.0.0.1; {machine()}", flush=True)
        rows, notes = [], []
        for name, path in pages:
            for preset in args.presets.split(","):
                runs = []
                for i in range(args.runs):
                    out = keep / "reports" / f"{path.replace('/', '_')}-{preset}-{i + 1}.json"
                    out.parent.mkdir(parents=True, exist_ok=True)
                    report = run_lighthouse(binary, f"http://127.0.0.1:{port}/{path}", preset, out)
                    runs.append(report)
                    notes += [f"{name} ({preset}) {s}" for s in shortfalls(report)]
                medians = {c: statistics.median(scores(r)[c] for r in runs) for c in CATEGORIES}
                rows.append([name, path, preset, *(f"{medians[c]:g}" for c in CATEGORIES)])
                print(f"  {name} {preset}: {' '.join(f'{medians[c]:g}' for c in CATEGORIES)}", flush=True)
        print()
        print(
            table(["page", "file", "preset", "performance", "accessibility", "best practices", "SEO"], rows)
        )
        if notes:
            print("\nwhat kept a category from 100:")
            for line in dict.fromkeys(notes):
                print(f"- {line}")
        if args.keep:
            print(f"\nreports in {keep / 'reports'}")
    finally:
        if server_kind == "nginx" and "process" in locals():
            process.terminate()
            process.wait(timeout=10)
        elif "python_server" in locals():
            python_server.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
