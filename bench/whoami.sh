#!/usr/bin/env bash
# Throughput of GET /api/whoami for a logged-in user, sessions and users in
# PostgreSQL, measured with wrk against:
#   - the Go demo's three apps (net/http, echo, fiber: examples/sidebyside),
#   - the examples of the other adapters (examples/chi, echo5, fiber3, gin:
#     each a main.go on the public setup, its JSON by encoding/json),
#   - the Django app (examples/django_app) under Debian's gunicorn, 2 workers,
#     CONN_MAX_AGE set so database connections persist,
#   - the floor (bench/floor): net/http + a pgx pool running the same two
#     queries (live session row, user row) and nothing else.
# All five read the same session row: the login is made once, in Django.
#
#   bash bench/whoami.sh                   # needs wrk, gunicorn, psql, go
#   DURATION=20s CONNECTIONS=64 bash bench/whoami.sh
#
# Environment: DJANGOBRIDGE_TEST_POSTGRES (default
# postgres://postgres@127.0.0.1:5432/test; a database djangobridge_bench is
# created beside it and dropped at the end), DJANGOBRIDGE_TEST_DJANGO (default
# /root/.cache/django-versions), DJANGO_RELEASE (5.2), DURATION (10s),
# THREADS (2), CONNECTIONS (32), GUNICORN_WORKERS (2), ROUNDS (3: the
# targets are measured in turn, ROUNDS times, and each one's median kept,
# so a burst of load elsewhere on the machine skews one round, not a target).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD

PG=${DJANGOBRIDGE_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}
DJANGO_DIR=${DJANGOBRIDGE_TEST_DJANGO:-/root/.cache/django-versions}
RELEASE=${DJANGO_RELEASE:-5.2}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
WORKERS=${GUNICORN_WORKERS:-2}
ROUNDS=${ROUNDS:-3}

for tool in wrk gunicorn psql go curl; do
  command -v $tool >/dev/null || { echo "whoami.sh: $tool is missing (apt-get install -y wrk gunicorn postgresql-client curl)" >&2; exit 1; }
done

