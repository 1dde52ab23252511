#!/usr/bin/env bash
# The project's test command:  bash scripts/test.sh [pytest args...]
#
# Prepares .venv (with the [test] extras), the system Chromium used by the
# Playwright browser tests, and a throw-away PostgreSQL server, then runs the
# whole suite twice: on SQLite and on PostgreSQL.  Both runs always happen;
# the exit status is non-zero if either fails (including "no tests
# collected").  The last line is a summary: "N passed, M failed".
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

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gongzhi-test.XXXXXX")
cleanup() {
    local rc=$?
    if [[ -n "${PG_STARTED:-}" ]]; then
        pg_stop || true
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT

chromium_ensure
pdf_deps_ensure
pg_start

# Test-only settings; anything already set in the environment wins.
export DJANGO_ALLOW_ASYNC_UNSAFE=true  # Playwright's sync API + Django ORM in one thread
_b64key() { python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())'; }
export GONGZHI_SECRET_KEY="${GONGZHI_SECRET_KEY:-test-only-insecure-secret-key-do-not-use-in-production}"
export GONGZHI_ENCRYPTION_KEY="${GONGZHI_ENCRYPTION_KEY:-$(_b64key)}"
export GONGZHI_HMAC_KEY="${GONGZHI_HMAC_KEY:-$(_b64key)}"
# Keep anything the app writes (e.g. generated keys) out of the repo's data/.
export GONGZHI_DATA_DIR="${GONGZHI_DATA_DIR:-$WORK/data}"

run_suite() {  # run_suite LABEL NAME DATABASE_URL [pytest args...]
    local label=$1 name=$2 url=$3 rc=0
    shift 3
    echo
    echo "== tests on $label =="
    DATABASE_URL="$url" pytest --junitxml="$WORK/$name.xml" "$@" || rc=$?
    echo "$rc" >"$WORK/$name.rc"
    return 0
}

mkdir -p "$WORK/sqlite"
run_suite SQLite sqlite "sqlite:///$WORK/sqlite/test.sqlite3" "$@"
run_suite PostgreSQL postgres "$PG_URL" "$@"

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
        note = " (no tests collected)" if rc == 5 else f" (pytest exited with status {rc})"
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
