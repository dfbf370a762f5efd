#!/usr/bin/env bash
# Ledger verification rate and memory (not a test): fills a SQLite and a PostgreSQL consent
# ledger with generated consents (tests/bench/ledger_fill: the ledger's own batch writer in large
# transactions), then times `charta ledger verify` at two sizes (to show its memory does not grow
# with the ledger) next to the reference measured in the same run on the same rows: the
# database's own client reading every event's bytes and hashing them (sqlite3 CLI: sha3(bytes);
# psql: sha256(bytes)).
#
#   tests/bench/verify_bench.sh [--charta PATH] [--fill PATH] [--events N] [--no-pg] [--dir DIR]
#
# --events  the larger size (default 1000000); the smaller is a tenth of it
# --fill    the ledger_fill binary (default: build/default/tests/bench/ledger_fill; configure
#           with -DCHARTA_BENCH=ON and build the target ledger_fill)
# Prints one line per measurement and, last, "ROW" lines for tests/bench/run_all.sh.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
charta="$root/build/default/src/app/charta"
fill="$root/build/default/tests/bench/ledger_fill"
events=1000000
pg=1
dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --charta) charta="$2"; shift 2 ;;
    --fill) fill="$2"; shift 2 ;;
    --events) events="$2"; shift 2 ;;
    --no-pg) pg=0; shift ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "usage: $0 [--charta PATH] [--fill PATH] [--events N] [--no-pg] [--dir DIR]" >&2
       exit 2 ;;
  esac
done
for b in "$charta" "$fill"; do
  [ -x "$b" ] || { echo "verify_bench: no $b (build it first)" >&2; exit 1; }
done
command -v sqlite3 >/dev/null || { echo "verify_bench: sqlite3 is missing" >&2; exit 1; }
. "$here/bench_lib.sh"
bench_dir charta-verify-bench
trap bench_cleanup EXIT

small=$(( events / 10 ))
echo "verify_bench: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# seconds and max RSS (KiB) of one command; its output goes to $dir/last.out
timed() {
  /usr/bin/time -f "%e %M" -o "$dir/time.txt" "$@" >"$dir/last.out" 2>&1 ||
    { cat "$dir/last.out" >&2; return 1; }
  cat "$dir/time.txt"
}

# backend uri reference-command...: fills to $small then $events, verifies and references at both
measure() {
  local backend=$1 uri=$2
  shift 2
  local have=0
  for n in "$small" "$events"; do
    "$fill" --uri "$uri" --events $(( n - have )) | sed "s/^/  $backend fill: /"
    have=$n
    read -r vs vrss <<<"$(timed "$charta" -D "ledger.uri=$uri" ledger verify)"
    grep -q "ledger ok: $n events" "$dir/last.out" || { cat "$dir/last.out" >&2; exit 1; }
    read -r rs _ <<<"$(timed "$@")"
    local rate ref
    rate=$(awk -v n="$n" -v s="$vs" 'BEGIN { printf "%.0f", n / (s > 0 ? s : 0.01) }')
    ref=$(awk -v n="$n" -v s="$rs" 'BEGIN { printf "%.0f", n / (s > 0 ? s : 0.01) }')
    echo "  $backend verify $n events: $vs s = $rate events/s, max RSS $(( vrss / 1024 )) MiB;" \
      "reference ($(basename "$1") read + hash) $rs s = $ref events/s"
    echo "ROW verify-$backend $n $rate $ref $(( vrss / 1024 ))" >>"$dir/rows"
  done
}

: >"$dir/rows"
db="$dir/verify.db"
measure sqlite "sqlite:$db" sqlite3 "$db" "SELECT count(sha3(bytes, 256)) FROM events"

if [ "$pg" = 1 ]; then
  if have_pg; then
    start_pg -c max_connections=300
    psql -X -q -h 127.0.0.1 -p "$pg_port" -U charta -d postgres -c "CREATE DATABASE ledger"
    measure postgresql "postgresql://charta@127.0.0.1:$pg_port/ledger" \
      psql -X -q -At -h 127.0.0.1 -p "$pg_port" -U charta -d ledger \
      -c "SELECT count(sha256(bytes)) FROM events"
  else
    echo "verify_bench: no PostgreSQL (apt-get install postgresql): skipped" >&2
  fi
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$dir/rows"
