# Shared helpers for tools/test.sh, tools/demo.sh and tools/benchmark.sh. Source it; don't run it.
# Nothing here fetches or installs Odoo: Odoo 18 is a prerequisite found through ODOO_PYTHON.

AFK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ODOO_PYTHON=${ODOO_PYTHON:-/opt/odoo18-venv/bin/python}
AFK_CACHE=${AFK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/amazon_fba_kit}
mkdir -p "$AFK_CACHE"

afk_require_odoo() {
    if [ ! -x "$ODOO_PYTHON" ] || ! "$ODOO_PYTHON" -c 'import odoo.release' >/dev/null 2>&1; then
        cat >&2 <<MSG
Odoo 18 is missing: '$ODOO_PYTHON' is not a Python that can 'import odoo'.
Install Odoo 18.0 (Community or Enterprise) in a virtual environment and point ODOO_PYTHON at its
python, e.g. ODOO_PYTHON=/path/to/odoo18-venv/bin/python tools/test.sh
(see README.md, "Prerequisite: Odoo 18").
MSG
        exit 2
    fi
    local version
    version=$("$ODOO_PYTHON" -c 'import odoo.release as r; print(r.version_info[0])')
    if [ "$version" != "18" ]; then
        echo "ODOO_PYTHON=$ODOO_PYTHON runs Odoo $version; amazon_fba_kit needs Odoo 18." >&2
        exit 2
    fi
}

# requirements-dev.txt: the runtime requirements.txt plus the test, lint and packaging tools.
afk_install_requirements() {
    local stamp="$AFK_CACHE/requirements.sha1" want
    want=$( (cat "$AFK_ROOT/requirements.txt" "$AFK_ROOT/requirements-dev.txt"; echo "$ODOO_PYTHON") \
        | sha1sum | cut -c1-40)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        echo "== installing requirements-dev.txt (with requirements.txt) into $ODOO_PYTHON"
        "$ODOO_PYTHON" -m pip install -q --disable-pip-version-check \
            -r "$AFK_ROOT/requirements-dev.txt" 2> >(grep -v '^WARNING: Location' >&2)
        echo "$want" >"$stamp"
    fi
}

