#!/usr/bin/env bash
# The PostgreSQL test (test_postgres_instance.py) starts a throw-away server with the initdb / pg_ctl of
# Debian's `postgresql` package. Install the package only when no server binaries are present.
set -euo pipefail
if command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    SUDO="sudo"
fi
# Debian's package would also create (and, under an init system, start) a default cluster on port 5432;
# the test brings its own server, so none is created.
$SUDO mkdir -p /etc/postgresql-common/createcluster.d
echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.d/no-main-cluster.conf >/dev/null
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
ls /usr/lib/postgresql/*/bin/initdb
