#!/usr/bin/env bash
# Benchmark of the order sync (see README.md, "Benchmark"): not part of the test suite.
#
#   tools/benchmark.sh [--sizes 100,500] [--repeat 3] [--memory-sizes 100] [--history 20000]
#                      [--strict] [--profile FILE]
#
# Builds once (kept while the template and the benchmark's data stay the same; updated with
# -u amazon_fba_kit when the addon's code changed; AFK_BENCH_REBUILD=1 rebuilds) a prepared
# database: the template database (the manifest's dependencies, no demo data) with amazon_fba_kit
# installed, a catalogue and an account; with --history H, a copy of it holding H booked orders.
# Every measured run copies a prepared database (createdb -T), runs in a fresh process, commits,
# and its copy is dropped (tools/benchmark.py).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
afk_require_odoo
afk_install_requirements
afk_ensure_postgres
afk_expose_addon

template=$(afk_template_db)
export AFK_CACHE
"$ODOO_PYTHON" "$AFK_ROOT/tools/benchmark.py" --template "$template" --addons-path "$AFK_ADDONS_PATH" "$@"