afk_apt_install() {
    if [ "$(id -u)" != "0" ]; then
        echo "Debian package(s) $* missing and not root: install them with apt-get." >&2
        exit 2
    fi
    echo "== apt-get install $*"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

afk_ensure_chromium() {
    command -v chromium >/dev/null 2>&1 || afk_apt_install chromium
}

afk_ensure_postgres() {
    if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        afk_apt_install postgresql
    fi
    if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
        local v
        v=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
        pg_createcluster "$v" main >/dev/null
    fi
    pg_lsclusters -h | while read -r ver name _port status _rest; do
        if [ "$status" != "online" ]; then
            pg_ctlcluster "$ver" "$name" start
        fi
    done
    local me
    me=$(id -un)
    if ! psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then
        if [ "$(id -u)" = "0" ]; then
            su postgres -c "createuser --superuser '$me'" >/dev/null 2>&1 || true
        fi
        psql -d postgres -tAc 'select 1' >/dev/null || {
            echo "PostgreSQL runs but role '$me' cannot connect; create it: createuser -s $me" >&2; exit 2; }
    fi
}

# Odoo finds modules by folder name: expose this checkout as .../amazon_fba_kit whatever it is called.
afk_expose_addon() {
    local key
    key=$(echo "$AFK_ROOT" | sha1sum | cut -c1-10)
    AFK_ADDONS="$AFK_CACHE/addons-$key"
    mkdir -p "$AFK_ADDONS"
    ln -sfn "$AFK_ROOT" "$AFK_ADDONS/amazon_fba_kit"
    local core
    core=$("$ODOO_PYTHON" -c 'import os, odoo.addons as a; print(os.path.dirname(a.__file__) if a.__file__ else list(a.__path__)[0])')
    AFK_ADDONS_PATH="$core,$AFK_ADDONS"
    AFK_CORE_ADDONS="$core"
}

afk_odoo() {
    "$ODOO_PYTHON" -m odoo --addons-path="$AFK_ADDONS_PATH" --http-port=0 "$@"
}

# Name of a template database with the manifest's dependencies installed (built once, under a lock).
afk_template_db() {
    local depends key name
    depends=$("$ODOO_PYTHON" -c "import ast,sys; m=ast.literal_eval(open(sys.argv[1]).read()); print(','.join(sorted(m['depends'])))" "$AFK_ROOT/__manifest__.py")
    key=$( (echo "$depends ${AFK_TEMPLATE_EXTRA:-}"; "$ODOO_PYTHON" -c 'import odoo.release as r; print(r.serie, r.version)') | sha1sum | cut -c1-10)
    name="afk_tpl_$key"
    (
        flock 9
        if ! psql -d postgres -tAc "select 1 from pg_database where datname='$name'" | grep -q 1; then
            local tmp="${name}_building_$$" log="$AFK_CACHE/template-$name.log"
            echo "== building template database $name ($depends) — once, reused while the dependencies stay the same" >&2
            dropdb --if-exists "$tmp" >/dev/null 2>&1 || true
            if ! afk_odoo -d "$tmp" -i "$depends${AFK_TEMPLATE_EXTRA:+,$AFK_TEMPLATE_EXTRA}" \
                    --without-demo=all --stop-after-init >"$log" 2>&1; then
                tail -n 40 "$log" >&2; echo "building the template failed (log: $log)" >&2; exit 1
            fi
            psql -d postgres -qc "alter database \"$tmp\" rename to \"$name\""
        fi
    ) 9>"$AFK_CACHE/template.lock" || exit 1
    echo "$name"
}

# Build the wheel odoo-addon-amazon_fba_kit with whool (pyproject.toml), install it with pip into a
# scratch target, and install the addon from there into a copy of template database $1, with an
# addons path of Odoo's core addons only: Odoo must find it through the odoo.addons namespace
# (odoo/__init__.py and odoo/addons/__init__.py extend their __path__ over every sys.path entry
# that has an odoo/addons folder, as site-packages has after `pip install odoo-addon-...`).
# The folder holding Odoo's own odoo/ package goes on PYTHONPATH too: a regular package found on
# sys.path wins over the wheel's odoo/ (a namespace portion, no __init__.py), whereas an Odoo
# installed with `pip install -e` (setuptools' default, a finder appended to sys.meta_path) would
# be shadowed by it. tools/setup_odoo.sh installs Odoo in compat editable mode for that reason.
# Fails on a build error, an addon not found or not from the wheel, or any WARNING/ERROR.
afk_wheel_check() {
    local template=$1 work db log rc errexit=${-//[^e]/} odoo_root start=$SECONDS
    odoo_root=$("$ODOO_PYTHON" -c 'import os, odoo; print(os.path.dirname(os.path.dirname(odoo.__file__)))')
    work=$(mktemp -d "${TMPDIR:-/tmp}/afk-wheel.XXXXXX")
    db="afk_wheel_$$_$(date +%s)"
    log="$AFK_CACHE/install-$db.log"
    set +e
    (
        set -e
        cd "$work"
        # whool names the wheel after the addon's folder and packs the files git tracks: stage those
        # (and new files not yet added, unless ignored) in a folder named amazon_fba_kit, whatever
        # this checkout's folder is called.
        mkdir -p src/amazon_fba_kit
        if git -C "$AFK_ROOT" rev-parse >/dev/null 2>&1; then
            git -C "$AFK_ROOT" ls-files -z --cached --others --exclude-standard | (cd "$AFK_ROOT" && while IFS= read -r -d '' f; do
                if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done) \
                | (cd "$AFK_ROOT" && xargs -0 cp --parents -t "$work/src/amazon_fba_kit")
        else
            tar -C "$AFK_ROOT" --exclude=.git --exclude=__pycache__ -cf - . | tar -xf - -C src/amazon_fba_kit
        fi
        "$ODOO_PYTHON" -m pip wheel -q --disable-pip-version-check --no-deps --no-build-isolation \
            --check-build-dependencies -w dist src/amazon_fba_kit 2> >(grep -v '^WARNING: Location' >&2)
        wheel=$(ls dist/odoo_addon_amazon_fba_kit-*-py3-none-any.whl)
        echo "   built $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB)"
        "$ODOO_PYTHON" -m pip install -q --disable-pip-version-check --no-deps --target site "$wheel" \
            2> >(grep -v '^WARNING: Location' >&2)
        # Where Odoo's own lookup finds the addon, with this addons path: in the wheel's install.
        PYTHONPATH="$work/site:$odoo_root" "$ODOO_PYTHON" - "$AFK_CORE_ADDONS" "$work/site" <<'PY'
import os, sys
import odoo
from odoo.modules import module
odoo.tools.config.parse_config(["--addons-path", sys.argv[1]])
module.initialize_sys_path()
import odoo.addons.amazon_fba_kit as addon
found, site = module.get_module_path("amazon_fba_kit"), os.path.realpath(sys.argv[2])
for path in (found, addon.__file__):
    if not (path and os.path.realpath(path).startswith(site + os.sep)):
        sys.exit(f"amazon_fba_kit resolves to {path}, not to the wheel installed in {site}")
print(f"   odoo.addons.amazon_fba_kit from the wheel: {os.path.dirname(addon.__file__)}")
PY
        createdb -T "$template" "$db"
        PYTHONPATH="$work/site:$odoo_root" "$ODOO_PYTHON" -m odoo --addons-path="$AFK_CORE_ADDONS" \
            --data-dir="$work/data" --http-port=0 -d "$db" -i amazon_fba_kit --stop-after-init \
            --log-level=info >"$log" 2>&1 || {
            tail -n 60 "$log"; echo "installing amazon_fba_kit from the wheel failed (log: $log)" >&2; exit 1; }
        if grep -E '^[0-9-]+ [0-9:,]+ [0-9]+ (WARNING|ERROR|CRITICAL) ' "$log"; then
            echo "installing amazon_fba_kit from the wheel logged the warnings or errors above (log: $log)" >&2
            exit 1
        fi
        state=$(psql -d "$db" -tAc "select state from ir_module_module where name='amazon_fba_kit'")
        [ "$state" = installed ] || { echo "amazon_fba_kit is '$state' after installing from the wheel (log: $log)" >&2; exit 1; }
        echo "   installed from the wheel into a copy of $template, no warning ($((SECONDS - start)) s)"
    )
    rc=$?
    [ -n "$errexit" ] && set -e
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
    rm -rf "$work"
    return "$rc"
}
