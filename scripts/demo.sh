#!/usr/bin/env bash
# `make demo`: install Bellwork into .venv, build the web client, serve the demo organisation.
# Needs Python 3.11+ (and Node 20 once web/ exists). A second run skips installs whose inputs
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

# 3. Serve: migrates, loads the demo data once, prints the URL and the demo logins.
step "bellwork serve --demo"
exec "$VENV/bin/bellwork" serve --demo
