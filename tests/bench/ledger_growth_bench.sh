#!/usr/bin/env bash
# The consent ledger at scale (not a test): fills a SQLite and a PostgreSQL ledger to --events
# consents (tests/bench/ledger_fill, the ledger's own batch writer in large transactions), then
# measures, each next to a reference taken in the same run:
#
#   verify (full)         `charta ledger verify`, events/s and max RSS; reference: the database's
#                         own client reading every event's bytes and hashing them
#   verify since anchor   `charta ledger verify --since-anchor` after `charta ledger anchor` and
#                         --tail more events; reference: that client on the same new rows
#   status / export p99   wrk on GET /api/v1/subjects/{subject}/status and /export of random
#                         subjects of the fill; reference: GET /livez of the same server, same load
#   evidence bundle       GET /api/v1/consents/{id}/evidence of an event in the middle of the log
#                         (an anchor holds it); reference: GET /api/v1/consents/{id} of it
#   database size         bytes on disk (SQLite: the file and its WAL; PostgreSQL:
#                         pg_database_size), and per event
#
#   tests/bench/ledger_growth_bench.sh [--events N] [--tail N] [--subjects N] [--seconds S]
#       [--no-pg] [--no-sqlite] [--dir DIR] [--sqlite-db FILE] [--pg-uri URI] [--charta PATH]
#       [--fill PATH]
#
# --events     the size of each ledger (default 1000000; 10000000 for the issue's figure)
# --tail       events appended after the anchor for --since-anchor (default 10000)
# --subjects   distinct subjects of the fill (default events / 10)
# --sqlite-db, --pg-uri  an existing ledger to grow to --events (and keep) instead of a new one;
#              give the --dir of the run that made it (its policy repository chained v1)
# Configure with -DCHARTA_BENCH=ON and build charta and ledger_fill first. Prints one line per
# figure and, last, "ROW" lines: what charta-figure reference-figure unit.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
charta="$root/build/default/src/app/charta"
fill="$root/build/default/tests/bench/ledger_fill"
events=1000000
tail_events=10000
subjects=""
seconds=10
sqlite=1
pg=1
dir=""
sqlite_db=""
pg_uri=""
while [ $# -gt 0 ]; do
  case "$1" in
    --events) events="$2"; shift 2 ;;
    --tail) tail_events="$2"; shift 2 ;;
    --subjects) subjects="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --no-pg) pg=0; shift ;;
    --no-sqlite) sqlite=0; shift ;;
    --dir) dir="$2"; shift 2 ;;
    --sqlite-db) sqlite_db="$2"; shift 2 ;;
    --pg-uri) pg_uri="$2"; shift 2 ;;
    --charta) charta="$2"; shift 2 ;;
    --fill) fill="$2"; shift 2 ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2; exit 2 ;;
  esac
done
subjects="${subjects:-$(( events / 10 > 0 ? events / 10 : 1 ))}"
for b in "$charta" "$fill"; do
  [ -x "$b" ] || { echo "ledger_growth_bench: no $b (build it first)" >&2; exit 1; }
done
for tool in sqlite3 wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "ledger_growth_bench: $tool is missing" >&2; exit 1; }
done
charta="$(cd "$(dirname "$charta")" && pwd)/$(basename "$charta")"
. "$here/bench_lib.sh"
bench_dir charta-growth-bench
trap bench_cleanup EXIT
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost GIT_COMMITTER_NAME=bench \
  GIT_COMMITTER_EMAIL=bench@localhost

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "ledger_growth_bench: $events events, $(nproc) cores, load average $(load)"
: >"$dir/rows"
row() { echo "ROW $*" >>"$dir/rows"; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / (s > 0 ? s : 0.001) }'; }

# seconds and max RSS (KiB) of one command, run in $dir/site; its output goes to $dir/last.out
timed() {
  (cd "$dir/site" && /usr/bin/time -f "%e %M" -o "$dir/time.txt" "$@" >"$dir/last.out" 2>&1) ||
    { cat "$dir/last.out" >&2; return 1; }
  cat "$dir/time.txt"
}

# The policy repository (anchors go to it) and the tokens, once. A ledger grown again (--sqlite-db,
# --pg-uri) needs the repository it was measured with: pass the same --dir.
mkdir -p "$dir/site"
[ -d "$dir/site/var/policies.git" ] || (cd "$dir/site" && "$charta" init >/dev/null)
token_of() {  # name roles -> "token entry"
  "$charta" --json token new --name "$1" --roles "$2" |
    python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["token"], o["config_entry"])'
}
read -r site_token site_entry <<<"$(token_of bench-site site)"
read -r audit_token audit_entry <<<"$(token_of bench-audit auditor)"

