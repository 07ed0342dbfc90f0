#!/usr/bin/env bash
# Start N dashboard processes and nginx in front of them (sticky sessions), all in the foreground.
#
#   WAREHOUSE_URL=postgresql://user:pw@db/warehouse deploy/start.sh [N] [LISTEN] [FIRST_PORT]
#
# N processes (default 2) listen on 127.0.0.1:FIRST_PORT.. (default 8601..); nginx listens on LISTEN
# (default 0.0.0.0:8501) and routes each browser to one process by a cookie it assigns (mhm_route_<port>).
# Each process warms its caches before it accepts connections (serve.py, ui/server.py).
#
# Use one PostgreSQL warehouse for all processes. A DuckDB file can be open in only one process at a time;
# the dashboard opens it per query and closes it again, so several processes on one file work, but they
# take turns for every query (a process finding it locked retries for up to 20 s). That is fine for a
# demo, and too slow for a meeting. Ctrl+C (or SIGTERM) stops nginx and every process. Needs the Debian
# package nginx.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COUNT="${1:-2}"
LISTEN="${2:-0.0.0.0:8501}"
FIRST_PORT="${3:-8601}"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
RUN_DIR="${RUN_DIR:-$(mktemp -d -t mhmonitor-deploy.XXXXXX)}"

[[ -x "$NGINX" ]] || { echo "nginx not found: apt-get install nginx" >&2; exit 1; }
[[ -n "${WAREHOUSE_URL:-}" ]] || echo "warning: WAREHOUSE_URL unset; several processes on one DuckDB file take turns per query" >&2
mkdir -p "$RUN_DIR"
# nginx runs on this host: believe its X-Real-IP (the client's address, for the sign-in throttle).
export MHMONITOR_TRUSTED_PROXIES="${MHMONITOR_TRUSTED_PROXIES:-127.0.0.1}"

pids=()
stop() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait || true
}
trap stop EXIT INT TERM

servers=""
for ((i = 0; i < COUNT; i++)); do
    port=$((FIRST_PORT + i))
    (cd "$ROOT" && PYTHONPATH="$ROOT" exec "$PYTHON" -m streamlit run serve.py --server.port "$port" \
        --server.address 127.0.0.1 --server.headless true --browser.gatherUsageStats false \
        --server.showEmailPrompt false) >"$RUN_DIR/streamlit-$port.log" 2>&1 &
    pids+=("$!")
    servers+="        server 127.0.0.1:$port;"$'\n'
done

# The route cookie is named per deployment (its listening port): two dashboards on one host keep apart.
route_cookie="mhm_route_${LISTEN##*:}"
# The security headers are written once, in Python (ui/security_headers.py), for the app and for nginx.
security_headers="$(cd "$ROOT" && PYTHONPATH="$ROOT" "$PYTHON" -m ui.security_headers)"
sed -e "s|@RUN_DIR@|$RUN_DIR|g" -e "s|@LISTEN@|$LISTEN|g" -e "s|@ROUTE_COOKIE@|$route_cookie|g" \
        "$ROOT/deploy/nginx.conf.template" \
    | awk -v servers="$servers" -v headers="$security_headers" '{
        if ($0 == "@UPSTREAM_SERVERS@") printf "%s", servers
        else if ($0 == "@SECURITY_HEADERS@") print headers
        else print }' \
    >"$RUN_DIR/nginx.conf"
"$NGINX" -t -q -c "$RUN_DIR/nginx.conf" -p "$RUN_DIR"
"$NGINX" -c "$RUN_DIR/nginx.conf" -p "$RUN_DIR" &
pids+=("$!")
echo "dashboard on http://$LISTEN via nginx; $COUNT processes on 127.0.0.1:$FIRST_PORT..; logs in $RUN_DIR"
wait -n "${pids[@]}"
