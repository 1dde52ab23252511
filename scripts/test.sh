#!/usr/bin/env bash
# The project's test command:  bash scripts/test.sh [pytest args...]
#
# Prepares .venv (with the [test] extras), the system Chromium used by the
# Playwright browser tests, a throw-away PostgreSQL server and a Redis server
# on loopback (the PostgreSQL run shares its caches through Redis, as several
# app nodes do; the SQLite run keeps the default file cache), then runs the
# whole suite twice, on SQLite and on PostgreSQL, side by side (one core each;
# each run's output is printed when both are done). The SQLite run happens
# even when PostgreSQL cannot start, which then counts as a failure. The exit
# status is non-zero if either run fails (including "no tests collected").
# The last line is a summary: "N passed, M failed".
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

EXTRAS=test
# shellcheck source=lib/venv.sh
source "$ROOT/scripts/lib/venv.sh"
# shellcheck source=lib/chromium.sh
source "$ROOT/scripts/lib/chromium.sh"
# shellcheck source=lib/postgres.sh
source "$ROOT/scripts/lib/postgres.sh"
# shellcheck source=lib/pdf.sh
source "$ROOT/scripts/lib/pdf.sh"
# shellcheck source=lib/redis.sh
source "$ROOT/scripts/lib/redis.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gongzhi-test.XXXXXX")
cleanup() {
    local rc=$?
    if [[ -n "${PG_STARTED:-}" ]]; then
        pg_stop || true
    fi
    redis_stop || true
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT

chromium_ensure
pdf_deps_ensure
PG_OK=1
pg_start || PG_OK=0
# The PostgreSQL run's cache: Redis, as between app nodes; if Redis cannot start, the database
# cache (shared too, so the two-node tests still mean something), and the summary says so.
PG_CACHE_URL=db://gongzhi_cache
REDIS_NOTE="Redis could not start: the PostgreSQL run used the database cache"
if [[ $PG_OK == 1 ]] && REDIS_DIR="$WORK/redis" redis_start; then
    PG_CACHE_URL=$REDIS_URL
    REDIS_NOTE=""
fi

# Test-only settings; anything already set in the environment wins.
export DJANGO_ALLOW_ASYNC_UNSAFE=true  # Playwright's sync API + Django ORM in one thread
_b64key() { python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'; }
export GONGZHI_SECRET_KEY="${GONGZHI_SECRET_KEY:-test-only-insecure-secret-key-do-not-use-in-production}"
export GONGZHI_ENCRYPTION_KEY="${GONGZHI_ENCRYPTION_KEY:-$(_b64key)}"
export GONGZHI_HMAC_KEY="${GONGZHI_HMAC_KEY:-$(_b64key)}"
run_suite() {  # run_suite NAME DATABASE_URL [pytest args...]: output to $WORK/NAME.log
    local name=$1 url=$2 rc=0
    shift 2
    # Each run keeps what the app writes (uploads, generated keys) in its own data dir.
    mkdir -p "$WORK/$name"
    GONGZHI_DATA_DIR="${GONGZHI_DATA_DIR:-$WORK/$name/data}" DATABASE_URL="$url" \
        pytest --junitxml="$WORK/$name.xml" "$@" >"$WORK/$name.log" 2>&1 || rc=$?
    echo "$rc" >"$WORK/$name.rc"
}

echo "== tests on SQLite and PostgreSQL, side by side =="
run_suite sqlite "sqlite:///$WORK/sqlite/test.sqlite3" "$@" &
SQLITE_PID=$!
if [[ $PG_OK == 1 ]]; then
    GONGZHI_CACHE_URL="${GONGZHI_CACHE_URL:-$PG_CACHE_URL}" run_suite postgres "$PG_URL" "$@" &
    wait $!
else
    echo "PostgreSQL could not start: the PostgreSQL run is counted as failed" >"$WORK/postgres.log"
    echo 3 >"$WORK/postgres.rc"
fi
wait "$SQLITE_PID"
for name in sqlite postgres; do
    echo
    echo "== tests on $([[ $name == sqlite ]] && echo SQLite || echo PostgreSQL) =="
    cat "$WORK/$name.log"
done

[[ -z "$REDIS_NOTE" || $PG_OK != 1 ]] || echo "note: $REDIS_NOTE"
# Sum both runs from the JUnit XML files; a run that failed without any
# failed test case (collection/usage error, no tests collected, crash)
# counts as one failure so the summary agrees with the exit status.
python - "$WORK" sqlite postgres <<'PY'
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

work = Path(sys.argv[1])
total_passed = total_failed = 0
for name in sys.argv[2:]:
    rc = int((work / f"{name}.rc").read_text().strip())
    passed = failed = 0
    xml = work / f"{name}.xml"
    if xml.exists():
        root = ET.parse(xml).getroot()
        suites = [root] if root.tag == "testsuite" else root.iter("testsuite")
        for s in suites:
            tests, skipped = int(s.get("tests", 0)), int(s.get("skipped", 0))
            bad = int(s.get("failures", 0)) + int(s.get("errors", 0))
            passed += tests - skipped - bad
            failed += bad
    note = ""
    if rc != 0 and failed == 0:
        failed = 1
        note = {5: " (no tests collected)", 3: " (PostgreSQL could not start)"}.get(
            rc, f" (pytest exited with status {rc})")
    print(f"-- {name} run: passed={passed} failed={failed}{note}")
    total_passed += passed
    total_failed += failed
print(f"{total_passed} passed, {total_failed} failed")
PY

status=0
for name in sqlite postgres; do
    [[ "$(cat "$WORK/$name.rc")" == 0 ]] || status=1
done
exit "$status"
