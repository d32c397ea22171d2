#!/usr/bin/env bash
# `make test` and CI: install what the tests need, run the checks, then the whole suite on SQLite
# (browser tests included) and on PostgreSQL (browser tests excluded).
# Works on a fresh Debian machine with Python 3.11+ and Node 20; uses apt for Chromium,
# PostgreSQL and Redis only when they are missing. Environment: PYTHON, BELLWORK_TEST_PG
# (admin DSN, default postgresql://postgres@127.0.0.1:5432/postgres), PYTEST_ARGS (extra args).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

started=$SECONDS
PG_DSN=${BELLWORK_TEST_PG:-postgresql://postgres@127.0.0.1:5432/postgres}
read -r -a EXTRA <<<"${PYTEST_ARGS:-}"
FAILED=()

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
    local _
    for _ in $(seq 1 100); do
        port_open "$1" && return 0
        sleep 0.1
    done
    die "nothing answers on 127.0.0.1:$1"
}

# Run a check; a failure is recorded and reported at the end instead of stopping the run.
check() {
    local name=$1
    shift
    step "$name"
    if ! "$@"; then
        FAILED+=("$name")
    fi
}

# 1. System packages: Chromium for the browser tests, Janus and coturn for the media tests,
# PostgreSQL and Redis when nothing answers.
step "System packages"
pkgs=()
[ -x /usr/bin/chromium ] || pkgs+=(chromium)
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || pkgs+=(fonts-wqy-microhei)  # Chinese text in screenshots
# The media tests run a real Janus (SFU), janus-pp-rec and ffmpeg (recordings) and coturn (TURN).
command -v janus >/dev/null || pkgs+=(janus)
command -v janus-pp-rec >/dev/null || pkgs+=(janus-tools)
command -v ffmpeg >/dev/null || pkgs+=(ffmpeg)  # lesson replays (docs/lessons.md)
command -v turnutils_uclient >/dev/null || pkgs+=(coturn)
fresh_pg=0
if ! port_open 5432 && ! compgen -G '/etc/postgresql/*/main' >/dev/null; then
    pkgs+=(postgresql)
    fresh_pg=1
fi
if ! port_open 6379 && ! command -v redis-server >/dev/null; then
    pkgs+=(redis-server)
fi
if [ ${#pkgs[@]} -gt 0 ]; then
    note "apt-get install ${pkgs[*]}"
    apt_install "${pkgs[@]}"
else
    note "nothing to install"
fi

# 2. Services: start the Debian PostgreSQL cluster and a throwaway Redis if they are not running.
step "PostgreSQL and Redis"
if ! port_open 5432; then
    pg_version=$(ls /etc/postgresql | sort -V | tail -n1)
    if [ "$fresh_pg" = 1 ]; then
        # The tests connect as postgres over TCP without a password.
        hba=/etc/postgresql/$pg_version/main/pg_hba.conf
        as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    fi
    note "starting PostgreSQL $pg_version"
    quiet as_root pg_ctlcluster --skip-systemctl-redirect "$pg_version" main start
    wait_port 5432
fi
if ! port_open 6379; then
    note "starting Redis"
    quiet redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
    wait_port 6379
fi
note "PostgreSQL on :5432, Redis on :6379"

# 3. Python: the virtualenv with Bellwork and its development tools.
step "Python packages ($VENV)"
ensure_venv dev

# 4. Web client: install, build into src/bellwork/static (the browser tests serve it), check.
if [ -f web/package.json ]; then
    step "Web client: install and build"
    ensure_node_modules
    build_web
    for script in typecheck check:api test; do
        if web_has_script "$script"; then
            check "web: npm run $script" bash -c "cd web && npm run --silent '$script'"
        fi
    done
else
    step "Web client: web/package.json not found, skipping (browser tests will skip)"
fi

# 5. Static checks.
check "ruff check" "$VENV/bin/ruff" check
check "ruff format --check" "$VENV/bin/ruff" format --check
check "mypy" "$VENV/bin/mypy"

# 6. The test suite in three lanes side by side (the tests wait on processes, sockets and
# browsers much of the time; each lane has its own database, data folder and ports): SQLite,
# the browser tests (a process of their own: sync Playwright leaves an event loop running, which
# breaks the async tests that come after it in the same process) and PostgreSQL. Each lane's
# output is shown when it ends. Exit code 5 (no tests collected) is not a failure.
declare -A RESULT
LANES=$(mktemp -d)
trap 'rm -rf "$LANES"' EXIT
lane_pytest() {
    local name=$1 rc=0
    shift
    # --durations: the slowest tests in every run's log, to keep the suite's time in check.
    "$VENV/bin/pytest" -q --durations=20 "$@" "${EXTRA[@]}" >"$LANES/$name.log" 2>&1 || rc=$?
    echo "$rc" >"$LANES/$name.rc"
}
report_pytest() {
    local name=$1 rc
    step "pytest on $name"
    cat "$LANES/$name.log"
    rc=$(cat "$LANES/$name.rc")
    RESULT[$name]=$(grep -E '^=*.* in [0-9.]+s' "$LANES/$name.log" | tail -n1 | sed -E 's/^=+ //; s/ =+$//')
    case $rc in
        0) ;;
        5) RESULT[$name]="no tests collected" ;;
        *)
            RESULT[$name]="${RESULT[$name]:-exit $rc} (FAILED)"
            FAILED+=("pytest on $name")
            ;;
    esac
}
step "pytest: SQLite, browser and PostgreSQL side by side"
pg_ok=0
if "$VENV/bin/python" -c 'import asyncio, asyncpg, sys; asyncio.run(asyncpg.connect(sys.argv[1]))' \
    "$PG_DSN" 2>/dev/null; then
    pg_ok=1
