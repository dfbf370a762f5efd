#!/usr/bin/env bash
# The evidence bundle of one consent in a large ledger (not a test): fills a SQLite ledger with N
# generated consents (tests/bench/ledger_fill), records one real consent over HTTP to the seed's
# v1 naming the page it was shown, then times GET /api/v1/consents/{id}/evidence (the first call
# writes the anchor of the N + 2 events first, the second finds it), `charta evidence` and the
# bundle's own `sh verify.sh`, and prints the bundle's size.
#
#   tests/bench/evidence_bench.sh [--charta PATH] [--fill PATH] [--events N] [--dir DIR]
#
# --events  generated consents before the real one (default 1000000)
# --fill    the ledger_fill binary (configure with -DCHARTA_BENCH=ON, build target ledger_fill)
# --dir     work there; a var/consents.db already in it is used as it is (filled earlier)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
charta="$root/build/default/src/app/charta"
fill="$root/build/default/tests/bench/ledger_fill"
events=1000000
dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --charta) charta="$2"; shift 2 ;;
    --fill) fill="$2"; shift 2 ;;
    --events) events="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "usage: $0 [--charta PATH] [--fill PATH] [--events N] [--dir DIR]" >&2; exit 2 ;;
  esac
done
for b in "$charta" "$fill"; do
  [ -x "$b" ] || { echo "evidence_bench: no $b (build it first)" >&2; exit 1; }
done
. "$here/bench_lib.sh"
bench_dir charta-evidence-bench
trap bench_cleanup EXIT
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost GIT_COMMITTER_NAME=bench \
  GIT_COMMITTER_EMAIL=bench@localhost
echo "evidence_bench: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

cd "$dir"
[ -d var/policies.git ] || "$charta" init >/dev/null
uri="sqlite:$dir/var/consents.db"
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
token_json="$("$charta" --json token new --name bench --roles site+auditor)"
token="$(printf '%s' "$token_json" | json '["token"]')"
entry="$(printf '%s' "$token_json" | json '["config_entry"]')"
if [ -s "$dir/var/consents.db" ]; then  # filled before (--dir): reused as it is
  echo "fill: reusing $dir/var/consents.db"
else
  start=$(date +%s.%N)
  "$fill" --uri "$uri" --events "$events" | sed 's/^/fill: /'
  echo "fill: $(echo "$(date +%s.%N) - $start" | bc) s"
fi

"$charta" -D server.port=0 -D "server.port_file=$dir/port" -D "auth.tokens=$entry" \
  -D log.access=false -D "ledger.uri=$uri" serve >"$dir/serve.out" 2>"$dir/serve.err" &
server_pid=$!
for _ in $(seq 1 600); do
  [ -s "$dir/port" ] && curl -fs "http://127.0.0.1:$(cat "$dir/port")/readyz" >/dev/null && break
  sleep 0.1
done
port="$(cat "$dir/port")"
base="http://127.0.0.1:$port"
page_sha="$(curl -fs "$base/personal-data/v1" | sha256sum | cut -d' ' -f1)"
id="$(curl -fs -X POST "$base/api/v1/consents" -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' \
  -d '{"subject":"bench-subject","document":"personal-data","edition":"v1","language":"ru",
       "purposes":["marketing"],"collection_method":"web-form","page_sha256":"'"$page_sha"'",
       "evidence":{"user_agent":"Mozilla/5.0"}}' | json '["record_id"]')"
seq="$(curl -fs "$base/api/v1/consents/$id" -H "Authorization: Bearer $token" |
  json '["chain"]["seq"]')"
echo "consent $id at seq $seq"

fetch() {  # file: prints the seconds GET .../evidence took
  curl -fs -o "$1" -w '%{time_total}\n' "$base/api/v1/consents/$id/evidence" \
    -H "Authorization: Bearer $token"
}
echo "API, anchoring first: $(fetch first.tar) s"
echo "API, anchor exists:   $(fetch second.tar) s"
kill "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""
mkdir bundle
tar -xf second.tar -C bundle
start=$(date +%s.%N)
"$charta" -D "ledger.uri=$uri" evidence "$id" --out cli >/dev/null
echo "CLI (process start included): $(echo "$(date +%s.%N) - $start" | bc) s"
start=$(date +%s.%N)
(cd bundle && PATH=/usr/bin:/bin sh verify.sh)
echo "verify.sh: $(echo "$(date +%s.%N) - $start" | bc) s"
cmp -s <(cd bundle && cat $(find . -type f | sort)) <(cd cli && cat $(find . -type f | sort)) &&
  echo "API and CLI bundles: identical"
texts=0
for f in bundle/objects/*.blob bundle/page.html; do texts=$(( texts + $(stat -c %s "$f") )); done
total=$(find bundle -type f -exec stat -c %s {} + | awk '{s+=$1} END {print s}')
echo "bundle: $(stat -c %s second.tar) bytes as tar, $(find bundle -type f | wc -l) files," \
  "$total bytes: texts, charta.xml and page $texts, the rest $(( total - texts ))"
echo "proof hashes: $(python3 -c 'import json; print(len(json.load(open("bundle/consent.proof.json"))["hashes"]))')"
