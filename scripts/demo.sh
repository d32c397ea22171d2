#!/usr/bin/env bash
# `make demo`: install Bellwork into .venv, build the web client, serve the demo organisation.
# Needs Python 3.11+ (and Node 20 once web/ exists); installs Janus from Debian where it can. A second run skips installs whose inputs
# (pyproject.toml, web/package*.json, web sources) did not change.
# Environment: PYTHON (interpreter for the venv, default python3), BELLWORK_HOST, BELLWORK_PORT,
# BELLWORK_DATA_DIR (default ./data).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

# 1. Python: a virtualenv with Bellwork installed (editable, so source edits need no reinstall).
step "Python packages ($VENV)"
ensure_venv ""

# 2. Web client: node modules and a build into src/bellwork/static, if the client exists.
if [ -f web/package.json ]; then
    step "Web client"
    ensure_node_modules
    build_web if-changed
else
    step "Web client: web/package.json not found, serving the API only"
fi

# 3. Media server: Janus (the SFU of lessons, meetings and calls), which `bellwork serve` runs
# with a config of its own (docs/media.md). Without root or apt, the rest works without it.
if { ! command -v janus >/dev/null 2>&1 || ! command -v ffmpeg >/dev/null 2>&1; } \
    && [ "${BELLWORK_JANUS_RUN:-auto}" != never ]; then
    step "Media server: apt-get install janus janus-tools ffmpeg"
    if command -v apt-get >/dev/null 2>&1 && apt_install janus janus-tools ffmpeg; then
        note "installed"
    else
        note "Janus could not be installed: live lessons, meetings and calls stay off"
    fi
fi

# 4. Serve: migrates, loads the demo data once, prints the URL and the demo logins.
step "bellwork serve --demo"
exec "$VENV/bin/bellwork" serve --demo
