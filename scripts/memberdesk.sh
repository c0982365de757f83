#!/usr/bin/env bash
# MemberDesk set-up entry point.
#
#   bash scripts/memberdesk.sh run  [memberdesk args...]   # default: demo
#   bash scripts/memberdesk.sh test [pytest args...]
#
# Installs the missing Debian/Ubuntu packages (apt), creates .venv, installs
# the project with its dev and pg extras, then runs the app or the tests.
# Works from any directory, as root or as a user with sudo.
set -euo pipefail

log() { printf 'memberdesk: %s\n' "$*" >&2; }
die() { printf 'memberdesk: error: %s\n' "$*" >&2; exit 1; }

usage() {
    cat >&2 <<'EOF'
usage: bash scripts/memberdesk.sh run  [memberdesk args...]   (default: demo)
       bash scripts/memberdesk.sh test [pytest args...]
EOF
}

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
VENV="$ROOT/.venv"
STAMP="$VENV/.memberdesk-installed"

MODE="${1:-}"
case "$MODE" in
    run | test) shift ;;
    -h | --help | help) usage; exit 0 ;;
    *) usage; exit 2 ;;
esac

COMMON_PKGS=(
    python3 python3-venv python3-dev gcc ca-certificates
    libgl1 libegl1 libglib2.0-0 libfontconfig1 libxkbcommon0 libdbus-1-3 libpulse0
    libxrandr2 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-randr0
    libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0 libx11-xcb1
    libzbar0 fonts-noto-cjk tzdata
)
TEST_PKGS=(postgresql xvfb xauth)

# ---------------------------------------------------------------- apt helpers

# Run a command as root: directly when root, through sudo otherwise.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "root is needed to run '$*', but this is not root and sudo is not installed"
    fi
}

APT_UPDATED=0

# Print the packages among "$@" that are not installed. A library counts as
# installed under its 64-bit-time_t name too (libfoo0t64 on Ubuntu 24.04).
missing_packages() {
    local names=() installed pkg
    for pkg in "$@"; do
        names+=("$pkg")
        case "$pkg" in lib*) names+=("${pkg}t64") ;; esac
    done
    # One dpkg-query call for all of them; unknown names just go to stderr.
    installed="$(dpkg-query -W -f='${Package} ${Status}\n' "${names[@]}" 2>/dev/null \
        | awk '/ install ok installed$/ {print $1}' || true)"
    for pkg in "$@"; do
        if ! grep -qxF -e "$pkg" -e "${pkg}t64" <<<"$installed"; then
            printf '%s\n' "$pkg"
        fi
    done
}

# Candidate version apt would install for a package, empty if none.
apt_candidate() {
    local cand
    cand="$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2; exit}' || true)"
    [ "$cand" = "(none)" ] && cand=""
    printf '%s' "$cand"
}

# Install whichever of "$@" are missing (apt-get update at most once per run).
ensure_packages() {
    if ! command -v dpkg-query >/dev/null 2>&1; then
        die "dpkg-query not found: this script needs Debian 12 or Ubuntu 22.04/24.04 (apt); install these yourself: $*"
    fi
    local missing=() pkg
    while IFS= read -r pkg; do
        [ -n "$pkg" ] && missing+=("$pkg")
    done < <(missing_packages "$@")
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        die "apt-get not found, and these packages are missing: ${missing[*]}"
    fi
    if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null 2>&1; then
        die "these packages are missing: ${missing[*]}; run this script as root, or install sudo, or install them yourself"
    fi
    if [ "$APT_UPDATED" -eq 0 ]; then
        log "updating apt package lists (missing: ${missing[*]})"
        if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get update; then
            log "warning: apt-get update reported errors; trying to install anyway"
        fi
        APT_UPDATED=1
    fi
    # Ubuntu 24.04 renamed some libraries (libglib2.0-0 -> libglib2.0-0t64).
    local to_install=()
    for pkg in "${missing[@]}"; do
        if [[ "$pkg" == lib* ]] && [ -z "$(apt_candidate "$pkg")" ] \
            && [ -n "$(apt_candidate "${pkg}t64")" ]; then
            pkg="${pkg}t64"
        fi
        to_install+=("$pkg")
    done
    log "installing ${#to_install[@]} system package(s) with apt-get: ${to_install[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        -o DPkg::Lock::Timeout=300 "${to_install[@]}" \
        || die "apt-get install failed for: ${to_install[*]}"
}

