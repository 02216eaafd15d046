#!/usr/bin/env bash
# Screenshots of the real screens for the Apps description page (static/description/*.png).
#
#   tools/screenshots.sh
#
# Builds the demo database with tools/demo.sh (demo data, one real order sync against the local
# SP-API simulator) under the name afk_screenshots, then runs tools/screenshot_screens.py with
# pytest-odoo: Odoo's headless Chromium opens each screen, as the browser tours do, and the PNGs
# are written next to static/description/index.html. Drops the database afterwards.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$here/tools/lib.sh"
afk_require_odoo
afk_ensure_chromium
export AFK_DEMO_DB=afk_screenshots
trap 'dropdb --if-exists "$AFK_DEMO_DB" >/dev/null 2>&1 || true' EXIT
bash "$here/tools/demo.sh" >/dev/null
afk_expose_addon
cd "$AFK_ADDONS"
PYTHONPATH="$AFK_ROOT/tools/pytest_plugins${PYTHONPATH:+:$PYTHONPATH}" \
    "$ODOO_PYTHON" -m pytest -p no:cacheprovider -p afk_collect -o python_files='screenshot_*.py' \
    --odoo-database="$AFK_DEMO_DB" --odoo-addons-path="$AFK_ADDONS_PATH" --odoo-http \
    --odoo-log-level=warn --odoo-extra=test-enable -q "$AFK_ADDONS/amazon_fba_kit/tools/screenshot_screens.py"
ls -la "$AFK_ROOT"/static/description/screenshot_*.png