start_server() {  # ledger uri; sets server_pid and port
  rm -f "$dir/port"
  (cd "$dir/site" && exec "$charta" -D server.port=0 -D "server.port_file=$dir/port" \
    -D "auth.tokens=$site_entry;$audit_entry" -D log.access=false -D "ledger.uri=$1" serve \
    >"$dir/serve.out" 2>"$dir/serve.err") &
  server_pid=$!
  for _ in $(seq 1 600); do
    [ -s "$dir/port" ] && break
    sleep 0.1
  done
  [ -s "$dir/port" ] || { cat "$dir/serve.err" >&2; exit 1; }
  port="$(cat "$dir/port")"
}
stop_server() {
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# Starts and stops the server on ledger "uri" once it has chained an edition (the rest of the
# arguments: the database's client command).
chain_editions() {
  local uri=$1
  shift
  start_server "$uri"
  for _ in $(seq 1 600); do
    [ "$("$@" "SELECT count(*) FROM events WHERE kind = 'edition.published'" 2>/dev/null |
      tr -d ' \r')" = 1 ] && break
    sleep 0.1
  done
  stop_server
}

# p99 and rate of wrk on "path prefix suffix" with "token"; prints "p99_ms rps not_200"
wrk_read() {
  local token=$1 suffix=$2 out
  out="$(wrk -t2 -c8 -d"${seconds}s" --timeout 10s -s "$here/subject_read.lua" \
    "http://127.0.0.1:$port" -- "$token" "$subjects" "$suffix" | grep '^BENCH')"
  val() { printf '%s' "$out" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
  echo "$(val p99_ms) $(val rps) $(val not_200)"
}
wrk_livez() {
  wrk -t2 -c8 -d"${seconds}s" --latency "http://127.0.0.1:$port/livez" |
    awk '$1 == "99%" { v = $2; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 }
                       else if (v ~ /ms$/) { sub(/ms$/, "", v) }
                       else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 }
                       printf "%.2f", v }'
}
# The median of three timed GETs (seconds) of "path" with "token".
get_time() {
  local out
  out="$(for _ in 1 2 3; do
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $1" \
      "http://127.0.0.1:$port$2"
  done)"
  if grep -qv '^200 ' <<<"$out"; then echo failed; return; fi
  cut -d' ' -f2 <<<"$out" | sort -n | sed -n 2p
}

