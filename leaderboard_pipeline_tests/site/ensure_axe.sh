#!/usr/bin/env bash
# The browser test checks every page with axe-core (the accessibility engine Lighthouse uses too). Its
# one file, axe.min.js, comes from the npm registry with the machine's npm into out/vendor/ (git-ignored,
# beside the screenshots), pinned; only when missing or of another version, so a run needs no network
# once it is there. Never a CDN at test time: the pages are opened from disk and must stay offline.
set -euo pipefail
VERSION=4.14.1
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DIR="$ROOT/out/vendor/axe-core"
FILE="$DIR/node_modules/axe-core/axe.min.js"
if [ -f "$FILE" ] && grep -q "\"version\": \"$VERSION\"" "$DIR/node_modules/axe-core/package.json"; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" != "0" ]; then
        SUDO="sudo"
    fi
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
fi
mkdir -p "$DIR"
npm install --prefix "$DIR" --no-audit --no-fund --no-save --loglevel=error "axe-core@$VERSION"
test -f "$FILE"
echo "axe-core $VERSION: $FILE"