fi
lane_started=$SECONDS
# The SQLite lane ends minutes before the others and the browser lane is the longest: these
# browser tests run after the SQLite lane instead (on a demo server of their own).
LATE_BROWSER=(tests/browser/test_chat.py tests/browser/test_chat_habits.py)
(
    lane_pytest sqlite --db=sqlite -m "not browser"
    lane_pytest browser2 --db=sqlite -m browser "${LATE_BROWSER[@]}"
) &
sqlite_lane=$!
lane_pytest browser --db=sqlite -m browser "${LATE_BROWSER[@]/#/--ignore=}" &
browser_lane=$!
if [ "$pg_ok" = 1 ]; then
    BELLWORK_TEST_PG=$PG_DSN lane_pytest postgres --db=postgres -m "not browser" &
    pg_lane=$!
fi
wait "$sqlite_lane"
note "SQLite lane (and the browser tests after it) done after $((SECONDS - lane_started))s"
report_pytest sqlite
report_pytest browser2
wait "$browser_lane"
note "browser lane done after $((SECONDS - lane_started))s"
report_pytest browser
if [ "$pg_ok" = 1 ]; then
    wait "$pg_lane"
    note "PostgreSQL lane done after $((SECONDS - lane_started))s"
    report_pytest postgres
else
    RESULT[postgres]="cannot connect to $PG_DSN (FAILED)"
    FAILED+=("pytest on postgres")
fi

# 7. One line for both runs (and whatever else failed).
elapsed=$((SECONDS - started))
printf '\n'
if [ ${#FAILED[@]} -eq 0 ]; then
    printf 'OK in %ss: sqlite: %s; browser (sqlite): %s + %s | postgres: %s\n' "$elapsed" \
        "${RESULT[sqlite]}" "${RESULT[browser]}" "${RESULT[browser2]}" "${RESULT[postgres]}"
else
    printf 'FAILED in %ss (%s): sqlite: %s; browser (sqlite): %s + %s | postgres: %s\n' "$elapsed" \
        "$(IFS=,; echo "${FAILED[*]}" | sed 's/,/, /g')" \
        "${RESULT[sqlite]}" "${RESULT[browser]}" "${RESULT[browser2]}" "${RESULT[postgres]}"
    exit 1
fi
