#!/usr/bin/env bash
# The main job on an embedded default: a demo database with the addon and its demo data, the local
# SP-API simulator serving a default set of FBA and FBM orders, one real order sync, a report.
#
#   tools/demo.sh            (AFK_DEMO_DB=name to choose the database; it is recreated)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
afk_require_odoo
afk_install_requirements
afk_ensure_postgres
afk_expose_addon

db=${AFK_DEMO_DB:-amazon_fba_kit_demo}
dropdb --if-exists "$db" >/dev/null
echo "== creating database $db with amazon_fba_kit and its demo data (a minute or two)"
log="$AFK_CACHE/demo-install.log"
if ! afk_odoo -d "$db" -i amazon_fba_kit --stop-after-init >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "installing the demo database failed (log: $log)" >&2
    exit 1
fi
"$ODOO_PYTHON" "$AFK_ROOT/tools/demo.py" --database "$db" --addons-path "$AFK_ADDONS_PATH"
