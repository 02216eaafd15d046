#!/usr/bin/env bash
# Benchmark of the order sync (see README.md, "Benchmark"): not part of the test suite.
#
#   tools/benchmark.sh [--sizes 200,2000] [--repeat 3] [--memory-sizes 200] [--profile FILE]
#
# Copies the template database (the manifest's dependencies, no demo data) to a fresh database,
# installs amazon_fba_kit into it, runs tools/benchmark.py there (every measurement is rolled
# back; nothing is committed) and drops the database. AFK_BENCH_KEEP=1 keeps it.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
afk_require_odoo
afk_install_requirements
afk_ensure_postgres
afk_expose_addon

template=$(afk_template_db)
db="afk_bench_$$_$(date +%s)"
cleanup() {
    if [ -z "${AFK_BENCH_KEEP:-}" ]; then dropdb --if-exists "$db" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
createdb -T "$template" "$db"

echo "== install amazon_fba_kit into $db (without demo data)"
log="$AFK_CACHE/bench-install-$db.log"
afk_odoo -d "$db" -i amazon_fba_kit --without-demo=all --stop-after-init >"$log" 2>&1 || {
    tail -n 40 "$log" >&2; echo "installing amazon_fba_kit failed (log: $log)" >&2; exit 1; }

"$ODOO_PYTHON" "$AFK_ROOT/tools/benchmark.py" --database "$db" --addons-path "$AFK_ADDONS_PATH" "$@"
