#!/usr/bin/env bash
# Consents per second over HTTP: wrk posts new consents to the real `charta serve` with 1, 8 and
# 64 concurrent connections (keep-alive), on SQLite (WAL, synchronous=FULL) and on PostgreSQL
# (fsync on, synchronous_commit on), next to the references measured in the same run on the same
# disk: raw one-row-per-transaction SQLite inserts through the sqlite3 CLI (WAL, synchronous=FULL)
# and pgbench one-row INSERT transactions. Every figure is durable. Not a test: prints a table.
#
#   tests/bench/consent_bench.sh [--charta PATH] [--seconds S] [--clients "1 8 64"] [--no-pg]
#                                [--dir DIR]
#
# --charta   the binary (default: build/default/src/app/charta, else the first build/*/ one)
# --dir      where the databases go (default: a new folder under $TMPDIR or /tmp)
# Needs wrk, sqlite3 and, for PostgreSQL, initdb/pg_ctl/pgbench (Debian: wrk sqlite3
# postgresql). As root, PostgreSQL runs as the "postgres" user.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
charta=""
seconds=5
clients="1 8 64"
pg=1
dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --charta) charta="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    --no-pg) pg=0; shift ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "usage: $0 [--charta PATH] [--seconds S] [--clients \"1 8 64\"] [--no-pg] [--dir DIR]" >&2
       exit 2 ;;
  esac
done
if [ -z "$charta" ]; then
  for c in "$root/build/default/src/app/charta" "$root"/build/*/src/app/charta; do
    if [ -x "$c" ]; then charta="$c"; break; fi
  done
fi
[ -x "$charta" ] || { echo "no charta binary; build first or pass --charta" >&2; exit 1; }
for tool in wrk sqlite3 python3; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install $tool)" >&2; exit 1; }
done
charta="$(cd "$(dirname "$charta")" && pwd)/$(basename "$charta")"

. "$(dirname "$0")/bench_lib.sh"
bench_dir charta-consent-bench
trap bench_cleanup EXIT
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost GIT_COMMITTER_NAME=bench \
  GIT_COMMITTER_EMAIL=bench@localhost

# The policy repository and a token with the site role.
cd "$dir"
"$charta" init >/dev/null
token_json="$("$charta" --json token new --name bench --roles site)"
token="$(printf '%s' "$token_json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
entry="$(printf '%s' "$token_json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["config_entry"])')"

echo "charta: $charta"
echo "data:   $dir ($(df -P "$dir" | awk 'NR==2 {print $1}'), $(nproc) cores); $seconds s per row"
printf '\n%-44s %7s %9s %10s %8s %8s %8s\n' what clients requests "per s" "p50 ms" "p99 ms" failed
printf '%s\n' "$(printf '%.0s-' $(seq 1 100))"

row() {  # what clients requests rps p50 p99 failed
  printf '%-44s %7s %9s %10s %8s %8s %8s\n' "$@"
}

# wrk against a running server on "$port"; prints one row per client count.
run_wrk() {
  local what="$1" port="$2" tag="$3"
  for c in $clients; do
    local t=$(( c < 2 ? 1 : 2 ))
    local out
    out="$(wrk -t"$t" -c"$c" -d"${seconds}s" --timeout 10s -s "$here/consent_bench.lua" \
      "http://127.0.0.1:$port/api/v1/consents" -- "$token" "$tag-c$c-$$" | grep '^BENCH')"
    val() { printf '%s' "$out" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
    row "$what" "$c" "$(val requests)" "$(val rps)" "$(val p50_ms)" "$(val p99_ms)" \
      "$(( $(val not_201) + $(val socket_errors) ))"
  done
}

start_server() {  # ledger uri; sets server_pid and port
  rm -f "$dir/port"
  "$charta" -D server.port=0 -D "server.port_file=$dir/port" -D "auth.tokens=$entry" \
    -D log.access=false -D "ledger.uri=$1" serve >"$dir/serve.out" 2>"$dir/serve.err" &
  server_pid=$!
  for _ in $(seq 1 200); do
    [ -s "$dir/port" ] && break
    sleep 0.05
  done
  [ -s "$dir/port" ] || { cat "$dir/serve.err" >&2; exit 1; }
  port="$(cat "$dir/port")"
}

stop_server() {
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# Raw SQLite: one INSERT per transaction, WAL, synchronous=FULL, on the same disk. The sqlite3
# CLI times each statement (.timer on, 1 ms resolution); a transaction is BEGIN + INSERT + COMMIT.
raw_sqlite() {
  local n=$(( seconds * 1500 ))
  local db="$dir/raw.db"
  rm -f "$db" "$db-wal" "$db-shm"
  {
    echo "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
    echo "CREATE TABLE t (seq INTEGER PRIMARY KEY, id TEXT, subject TEXT, payload TEXT, hash TEXT);"
    echo ".timer on"
    python3 - "$n" <<'PY'
import sys
payload = "p" * 300
for i in range(int(sys.argv[1])):
    print("BEGIN IMMEDIATE;")
    print(f"INSERT INTO t (id, subject, payload, hash) VALUES ('{i}', 'bench-{i}', '{payload}', '{'h' * 64}');")
    print("COMMIT;")
PY
  } >"$dir/raw.sql"
  local start end
  start=$(date +%s.%N)
  sqlite3 -batch "$db" <"$dir/raw.sql" >"$dir/raw.times"
  end=$(date +%s.%N)
  python3 - "$dir/raw.times" "$n" "$start" "$end" <<'PY'
import sys
times = [float(l.split()[3]) for l in open(sys.argv[1]) if l.startswith("Run Time: real")]
txns = [sum(times[i:i + 3]) * 1000 for i in range(0, len(times) - 2, 3)]
txns.sort()
n, secs = int(sys.argv[2]), float(sys.argv[4]) - float(sys.argv[3])
p = lambda q: txns[min(len(txns) - 1, int(q * (len(txns) - 1) + 0.5))]
print(f"{n} {n / secs:.1f} {p(0.5):.2f} {p(0.99):.2f}")
PY
}

read -r n rps p50 p99 <<<"$(raw_sqlite)"
row "raw sqlite3 1 row/txn (WAL, FULL)" 1 "$n" "$rps" "$p50" "$p99" 0
raw_sqlite_rps="$rps"

start_server "sqlite:$dir/consents.db"
run_wrk "charta HTTP, SQLite (WAL, FULL)" "$port" sqlite | tee "$dir/sqlite.rows"
stop_server
sync_setting="$(sqlite3 "$dir/consents.db" 'PRAGMA journal_mode;')"
verify="$("$charta" -D "ledger.uri=sqlite:$dir/consents.db" ledger verify || true)"
echo "  sqlite ledger: journal_mode=$sync_setting; $verify"

if [ "$pg" = 1 ]; then
  if ! have_pg || ! command -v pgbench >/dev/null; then
    echo "no PostgreSQL (initdb, pgbench): skipped; apt-get install postgresql" >&2
    exit 0
  fi
  start_pg -c max_connections=200
  psql_() { psql -X -q -At -h 127.0.0.1 -p "$pg_port" -U charta "$@"; }
  psql_ -d postgres -c "CREATE DATABASE ledger" -c "CREATE DATABASE raw"
  psql_ -d raw -c "CREATE TABLE t (seq BIGSERIAL PRIMARY KEY, id TEXT, subject TEXT, payload TEXT, hash TEXT)"
  cat >"$dir/pgbench.sql" <<'SQL'
INSERT INTO t (id, subject, payload, hash) VALUES (md5(random()::text), 'bench', repeat('p', 300), repeat('h', 64));
SQL
  for c in $clients; do
    j=$(( c < 2 ? 1 : 2 ))
    rm -f "$dir"/pgbench_log.*
    (cd "$dir" && pgbench -n -h 127.0.0.1 -p "$pg_port" -U charta -f "$dir/pgbench.sql" \
      -c "$c" -j "$j" -T "$seconds" -l --log-prefix=pgbench_log raw >"$dir/pgbench.out" 2>&1) ||
      { cat "$dir/pgbench.out" >&2; exit 1; }
    read -r n rps p50 p99 <<<"$(python3 - "$dir" <<'PY'
import glob, sys
lat = []
for f in glob.glob(sys.argv[1] + "/pgbench_log.*"):
    for line in open(f):
        lat.append(int(line.split()[2]) / 1000)  # microseconds -> ms
lat.sort()
out = open(sys.argv[1] + "/pgbench.out").read()
tps = [l for l in out.splitlines() if l.startswith("tps")][0].split()[2]
p = lambda q: lat[min(len(lat) - 1, int(q * (len(lat) - 1) + 0.5))]
print(len(lat), f"{float(tps):.1f}", f"{p(0.5):.2f}", f"{p(0.99):.2f}")
PY
)"
    row "pgbench 1-row INSERT txn" "$c" "$n" "$rps" "$p50" "$p99" 0
  done
  start_server "postgresql://charta@127.0.0.1:$pg_port/ledger"
  run_wrk "charta HTTP, PostgreSQL" "$port" pg
  stop_server
  verify="$("$charta" -D "ledger.uri=postgresql://charta@127.0.0.1:$pg_port/ledger" ledger verify || true)"
  echo "  postgresql ledger: $verify"
fi

best64="$(awk '$0 ~ /SQLite/ && $(NF-5) == 64 {print $(NF-3)}' "$dir/sqlite.rows")"
if [ -n "$best64" ]; then
  python3 -c "print(f'charta HTTP on SQLite at 64 clients = {float(\"$best64\") / float(\"$raw_sqlite_rps\"):.1f}x the raw 1-row/txn SQLite rate')"
fi
