#!/usr/bin/env bash
# The soak benchmark: a mixed load on the real `charta serve` for a while, judged.
#
#   tests/bench/soak.sh [SECONDS] [--charta PATH] [--connections N] [--window S] [--pg]
#                       [--no-sqlite] [--json FILE] [--dir DIR]
#
# SECONDS      how long the load runs (default 20; the long form is 600)
# --charta     the binary (default build/default/src/app/charta, built when missing)
# --pg         run a second time on a throwaway PostgreSQL ledger (needs initdb, pg_ctl)
# --no-sqlite  skip the SQLite run (with --pg: PostgreSQL only)
# --json       where the report of the (last) run goes (default DIR/soak-<backend>.json)
# --dir        working folder (default: a new folder under $TMPDIR or /tmp, removed at the end)
#
# It builds the load generator (tests/bench/soak_load.cpp, one file, standard library only) with
# the system compiler, makes a policy repository with `charta init` and a token of role site, starts
# `charta serve` (SQLite ledger, 32 threads, access log off) and runs soak_load with 64 keep-alive
# connections: the page /personal-data, `current` with If-None-Match, consent writes and consent
# status reads (see soak_load.cpp for the mix). Every window it prints requests/s by kind, errors,
# p50/p99 and the server's RSS. Then it judges, and exits non-zero when a rule is broken:
#   1. no errors: every answer is the expected status (200, 304 for `current`, 201 for consents),
#      no socket error, no malformed answer;
#   2. RSS at the end <= RSS at start (after startup, before the load) + 64 MiB: what the server
#      keeps by design whatever the number of requests. Its parts: the SQLite page cache of the
#      writer and the 4 reader connections (5 x 2 MiB, SQLite's default cache_size), the pages of
#      the 32 worker threads' stacks that were touched, glibc's per-thread malloc arenas (up to
#      8 per core) each keeping its freed chunks, the rendered-page and text caches (a few
#      editions x ~30 KiB) and the metrics maps (bounded by routes x statuses). Measured on the
#      development machine: +9 to +16 MiB. A leak of 100 bytes per request breaks this bound in a
#      20 s run and one of 10 bytes in the 10-minute run;
#   3. no steady growth: RSS at the end <= RSS after the first window + 16 MiB (the caches above
#      are warm after the first window; what grows after that grows with the requests);
#   4. the ledger verifies (`charta ledger verify`) and holds at least as many events as consents
#      were acknowledged.
# p50/p99 are printed, not judged: they depend on the machine and on what else runs on it.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds=20
charta=""
connections=64
window=10
pg=0
sqlite=1
json=""
dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --charta) charta="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --window) window="$2"; shift 2 ;;
    --pg) pg=1; shift ;;
    --no-sqlite) sqlite=0; shift ;;
    --json) json="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    [0-9]*) seconds="$1"; shift ;;
    *) echo "usage: $0 [SECONDS] [--charta PATH] [--connections N] [--window S] [--pg] [--no-sqlite] [--json FILE] [--dir DIR]" >&2
       exit 2 ;;
  esac
done
for tool in python3 git; do
  command -v "$tool" >/dev/null || { echo "$tool is missing (apt-get install $tool)" >&2; exit 1; }
done

if [ -z "$charta" ]; then
  charta="$root/build/default/src/app/charta"
  if [ ! -x "$charta" ]; then
    (cd "$root" && cmake --preset default >/dev/null && cmake --build --preset default --target charta)
  fi
fi
[ -x "$charta" ] || { echo "no charta binary at $charta" >&2; exit 1; }
charta="$(cd "$(dirname "$charta")" && pwd)/$(basename "$charta")"

# The load generator: one file, rebuilt when its source is newer.
gen_dir="$(dirname "$(dirname "$(dirname "$charta")")")/bench"
mkdir -p "$gen_dir"
gen="$gen_dir/soak_load"
if [ ! -x "$gen" ] || [ "$here/soak_load.cpp" -nt "$gen" ]; then
  cxx="${CXX:-g++}"
  launcher=""
  command -v ccache >/dev/null && launcher=ccache
  $launcher "$cxx" -std=c++20 -O2 -Wall -Wextra -Wpedantic -Wshadow -Werror -pthread \
    "$here/soak_load.cpp" -o "$gen"
