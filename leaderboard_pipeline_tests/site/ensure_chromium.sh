#!/usr/bin/env bash
# The browser test drives Debian's chromium through playwright (never `playwright install`, which
# downloads its own browser build from a CDN this machine cannot reach). Install it only when missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version