# -------------------------------------------------------------- python helpers

py_ok() { # interpreter runs and is >= 3.11
    "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1
}

# Pick an interpreter >= 3.11 that can create a venv (with pip); sets PY.
choose_python() {
    PY=""
    local cand
    for cand in "$(command -v python3 || true)" /usr/bin/python3; do
        if [ -n "$cand" ] && py_ok "$cand"; then
            PY="$cand"
            break
        fi
    done
    if [ -z "$PY" ]; then
        log "python3 is older than 3.11; using python3.11 from apt"
        ensure_packages python3.11 python3.11-venv python3.11-dev
        PY=/usr/bin/python3.11
        py_ok "$PY" || die "$PY does not run or is older than 3.11"
    fi
    local ver real
    ver="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    real="$(readlink -f "$PY" || printf '%s' "$PY")"
    # Debian/Ubuntu ship ensurepip (needed by 'python -m venv') in python3.X-venv.
    if [[ "$real" == /usr/bin/* ]]; then
        ensure_packages "python${ver}-venv"
    fi
    "$PY" -c 'import ensurepip' >/dev/null 2>&1 \
        || die "$PY ($ver) has no ensurepip, so it cannot create a virtualenv; install python${ver}-venv or put another Python >= 3.11 first on PATH"
}

venv_ok() {
    [ -x "$VENV/bin/python" ] && py_ok "$VENV/bin/python"
}

make_venv() {
    if venv_ok; then
        return 0
    fi
    choose_python
    if [ -e "$VENV" ] || [ -L "$VENV" ]; then
        log "removing broken virtualenv $VENV"
        rm -rf -- "$VENV"
    fi
    log "creating virtualenv $VENV with $PY ($("$PY" -c 'import sys; print(sys.version.split()[0])'))"
    "$PY" -m venv "$VENV" || die "could not create the virtualenv $VENV with $PY"
    venv_ok || die "the new virtualenv $VENV does not work"
}

install_project() {
    local want have=""
    want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
    [ -f "$STAMP" ] && have="$(cat "$STAMP")"
    if [ "$want" = "$have" ]; then
        log "python packages up to date (pyproject.toml unchanged)"
        return 0
    fi
    if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
        log "pip missing from $VENV; bootstrapping it with ensurepip"
        "$VENV/bin/python" -m ensurepip --upgrade >/dev/null \
            || die "could not bootstrap pip in $VENV; delete $VENV and try again"
    fi
    log "upgrading pip in $VENV"
    "$VENV/bin/python" -m pip install --upgrade pip || die "pip upgrade failed"
    log "installing memberdesk[dev,pg] (editable) into $VENV"
    "$VENV/bin/python" -m pip install -e "${ROOT}[dev,pg]" \
        || die "pip install -e '${ROOT}[dev,pg]' failed"
    printf '%s\n' "$want" >"$STAMP"
}

# ----------------------------------------------------------------------- main

log "checking system packages ($MODE)"
if [ "$MODE" = test ]; then
    ensure_packages "${COMMON_PKGS[@]}" "${TEST_PKGS[@]}"
else
    ensure_packages "${COMMON_PKGS[@]}"
fi
log "system packages ok"

make_venv
log "virtualenv ok: $VENV"

install_project

case "$MODE" in
    run)
        export QT_LOGGING_RULES="${QT_LOGGING_RULES:-qt.multimedia.*=false}"
        [ "$#" -eq 0 ] && set -- demo
        [ -x "$VENV/bin/memberdesk" ] \
            || die "$VENV/bin/memberdesk is missing; delete $STAMP and run again"
        log "starting: memberdesk $*"
        exec "$VENV/bin/memberdesk" "$@"
        ;;
    test)
        cd -- "$ROOT"
        export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
        log "running: pytest --cov --cov-report=term${*:+ $*}"
        exec .venv/bin/python -m pytest --cov --cov-report=term "$@"
        ;;
esac
