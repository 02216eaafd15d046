#!/usr/bin/env bash
# Lint: ruff (check + format), then pylint-odoo with the blocking .pylintrc-mandatory.
# Exits non-zero on any finding.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
afk_require_odoo
afk_expose_addon
cd "$AFK_ROOT"
"$ODOO_PYTHON" -m ruff check --quiet .
"$ODOO_PYTHON" -m ruff format --check --quiet .
# pylint-odoo knows an addon by its folder name: lint the checkout through its amazon_fba_kit link.
"$ODOO_PYTHON" -m pylint --rcfile=.pylintrc-mandatory "$AFK_ADDONS/amazon_fba_kit"
echo "lint: ruff and pylint-odoo clean"
