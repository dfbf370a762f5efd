#!/usr/bin/env bash
# Every benchmark of the README's Performance section, in one run on this machine, and the
# table's rows (Markdown) at the end: each figure next to its reference measured in the same run.
# Not a test (CI runs no timed assertions). Takes about 5 minutes with the defaults.
#
#   tests/bench/run_all.sh [--charta PATH] [--quick] [--events N] [--no-pg] [--out FILE]
#                          [--growth-dir DIR] [--editions N]
#
# --quick      shorter runs (3 s per row, 100,000 events to verify, 20 editions): a smoke test
# --events     the ledger size verify_bench.sh fills and verifies (default 1,000,000)
# --editions   the editions growth_bench.sh publishes (default 100; each is a commit and a
#              `charta publish`, about 40 a minute)
# --growth-dir a repository growth_bench.sh made before (kept): measured at its size, plus one
# --out        also writes the rows to FILE
# Needs what the scripts need: wrk, nginx, node, curl, sqlite3, python3, PostgreSQL (initdb,
# pgbench, psql), and a build configured with -DCHARTA_BENCH=ON (targets charta, ledger_fill).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
charta="$root/build/default/src/app/charta"
seconds=8
events=1000000
pg=1
out=""
editions=100
growth_dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --charta) charta="$2"; shift 2 ;;
    --quick) seconds=3; events=100000; editions=20; shift ;;
    --editions) editions="$2"; shift 2 ;;
    --growth-dir) growth_dir="$2"; shift 2 ;;
    --events) events="$2"; shift 2 ;;
    --no-pg) pg=0; shift ;;
    --out) out="$2"; shift 2 ;;
    *) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done
charta="$(realpath "$charta")"
fill="$(dirname "$charta")/../../tests/bench/ledger_fill"  # the build tree's
[ -x "$fill" ] || fill="$(dirname "$charta")/ledger_fill"  # or beside the binary
logs="$(mktemp -d "${TMPDIR:-/tmp}/charta-bench-all-XXXXXX")"
trap 'rm -rf "$logs"' EXIT
machine="$(nproc) cores $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo | tr -s ' ')"
day="$(date -u +%Y-%m-%d)"
pgflag=(); [ "$pg" = 1 ] || pgflag=(--no-pg)

