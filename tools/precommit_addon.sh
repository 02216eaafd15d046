#!/usr/bin/env bash
# pre-commit helper: run a checker on this checkout laid out as the OCA's tools expect an addon, a
# folder named amazon_fba_kit inside a repository folder, whatever this checkout's folder is called
# (the repository root is the addon here; OCA repositories hold addons one level down).
#
#   tools/precommit_addon.sh link|copy COMMAND [ARGS...]     ({} in ARGS: the addon folder)
#
# link: a temporary symlink named amazon_fba_kit (pylint-odoo, manifestoo).
# copy: a temporary copy of the files git knows (tracked, or new and not ignored) under a folder
#       with a .git entry: oca-checks-odoo-module resolves links and looks for manifests below
#       the repository root only. Its messages name files as amazon_fba_kit/<path>.
set -euo pipefail
mode=$1
shift
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d)
cleanup() { rm -f "$tmp/amazon_fba_kit" 2>/dev/null || rm -rf "$tmp/amazon_fba_kit"; rm -rf "$tmp"; }
trap cleanup EXIT
case "$mode" in
    link) ln -s "$root" "$tmp/amazon_fba_kit" ;;
    copy)
        mkdir "$tmp/.git" "$tmp/amazon_fba_kit"
        git -C "$root" ls-files -z --cached --others --exclude-standard \
            | (cd "$root" && while IFS= read -r -d '' f; do
                if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done) \
            | (cd "$root" && xargs -0 cp --parents -t "$tmp/amazon_fba_kit")
        ;;
    *) echo "usage: $0 link|copy COMMAND [ARGS...]" >&2; exit 2 ;;
esac
args=()
for arg in "$@"; do args+=("${arg//\{\}/$tmp/amazon_fba_kit}"); done
"${args[@]}"
