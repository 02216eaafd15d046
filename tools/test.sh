#!/usr/bin/env bash
# The project's one test command (see README.md, "Run the tests").
#
#   tools/test.sh [pytest arguments...]
#
# Runs the addon's tests inside a real Odoo 18 on a real PostgreSQL:
#   1. finds Odoo through ODOO_PYTHON (default /opt/odoo18-venv/bin/python);
#   2. installs requirements-dev.txt (the runtime requirements.txt plus test, lint and packaging
#      tools) into that Python, and Debian's chromium for the browser tours;
#   3. makes sure PostgreSQL is installed, running, and has a role for the current user;
#   4. builds (once, reused while the manifest's dependencies are unchanged) a template database
#      with those dependencies installed, copies it, and installs amazon_fba_kit into the copy,
#      failing on any warning or error in that install log;
#   5. builds the wheel odoo-addon-amazon_fba_kit and installs the addon from it into another copy
#      (tools/lib.sh afk_wheel_check), failing the same way;
#   6. runs lint (tools/lint.sh), then every test with pytest-odoo (--odoo-http, so browser tours
#      run too; a copy of the database for the prefork-server test) and fails on any failure,
#      error or skipped test.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/tools/lib.sh"

afk_require_odoo
afk_install_requirements
afk_ensure_chromium
afk_ensure_postgres
afk_expose_addon

echo "== lint"
bash "$here/tools/lint.sh"

# product_expiry is not a dependency, but installed in the test database so the FEFO lot policy is
# tested with real expiration dates (the addon checks for the field).
export AFK_TEMPLATE_EXTRA=${AFK_TEMPLATE_EXTRA-product_expiry}
template=$(afk_template_db)
db="afk_test_$$_$(date +%s)"
cleanup() {
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
    dropdb --if-exists --force "${db}_prod" >/dev/null 2>&1 || true
}
trap cleanup EXIT
createdb -T "$template" "$db"

echo "== install amazon_fba_kit into $db"
log="$AFK_CACHE/install-$db.log"
afk_odoo -d "$db" -i amazon_fba_kit --stop-after-init --log-level=info >"$log" 2>&1 || {
    tail -n 60 "$log"; echo "amazon_fba_kit failed to install (log: $log)" >&2; exit 1; }
if grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (WARNING|ERROR|CRITICAL) ' "$log"; then
    echo "installing amazon_fba_kit logged the warnings or errors above (log: $log)" >&2
    exit 1
fi

echo "== wheel: build odoo-addon-amazon_fba_kit with whool, install the addon from it (no checkout path)"
afk_wheel_check "$template"

# A copy for the production-mode test (tests/test_production_prefork.py), which runs a prefork
# Odoo server with workers and a cron worker on it.
createdb -T "$db" "${db}_prod"
export AFK_PROD_DB="${db}_prod"

echo "== tests"
junit="$AFK_CACHE/junit-$db.xml"
set +e
(cd "$AFK_ADDONS" && PYTHONPATH="$AFK_ROOT/tools/pytest_plugins${PYTHONPATH:+:$PYTHONPATH}" \
    "$ODOO_PYTHON" -m pytest -p no:cacheprovider -p afk_collect \
    --odoo-database="$db" --odoo-addons-path="$AFK_ADDONS_PATH" --odoo-http \
    --odoo-log-level=warn --odoo-extra=test-enable \
    --junitxml="$junit" -r fEs "$@" "$AFK_ADDONS/amazon_fba_kit/tests")
rc=$?
set -e
skipped=$("$ODOO_PYTHON" - "$junit" <<'PY'
import os, sys, xml.etree.ElementTree as ET
if not os.path.exists(sys.argv[1]):  # pytest stopped before running anything
    print(0)
    sys.exit()
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else list(root)
print(sum(int(s.get("skipped", 0)) for s in suites))
PY
)
if [ "$rc" -eq 0 ] && [ "$skipped" != "0" ]; then
    echo "$skipped test(s) were skipped: every test must run here (browser tours need chromium and websocket-client)." >&2
    rc=1
fi
exit "$rc"
