# Shared helpers for scripts/demo.sh and scripts/test.sh. Source it; do not run it.
# Expects to be sourced from the repository root (the scripts cd there first).

VENV=${VENV:-.venv}
PY=${PYTHON:-python3}

# Print a step's name, so a quiet run still shows where it is.
step() {
    printf '\n==> %s\n' "$*"
}

note() {
    printf '    %s\n' "$*"
}

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

# Run a command with its output hidden; show the output only if it fails.
quiet() {
    local log rc=0
    log=$(mktemp)
    "$@" >"$log" 2>&1 || rc=$?
    if [ "$rc" != 0 ]; then
        cat "$log" >&2
        printf 'error: exit %s from: %s\n' "$rc" "$*" >&2
    fi
    rm -f "$log"
    return "$rc"
}

# sha256 of the given files (missing files count as empty), plus any extra words.
fingerprint() {
    local f
    {
        for f in "$@"; do
            if [ -f "$f" ]; then cat "$f"; fi
            printf '\0%s\0' "$f"
        done
    } | sha256sum | cut -d' ' -f1
}

# Run a command as root: directly, through sudo, or fail with a hint.
as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        printf 'error: need root for: %s (run it yourself, then re-run)\n' "$*" >&2
        return 1
    fi
}

APT_UPDATED=0
# Install Debian packages quietly; `apt-get update` runs once, only when something is installed.
apt_install() {
    if [ "$APT_UPDATED" = 0 ]; then
        quiet as_root env DEBIAN_FRONTEND=noninteractive apt-get update
        APT_UPDATED=1
    fi
    quiet as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "$@"
}

# Create the virtualenv if missing and `pip install -e ".[EXTRAS]"` when pyproject.toml changed.
# $1: extras ("" or "dev"). An install with dev also satisfies a request without extras.
ensure_venv() {
    local extras=$1 target=. stamp want
    if [ ! -x "$VENV/bin/python" ]; then
        "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
            die "Python 3.11 or newer is needed ($PY is $("$PY" --version 2>&1))"
        note "creating $VENV"
        if ! "$PY" -m venv "$VENV" 2>/dev/null; then
            # Debian splits ensurepip into its own package.
            note "installing python3-venv"
            apt_install python3-venv
            rm -rf "$VENV"
            "$PY" -m venv "$VENV"
        fi
    fi
    [ -n "$extras" ] && target=".[$extras]"
    want=$(fingerprint pyproject.toml)
    for stamp in "$VENV/.bellwork-installed-$extras" "$VENV/.bellwork-installed-dev"; do
        if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
            note "Python packages are up to date"
            return 0
        fi
    done
    note "pip install -e '$target'"
    quiet "$VENV/bin/python" -m pip install --disable-pip-version-check --upgrade pip
    quiet "$VENV/bin/python" -m pip install --disable-pip-version-check -e "$target"
    echo "$want" >"$VENV/.bellwork-installed-$extras"
}

# True when web/package.json defines the npm script $1.
web_has_script() {
    node -e 'const s = require("./web/package.json").scripts || {}; process.exit(s[process.argv[1]] ? 0 : 1)' "$1"
}

# Install the web client's node modules when package.json or the lock file changed.
ensure_node_modules() {
    local want stamp=web/node_modules/.bellwork-installed
    command -v npm >/dev/null 2>&1 || die "web/package.json exists but npm is missing (install Node 20)"
    want=$(fingerprint web/package.json web/package-lock.json)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        note "node modules are up to date"
        return 0
    fi
    if [ -f web/package-lock.json ]; then
        note "npm ci"
        (cd web && quiet npm ci --no-audit --no-fund)
    else
        note "npm install (no package-lock.json)"
        (cd web && quiet npm install --no-audit --no-fund)
    fi
    echo "$want" >"$stamp"
}

# Build the web client into src/bellwork/static. $1=if-changed skips it when nothing in web/
# is newer than the last build.
build_web() {
    local index=src/bellwork/static/index.html
    if [ "${1:-}" = if-changed ] && [ -f "$index" ] &&
        [ -z "$(find web -path web/node_modules -prune -o -newer "$index" -type f -print -quit)" ]; then
        note "web client is up to date"
        return 0
    fi
    note "npm run build"
    (cd web && quiet npm run build)
    # Mark the build time even if the bundler kept old file times.
    [ -f "$index" ] && touch "$index"
    return 0
}
