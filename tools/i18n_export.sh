#!/usr/bin/env bash
# Regenerate the translations template i18n/amazon_fba_kit.pot with Odoo's own exporter
# (--i18n-export): terms of the Python code (_(), env._()), views, menus, fields, selections,
# model descriptions and data. Run it after adding or changing a translatable term;
# tests/test_i18n.py fails while a term is missing from the template.
#
#   tools/i18n_export.sh
#
# Uses a throwaway copy of the test command's template database, with the addon installed
# without demo data, then drops it. The creation/revision dates are left out of the header so
# a rerun without new terms changes nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
afk_require_odoo
afk_install_requirements
afk_ensure_postgres
afk_expose_addon

export AFK_TEMPLATE_EXTRA=${AFK_TEMPLATE_EXTRA-product_expiry}  # the same template as tools/test.sh
template=$(afk_template_db)
db="afk_i18n_$$_$(date +%s)"
work=$(mktemp -d "${TMPDIR:-/tmp}/afk-i18n.XXXXXX")
cleanup() { dropdb --if-exists "$db" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
createdb -T "$template" "$db"
log="$AFK_CACHE/i18n-$db.log"
echo "== installing amazon_fba_kit into $db"
afk_odoo -d "$db" -i amazon_fba_kit --stop-after-init >"$log" 2>&1 || {
    tail -n 40 "$log" >&2; echo "installing amazon_fba_kit failed (log: $log)" >&2; exit 1; }
echo "== exporting the translatable terms"
afk_odoo -d "$db" --modules=amazon_fba_kit --i18n-export="$work/amazon_fba_kit.pot" \
    --stop-after-init >>"$log" 2>&1 || {
    tail -n 40 "$log" >&2; echo "exporting the terms failed (log: $log)" >&2; exit 1; }
mkdir -p "$AFK_ROOT/i18n"
grep -v -E '^"(POT-Creation-Date|PO-Revision-Date): ' "$work/amazon_fba_kit.pot" \
    >"$AFK_ROOT/i18n/amazon_fba_kit.pot"
echo "i18n/amazon_fba_kit.pot: $(grep -c '^msgid "' "$AFK_ROOT/i18n/amazon_fba_kit.pot") entries (one is the header)"