step() { echo "== $1 (load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2; }
step "page: charta and nginx serving the same bytes"
"$here/page_bench.sh" --charta "$charta" --duration "$seconds" --out "$logs/page.md" 2>&1 |
  tee "$logs/page.txt" >&2
step "idle keep-alive connections"
"$here/idle_bench.sh" --charta "$charta" --duration "$seconds" 2>&1 | tee "$logs/idle.txt" >&2
step "consents over HTTP next to raw inserts"
consent_pg=(); [ "$pg" = 1 ] || consent_pg=(--no-pg)
"$here/consent_bench.sh" --charta "$charta" --seconds "$seconds" --clients "1 64" \
  "${consent_pg[@]}" 2>&1 | tee "$logs/consent.txt" >&2
step "ledger verify"
"$here/verify_bench.sh" --charta "$charta" --fill "$fill" --events "$events" "${pgflag[@]}" 2>&1 |
  tee "$logs/verify.txt" >&2
step "in-force lookup at 10, 1,000 and 100,000 editions"
inforce="$(dirname "$charta")/../../tests/bench/inforce_bench"
[ -x "$inforce" ] || inforce="$(dirname "$charta")/inforce_bench"
"$inforce" 2>&1 | tee "$logs/inforce.txt" >&2
step "growth of editions"
if [ -n "$growth_dir" ]; then
  have=$(git -C "$growth_dir/home/var/policies.git" tag -l "personal-data/*" | wc -l)
  growth=(--dir "$growth_dir" --editions "$(( have + 1 ))" --checkpoints "$(( have + 1 ))")
else
  growth=(--editions "$editions" --checkpoints "$editions")
fi
"$here/growth_bench.sh" --charta "$charta" "${growth[@]}" 2>&1 | tee "$logs/growth.txt" >&2

# --- the rows --------------------------------------------------------------------------------
page_cell() {  # server label, column (2 requests/s, 5 p99 ms)
  awk -F'|' -v s="$1" -v c="$2" '{ gsub(/^ +| +$/, "", $2) } $2 == s { gsub(/ /, "", $(c + 1)); print $(c + 1) }' \
    "$logs/page.md"
}
consent_cell() {  # label prefix, clients, field from the end (3 per s, 1 p99 ms)
  awk -v s="$1" -v c="$2" -v f="$3" 'index($0, s) == 1 && $(NF - 5) == c { print $(NF - f) }' \
    "$logs/consent.txt"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "–"; else printf "%.2f×", a / b }'; }
row() {  # what, charta figure, reference figure, ratio, target, command
  printf '| %s | %s | %s | %s | %s | %s | %s | `%s` |\n' "$1" "$machine" "$day" "$2" "$3" "$4" "$5" "$6"
}
rows="$logs/rows.md"
{
  echo "| what | machine | date (UTC) | charta | reference (same run) | ratio | target | command |"
  echo "|---|---|---|---:|---:|---:|---:|---|"
  c=$(page_cell "charta (no access log)" 2); n=$(page_cell "nginx (no access log)" 2)
  row "page /personal-data, wrk 64 keep-alive, requests/s" "$c" "nginx (sendfile, open_file_cache) $n" \
    "$(ratio "$c" "$n")" "≥ 0.9×" "tests/bench/page_bench.sh"
  c=$(page_cell "charta (no access log)" 5); n=$(page_cell "nginx (no access log)" 5)
  row "page p99 ms" "$c" "nginx $n" "$(ratio "$c" "$n")" "≤ 1.2×" "tests/bench/page_bench.sh"
  read -r _ _ idle with alone fall rss0 _ rssIdle < <(grep '^ROW idle' "$logs/idle.txt")
  row "page requests/s with $idle idle keep-alive connections (RSS $rss0 → $rssIdle MiB)" "$with" \
    "without them $alone" "$fall×" "≥ 0.9×" "tests/bench/idle_bench.sh"
  page_rps=$(page_cell "charta (no access log)" 2)
  if [ "$pg" = 1 ]; then
    for c in 64 1; do
      a=$(consent_cell "charta HTTP, PostgreSQL" "$c" 3); b=$(consent_cell "pgbench 1-row" "$c" 3)
      p=$(consent_cell "charta HTTP, PostgreSQL" "$c" 1)
      t="≥ 1.5×, p99 ≤ 50 ms"; [ "$c" = 1 ] && t="≥ 0.5×"
      row "consents/s over HTTP, PostgreSQL, $c client(s) (p99 $p ms)" "$a" "pgbench 1-row INSERT $b" \
        "$(ratio "$a" "$b")" "$t" "tests/bench/consent_bench.sh"
    done
  fi
  a=$(consent_cell "charta HTTP, SQLite" 64 3); b=$(consent_cell "raw sqlite3 1 row" 1 3)
  row "consents/s over HTTP, SQLite, 64 clients" "$a" "raw sqlite3 1 row/txn $b" "$(ratio "$a" "$b")" \
    "≥ 3×" "tests/bench/consent_bench.sh"
  row "consents/s over HTTP, SQLite, 64 clients, to the page rate" "$a" "page $page_rps" \
    "$(ratio "$a" "$page_rps")" "≥ 0.4×" "tests/bench/consent_bench.sh + page_bench.sh"
  while read -r _ what n rate ref rss; do
    row "ledger verify, ${what#verify-}, $n events (max RSS $rss MiB), events/s" "$rate" \
      "read + hash every event's bytes $ref" "$(ratio "$rate" "$ref")" "≥ 500,000/s" \
      "tests/bench/verify_bench.sh"
  done < <(grep '^ROW verify' "$logs/verify.txt")
  while read -r _ _ n lookup _ linear; do
    row "in-force lookup (core::Timeline::inForceAt), $n editions, ns" "$lookup" \
      "linear scan $linear" "1/$(ratio "$linear" "$lookup")" "O(log n)" "tests/bench/inforce_bench"
  done < <(grep '^ROW inforce' "$logs/inforce.txt")
  read -r _ _ n inf first ab fb rss fresh pages rss2 < <(grep '^ROW growth' "$logs/growth.txt" | tail -1)
  row "$n editions × 2 languages: \`charta in-force\` ms" "$inf" "–" "–" "–" \
    "tests/bench/growth_bench.sh"
  row "$n editions: serve start to first page ms (RSS $rss MiB)" "$first" "–" "–" "–" \
    "tests/bench/growth_bench.sh"
  row "$n editions: archive page / Atom feed bytes" "$ab / $fb" "–" "–" "bounded" \
    "tests/bench/growth_bench.sh"
  row "$n editions: a publication by another process to its page served, ms (poll 20 ms)" \
    "$fresh" "–" "–" "O(changed)" "tests/bench/growth_bench.sh"
  row "$n editions: RSS after $pages distinct pages, MiB (page cache 64 MiB)" "$rss2" "–" "–" \
    "bounded" "tests/bench/growth_bench.sh"
} >"$rows"
echo
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$rows"
[ -z "$out" ] || cp "$rows" "$out"