DBNAME=djangobridge_bench
BASE=${PG%/*}
export DATABASE_URL=$BASE/$DBNAME
export SECRET_KEY=bench-secret-key-$(date +%s)
export CONN_MAX_AGE=600
export DJANGO_VERSION=$RELEASE
export PYTHONPATH=$DJANGO_DIR/$RELEASE
export PYTHONDONTWRITEBYTECODE=1

TMP=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q "$PG" -c "DROP DATABASE IF EXISTS $DBNAME" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { # url
  for _ in $(seq 600); do
    curl -fs -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "whoami.sh: $1 did not come up; the logs:" >&2; tail -n 30 "$TMP"/*.log >&2; exit 1
}

echo "== database $DATABASE_URL (Django $RELEASE migrate + user demo/demo)"
psql -q "$PG" -c "DROP DATABASE IF EXISTS $DBNAME" >/dev/null
psql -q "$PG" -c "CREATE DATABASE $DBNAME" >/dev/null
/usr/bin/python3 examples/django_app/manage.py migrate -v0
/usr/bin/python3 examples/django_app/manage.py demo_user >/dev/null

echo "== building"
go build -o "$TMP/sidebyside" ./examples/sidebyside
go build -o "$TMP/floor" ./bench/floor
EXAMPLES=(chi echo5 fiber3 gin)
for ex in "${EXAMPLES[@]}"; do (cd examples/$ex && go build -o "$TMP/ex-$ex" .); done

P_HTTP=$(free_port); P_ECHO=$(free_port); P_FIBER=$(free_port); P_DJANGO=$(free_port); P_FLOOR=$(free_port)
"$TMP/sidebyside" -http 127.0.0.1:$P_HTTP -echo 127.0.0.1:$P_ECHO -fiber 127.0.0.1:$P_FIBER >"$TMP/go.log" 2>&1 &
PIDS+=($!)
"$TMP/floor" -addr 127.0.0.1:$P_FLOOR -db "$DATABASE_URL" >"$TMP/floor.log" 2>&1 &
PIDS+=($!)
declare -A P_EX
for ex in "${EXAMPLES[@]}"; do
  P_EX[$ex]=$(free_port)
  ADDR=127.0.0.1:${P_EX[$ex]} "$TMP/ex-$ex" >"$TMP/ex-$ex.log" 2>&1 &
  PIDS+=($!)
done
gunicorn --chdir examples/django_app -w "$WORKERS" -b 127.0.0.1:$P_DJANGO \
  --access-logfile /dev/null --error-logfile "$TMP/gunicorn.log" demo.wsgi:application &
PIDS+=($!)
for u in http://127.0.0.1:$P_HTTP http://127.0.0.1:$P_ECHO http://127.0.0.1:$P_FIBER \
         http://127.0.0.1:$P_DJANGO http://127.0.0.1:$P_FLOOR \
         $(for ex in "${EXAMPLES[@]}"; do echo http://127.0.0.1:${P_EX[$ex]}; done); do
  wait_up "$u/api/whoami"
done

echo "== logging in as demo on Django"
JAR=$TMP/cookies
curl -fs -c "$JAR" -b "$JAR" -o /dev/null http://127.0.0.1:$P_DJANGO/api/whoami
csrf() { awk '$6=="csrftoken"{print $7}' "$JAR"; }
curl -fs -c "$JAR" -b "$JAR" -o /dev/null -H "X-CSRFToken: $(csrf)" \
  -d username=demo -d password=demo http://127.0.0.1:$P_DJANGO/api/login
SESSION=$(awk '$6=="sessionid"{print $7}' "$JAR")
COOKIE="sessionid=$SESSION; csrftoken=$(csrf)"

declare -A URL=(
  [floor]=http://127.0.0.1:$P_FLOOR/api/whoami
  [nethttp]=http://127.0.0.1:$P_HTTP/api/whoami
  [echo]=http://127.0.0.1:$P_ECHO/api/whoami
  [fiber]=http://127.0.0.1:$P_FIBER/api/whoami
  [django]=http://127.0.0.1:$P_DJANGO/api/whoami
)
for ex in "${EXAMPLES[@]}"; do URL[$ex]=http://127.0.0.1:${P_EX[$ex]}/api/whoami; done
ORDER=(floor nethttp echo fiber "${EXAMPLES[@]}" django)
for name in "${ORDER[@]}"; do
  body=$(curl -fs -H "Cookie: $COOKIE" "${URL[$name]}")
  case $body in
    *'"authenticated": true'*'"username": "demo"'* | *'"authenticated":true'*'"username":"demo"'*) ;;
    *) echo "whoami.sh: $name does not see the login: $body" >&2; exit 1 ;;
  esac
done

declare -A RPS ALL
for name in "${ORDER[@]}"; do
  wrk -t"$THREADS" -c"$CONNECTIONS" -d2s -H "Cookie: $COOKIE" "${URL[$name]}" >/dev/null # warm-up
done
for round in $(seq "$ROUNDS"); do
  # Each round starts one target later, so no target always runs first.
  n=${#ORDER[@]}
  for k in $(seq 0 $((n - 1))); do
    name=${ORDER[$(( (k + round - 1) % n ))]}
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Cookie: $COOKIE" "${URL[$name]}")
    if grep -q "Non-2xx" <<<"$out"; then echo "whoami.sh: $name answered non-2xx:" >&2; echo "$out" >&2; exit 1; fi
    rps=$(awk '/^Requests\/sec:/{print $2}' <<<"$out")
    ALL[$name]+="$rps "
    p50=$(awk '$1=="50%"{print $2}' <<<"$out"); p99=$(awk '$1=="99%"{print $2}' <<<"$out")
    printf 'round %d  %-8s %10.0f req/s   p50 %-9s p99 %s\n' "$round" "$name" "$rps" "$p50" "$p99"
  done
done
for name in "${ORDER[@]}"; do
  RPS[$name]=$(tr ' ' '\n' <<<"${ALL[$name]}" | grep . | sort -g | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}')
done
echo
echo "GET /api/whoami, logged in, PostgreSQL; wrk -t$THREADS -c$CONNECTIONS -d$DURATION, median of $ROUNDS rounds; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); Django $RELEASE under gunicorn -w $WORKERS"
printf '%-8s %12s %10s %10s\n' app "req/s" "× floor" "× django"
for name in "${ORDER[@]}"; do
  awk -v n="$name" -v r="${RPS[$name]}" -v f="${RPS[floor]}" -v d="${RPS[django]}" \
    'BEGIN{printf "%-8s %12.0f %10.2f %10.1f\n", n, r, r/f, r/d}'
done