# backend uri size-command reference-sql-prefix: the whole measurement of one ledger
measure() {
  local backend=$1 uri=$2 size_cmd=$3
  shift 3
  local have
  have="$("$@" "SELECT seq FROM chain_head" 2>/dev/null | tr -d ' \r' || true)"
  have="${have:-0}"
  # The consents that ledger_fill appends cite v1 of personal-data once it is chained (so that
  # they have evidence bundles): the server chains it at start.
  [ "$have" = 0 ] && chain_editions "$uri" "$@"
  if [ "$have" -lt "$events" ]; then
    "$fill" --uri "$uri" --events $(( events - have )) --subjects "$subjects" --batch 50000 |
      sed "s/^/  $backend fill: /"
  fi
  local n
  n="$("$@" "SELECT seq FROM chain_head" | tr -d ' \r')"

  # Full verify, and the reference on the same rows.
  read -r vs vrss <<<"$(timed "$charta" -D "ledger.uri=$uri" ledger verify)"
  grep "^ledger" "$dir/last.out" | sed "s/^/  $backend /"
  read -r rs _ <<<"$(timed "$@" "SELECT count($hash_fn) FROM events")"
  echo "  $backend verify $n events: $vs s = $(rate "$n" "$vs") events/s, max RSS" \
    "$(( vrss / 1024 )) MiB; reference ($(basename "$1") read + hash) $rs s =" \
    "$(rate "$n" "$rs") events/s; load $(load)"
  row "verify-$backend $n $(rate "$n" "$vs") $(rate "$n" "$rs") events/s rss=$(( vrss / 1024 ))MiB"

  # Since the latest anchor: anchor now, append --tail events, verify only those.
  chain_editions "$uri" "$@"
  (cd "$dir/site" && "$charta" -D "ledger.uri=$uri" ledger anchor >/dev/null)
  "$fill" --uri "$uri" --events "$tail_events" --subjects "$subjects" --batch 50000 >/dev/null
  read -r ss _ <<<"$(timed "$charta" -D "ledger.uri=$uri" ledger verify --since-anchor)"
  grep "^ledger" "$dir/last.out" | sed "s/^/  $backend /"
  read -r rss_ _ <<<"$(timed "$@" "SELECT count($hash_fn) FROM events WHERE seq > $n")"
  echo "  $backend verify --since-anchor ($tail_events new of $(( n + tail_events ))): $ss s;" \
    "reference ($(basename "$1") read + hash of those) $rss_ s; full walk $vs s; load $(load)"
  row "verify-since-anchor-$backend $(( n + tail_events )) ${ss} ${rss_} seconds full=${vs}s"

  # Reads over HTTP.
  start_server "$uri"
  local live status export
  live="$(wrk_livez)"
  status="$(wrk_read "$site_token" "/status?document=personal-data")"
  export="$(wrk_read "$audit_token" "/export")"
  echo "  $backend GET status p99 $(cut -d' ' -f1 <<<"$status") ms ($(cut -d' ' -f2 <<<"$status")/s," \
    "$(cut -d' ' -f3 <<<"$status") not 200), export p99 $(cut -d' ' -f1 <<<"$export") ms" \
    "($(cut -d' ' -f2 <<<"$export")/s, $(cut -d' ' -f3 <<<"$export") not 200);" \
    "reference GET /livez p99 $live ms; 8 connections; load $(load)"
  row "status-p99-$backend $(( n + tail_events )) $(cut -d' ' -f1 <<<"$status") $live ms"
  row "export-p99-$backend $(( n + tail_events )) $(cut -d' ' -f1 <<<"$export") $live ms"

  # The evidence bundle of an event in the middle of those that cite v1 (the server's anchor at
  # start holds it).
  local id bundle receipt pub mid
  pub="$("$@" "SELECT min(seq) FROM events WHERE kind = 'edition.published'" | tr -d ' \r')"
  mid=$(( (pub + n + tail_events) / 2 ))
  id="$("$@" "SELECT id FROM events WHERE seq = $mid" | tr -d ' \r')"
  bundle="$(get_time "$audit_token" "/api/v1/consents/$id/evidence")"
  receipt="$(get_time "$audit_token" "/api/v1/consents/$id")"
  echo "  $backend evidence bundle of seq $mid: $bundle s; reference (its receipt)" \
    "$receipt s; load $(load)"
  row "evidence-bundle-$backend $(( n + tail_events )) $bundle $receipt seconds"
  stop_server

  local bytes
  bytes="$(eval "$size_cmd")"
  echo "  $backend database: $(( bytes / 1048576 )) MiB," \
    "$(( bytes / (n + tail_events) )) bytes per event"
  row "db-size-$backend $(( n + tail_events )) $bytes - bytes"
}

if [ "$sqlite" = 1 ]; then
  db="${sqlite_db:-$dir/ledger.db}"
  hash_fn="sha3(bytes, 256)"
  sqlite_size() {
    local s=0 f
    for f in "$db" "$db-wal"; do [ -f "$f" ] && s=$(( s + $(stat -c %s "$f") )); done
    echo "$s"
  }
  measure sqlite "sqlite:$db" sqlite_size sqlite3 -readonly "$db"
fi
if [ "$pg" = 1 ]; then
  if [ -z "$pg_uri" ]; then
    if have_pg; then
      start_pg -c shared_buffers=256MB -c max_wal_size=4GB
      psql -X -q -h 127.0.0.1 -p "$pg_port" -U charta -d postgres -c "CREATE DATABASE ledger"
      pg_uri="postgresql://charta@127.0.0.1:$pg_port/ledger"
    else
      echo "ledger_growth_bench: no PostgreSQL (apt-get install postgresql): skipped" >&2
    fi
  fi
  if [ -n "$pg_uri" ]; then
    hash_fn="sha256(bytes)"
    measure postgresql "$pg_uri" "psql -X -q -At '$pg_uri' -c 'SELECT pg_database_size(current_database())'" \
      psql -X -q -At "$pg_uri" -c
  fi
fi
echo "load average at the end: $(load)"
cat "$dir/rows"
