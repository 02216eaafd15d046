#!/usr/bin/env bash
# Build the Python virtual environment Odoo 18 runs in, from an Odoo 18.0 source tree you already
# have, then tell how to point this project's commands at it (ODOO_PYTHON). It never downloads
# Odoo itself: get the source first, e.g.
#
#   git clone --depth 1 -b 18.0 https://github.com/odoo/odoo.git ~/src/odoo18
#   ODOO_SRC=~/src/odoo18 tools/setup_odoo.sh [VENV_DIR]      (default VENV_DIR: ~/odoo18-venv)
#
# Steps: checks the tree is Odoo 18.0 and the Python (PYTHON, default python3) is 3.10-3.12;
# installs the Debian packages Odoo's requirements build against when missing (as root); creates
# the venv; installs Odoo's requirements.txt, then Odoo itself from ODOO_SRC (editable, compat
# mode); checks that `import odoo` works. Two snags of current pip/setuptools are handled:
# - cbor2 (Odoo's pin) builds only with setuptools<81 in its isolated build environment: every
#   build gets pip's `--build-constraint` with setuptools<81;
# - the prefork server (--workers) imports gevent, which needs pkg_resources at run time, gone
#   from setuptools 81: setuptools<81 stays installed in the venv.
# Odoo is installed in compat editable mode (a path entry, not setuptools' default import hook)
# so that addons installed as wheels (odoo/addons/<name> in site-packages) do not hide it.
set -euo pipefail

odoo_src=${ODOO_SRC:-}
venv=${1:-${ODOO_VENV:-$HOME/odoo18-venv}}
python=${PYTHON:-python3}

die() { echo "setup_odoo: $*" >&2; exit 2; }

[ -n "$odoo_src" ] || die "set ODOO_SRC to an Odoo 18.0 source tree, e.g.
  git clone --depth 1 -b 18.0 https://github.com/odoo/odoo.git ~/src/odoo18
  ODOO_SRC=~/src/odoo18 $0"
odoo_src=$(cd "$odoo_src" 2>/dev/null && pwd) || die "ODOO_SRC=$ODOO_SRC is not a folder"
[ -f "$odoo_src/odoo/release.py" ] && [ -f "$odoo_src/requirements.txt" ] && [ -f "$odoo_src/setup.py" ] \
    || die "$odoo_src is not an Odoo source tree (odoo/release.py, requirements.txt, setup.py expected)"
serie=$(sed -n 's/^version_info *= *(\([0-9]*\), *\([0-9]*\),.*/\1.\2/p' "$odoo_src/odoo/release.py")
[ "$serie" = "18.0" ] || die "$odoo_src is Odoo ${serie:-of unknown version}, not 18.0"
command -v "$python" >/dev/null || die "no '$python': set PYTHON to a Python 3.10, 3.11 or 3.12"
pyver=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
case "$pyver" in 3.10 | 3.11 | 3.12) ;; *) die "$python is Python $pyver; Odoo 18 needs 3.10-3.12 (set PYTHON)" ;; esac

# What Odoo's requirements build from source against (psycopg2, python-ldap) on Debian/Ubuntu.
if command -v dpkg-query >/dev/null; then
    missing=()
    for pkg in build-essential python3-dev libpq-dev libldap2-dev libsasl2-dev; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        if [ "$(id -u)" = 0 ]; then
            echo "== apt-get install ${missing[*]}"
            apt-get update -qq >/dev/null
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
        else
            die "missing Debian packages: sudo apt-get install ${missing[*]}"
        fi
    fi
fi

echo "== creating $venv (Python $pyver) for Odoo 18 from $odoo_src"
"$python" -m venv "$venv"
vpy="$venv/bin/python"
constraints="$venv/afk-build-constraints.txt"
echo "setuptools<81  # cbor2 (Odoo's pin) does not build with setuptools 81+" >"$constraints"
log="$venv/afk-setup.log"
: >"$log"
pipq() {  # quiet; pip's and the build backends' warnings go to the log, shown on failure
    "$vpy" -m pip --disable-pip-version-check -q "$@" 2>>"$log" || {
        tail -n 40 "$log" >&2; die "pip install failed (log: $log)"; }
}
pipq install --upgrade "pip>=25.3" "setuptools<81" wheel  # --build-constraint: pip 25.3+
echo "== installing Odoo's requirements.txt (several minutes: some are built from source)"
pipq install --build-constraint "$constraints" -c "$constraints" -r "$odoo_src/requirements.txt"
echo "== installing Odoo 18 from $odoo_src (editable, compat mode)"
pipq install --build-constraint "$constraints" -c "$constraints" --no-deps \
    --config-settings editable_mode=compat -e "$odoo_src"
"$vpy" -W ignore -c 'import odoo.release as r, pkg_resources, gevent; assert r.version_info[:2] == (18, 0)' \
    || die "the venv cannot import Odoo 18, pkg_resources and gevent (see above)"
version=$("$vpy" -c 'import odoo.release as r; print(r.version)')

cat <<MSG
== done: $venv runs Odoo $version.
Point this project's commands at it (add the line to your shell profile to keep it):

  export ODOO_PYTHON=$vpy

then run tools/demo.sh or tools/test.sh; the test command installs the test tools itself.
MSG
