#!/usr/bin/env bash
# The project's demo command:  bash scripts/demo.sh
#
# Installs what it needs into .venv, migrates the embedded SQLite database in
# ./data (or $DATABASE_URL), builds the demo district of 宜兴市 once (a second
# run reuses it), prints one account per role, and starts the production
# server on http://127.0.0.1:8000 (override with HOST / PORT), with the
# job-queue worker beside it (imports, exports, assessments, notices, and the
# work-order overdue sweep every minute).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

EXTRAS=""
# shellcheck source=lib/venv.sh
source "$ROOT/scripts/lib/venv.sh"
# shellcheck source=lib/pdf.sh
source "$ROOT/scripts/lib/pdf.sh"
pdf_deps_ensure || echo "demo: PDF reports need libpango and fonts-noto-cjk; the rest works without them" >&2

export GONGZHI_DATA_DIR="${GONGZHI_DATA_DIR:-$ROOT/data}"
# the address links in notices and digests point at (the unsubscribe links), on whatever port it serves
export GONGZHI_SITE_URL="${GONGZHI_SITE_URL:-http://${HOST:-127.0.0.1}:${PORT:-8000}}"
gongzhi migrate --noinput -v 0
gongzhi demo
echo
echo "共治 demo: http://${HOST:-127.0.0.1}:${PORT:-8000}/   (Ctrl-C to stop)"
exec gongzhi serve --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