fi

. "$here/bench_lib.sh"
bench_dir charta-soak
trap bench_cleanup EXIT
export GIT_AUTHOR_NAME=soak GIT_AUTHOR_EMAIL=soak@localhost GIT_COMMITTER_NAME=soak \
  GIT_COMMITTER_EMAIL=soak@localhost

cd "$dir"
"$charta" init >/dev/null
token_json="$("$charta" --json token new --name soak --roles site)"
token="$(printf '%s' "$token_json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"
entry="$(printf '%s' "$token_json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["config_entry"])')"

failed=0

# One run: start the server on ledger "$1", load it, stop it, judge. "$2" names the backend.
soak() {
  local uri="$1" backend="$2"
  local report="${json:-$dir/soak-$backend.json}"
  rm -f "$dir/port"
  "$charta" -D server.port=0 -D "server.port_file=$dir/port" -D "auth.tokens=$entry" \
    -D log.access=false -D "ledger.uri=$uri" serve >"$dir/serve-$backend.out" \
    2>"$dir/serve-$backend.err" &
  server_pid=$!
  for _ in $(seq 1 200); do
    [ -s "$dir/port" ] && break
    sleep 0.05
  done
  [ -s "$dir/port" ] || { cat "$dir/serve-$backend.err" >&2; exit 1; }
  local port
  port="$(cat "$dir/port")"
  echo "== soak on $backend: $seconds s, $connections connections; load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
  "$gen" --port "$port" --token "$token" --pid "$server_pid" --seconds "$seconds" \
    --window "$window" --connections "$connections" --threads 4 --tag "soak-$backend-$$" \
    --json "$report"
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  kill "$server_pid"
  local rc=0
  wait "$server_pid" || rc=$?
  server_pid=""
  [ "$rc" = 0 ] || { echo "FAIL: charta serve exited $rc after SIGTERM" >&2; failed=1; }
  local verify
  verify="$("$charta" --json -D "ledger.uri=$uri" ledger verify)" || {
    echo "FAIL: ledger verify: $verify" >&2
    failed=1
  }
  python3 - "$report" "$verify" <<'PY' || failed=1
import json, sys
r = json.load(open(sys.argv[1]))
v = json.loads(sys.argv[2]) if sys.argv[2].strip() else {"ok": False, "checked": 0}
kib = 1024
start, end = r["rss_kib_start"], r["rss_kib_end"]
warm = r["windows"][0]["rss_kib"] if r["windows"] else start
consents = r["kinds"]["consent"]["requests"]
rules = [
    ("no errors", r["errors"] == 0, f'{r["errors"]} errors of {r["requests"]} requests {r["error_kinds"]}'),
    ("RSS at end <= start + 64 MiB", end <= start + 64 * kib,
     f"start {start} KiB, end {end} KiB (+{(end - start) / kib:.1f} MiB)"),
    ("RSS at end <= first window + 16 MiB", end <= warm + 16 * kib,
     f"first window {warm} KiB, end {end} KiB (+{(end - warm) / kib:.1f} MiB)"),
    ("ledger verifies and holds every consent", v.get("ok") is True and v.get("checked", 0) >= consents,
     f'ok={v.get("ok")}, {v.get("checked")} events, {consents} consents acknowledged'),
]
bad = 0
for name, ok, detail in rules:
    print(f'{"ok  " if ok else "FAIL"} {name}: {detail}')
    bad += not ok
print(f'p50 {r["p50_ms"]} ms, p99 {r["p99_ms"]} ms, p99.9 {r["p999_ms"]} ms, {r["rps"]} requests/s')
sys.exit(1 if bad else 0)
PY
}

if [ "$sqlite" = 1 ]; then soak "sqlite:$dir/consents.db" sqlite; fi

if [ "$pg" = 1 ]; then
  start_pg
  psql -X -q -h 127.0.0.1 -p "$pg_port" -U charta -d postgres -c "CREATE DATABASE ledger"
  soak "postgresql://charta@127.0.0.1:$pg_port/ledger" postgresql
fi

if [ "$failed" != 0 ]; then
  echo "soak: FAILED" >&2
  exit 1
fi
echo "soak: passed"
