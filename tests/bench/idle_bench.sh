#!/usr/bin/env bash
# Idle keep-alive connections (not a test): the page's throughput with wrk's 64 busy keep-alive
# connections, first alone, then while N more connections (default 10,000) are held open idle
# after one request each; the server's RSS before, with the idle ones, and after they close. The
# reference is the same run's throughput without idle connections (the ratio is the fall).
#
#   tests/bench/idle_bench.sh [--charta PATH] [--idle N] [--duration S]
#
# Needs wrk, curl and python3. Raises the open-file limit of this shell (root or a hard limit
# above 2N).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
charta="$root/build/default/src/app/charta"
idle=10000
duration=10
while [ $# -gt 0 ]; do
  case "$1" in
    --charta) charta="$2"; shift 2 ;;
    --idle) idle="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    *) echo "usage: $0 [--charta PATH] [--idle N] [--duration S]" >&2; exit 2 ;;
  esac
done
charta="$(realpath "$charta")"
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "idle_bench: $tool is missing" >&2; exit 1; }
done
ulimit -n $(( idle * 2 + 1024 )) 2>/dev/null || ulimit -n "$(ulimit -Hn)"

. "$here/bench_lib.sh"
bench_dir charta-idle-bench
idle_pid=""
cleanup() {
  if [ -n "$idle_pid" ]; then kill "$idle_pid" 2>/dev/null || true; wait "$idle_pid" 2>/dev/null || true; fi
  bench_cleanup
}
trap cleanup EXIT
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost GIT_COMMITTER_NAME=bench \
  GIT_COMMITTER_EMAIL=bench@localhost
cd "$dir"
"$charta" init >/dev/null
"$charta" -D server.port=0 -D "server.port_file=$dir/port" -D log.access=false \
  -D server.max_connections=$(( idle + 1000 )) -D server.keep_alive_s=600 \
  -D server.keep_alive_max=1000000 serve >"$dir/serve.out" 2>"$dir/serve.err" &
server_pid=$!
for _ in $(seq 1 200); do [ -s "$dir/port" ] && break; sleep 0.05; done
port="$(cat "$dir/port")"
url="http://127.0.0.1:$port/personal-data"
for _ in $(seq 1 200); do curl -sf -o /dev/null "$url" && break; sleep 0.05; done

rss() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$server_pid/status"; }
# With perf (linux-perf) the server's CPU time and context switches per request are counted too:
# unlike requests/s they hardly depend on what else runs on the machine.
use_perf=0
if command -v perf >/dev/null && perf stat -e task-clock -p $$ -- sleep 0.01 >/dev/null 2>&1; then
  use_perf=1
fi
run_wrk() {  # prints requests/s, p99 ms, server CPU µs per request, context switches per request
  wrk -t2 -c64 -d2s "$url" >/dev/null
  local perf_pid="" out="$dir/wrk.txt" p="$dir/perf.txt"
  if [ "$use_perf" = 1 ]; then
    perf stat -x, -e task-clock,context-switches -p "$server_pid" -o "$p" -- sleep "$duration" &
    perf_pid=$!
  fi
  wrk -t2 -c64 -d"${duration}s" --latency "$url" >"$out"
  [ -n "$perf_pid" ] && wait "$perf_pid"
  [ -n "$perf_pid" ] || : >"$p"
  awk -F, -v perf="$p" '
    BEGIN { while ((getline line < perf) > 0) { split(line, f, ",");
              if (f[3] == "task-clock") cpu = f[1]; if (f[3] == "context-switches") cs = f[1] } }
    /requests in/ { total = $1 }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "99%" { v = $2; n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
                  if (u == "us") n /= 1000; else if (u == "s") n *= 1000; p99 = n }
    END { if (cpu == "" || total == 0) printf "%s %.2f - -\n", rps, p99;
          else printf "%s %.2f %.1f %.2f\n", rps, p99, cpu * 1000 / total, cs / total }' FS=' ' "$out"
}

echo "idle_bench: $(nproc) cores, $idle idle connections, load average $(cut -d' ' -f1-3 /proc/loadavg)"
rss0=$(rss)
read -r rps0 p990 cpu0 cs0 <<<"$(run_wrk)"
echo "  alone:               $rps0 req/s, p99 $p990 ms, RSS $rss0 MiB; $cpu0 us CPU, $cs0 cs /req"

# The idle connections: each sends one request, reads its answer, then stays open and silent.
python3 - "$port" "$idle" "$dir/idle.ready" <<'PY' &
import asyncio, sys
port, n, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
async def one(held):
    r, w = await asyncio.open_connection("127.0.0.1", port)
    w.write(b"GET /personal-data HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    head = await r.readuntil(b"\r\n\r\n")
    length = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")]
    await r.readexactly(int(length[0].split(b":")[1]))
    held.append(w)
async def main():
    held = []
    for at in range(0, n, 500):
        await asyncio.gather(*(one(held) for _ in range(min(500, n - at))))
    open(ready, "w").write(str(len(held)))
    await asyncio.sleep(3600)
asyncio.run(main())
PY
idle_pid=$!
for _ in $(seq 1 1200); do [ -s "$dir/idle.ready" ] && break; sleep 0.1; done
[ -s "$dir/idle.ready" ] || { echo "idle_bench: the idle connections did not open" >&2; exit 1; }
rss1=$(rss)
read -r rps1 p991 cpu1 cs1 <<<"$(run_wrk)"
held=$(ls "/proc/$server_pid/fd" | wc -l)
echo "  with $(cat "$dir/idle.ready") idle:    $rps1 req/s, p99 $p991 ms, RSS $(rss) MiB" \
  "(after opening them $rss1 MiB; $held descriptors open); $cpu1 us CPU, $cs1 cs /req"
kill "$idle_pid"; wait "$idle_pid" 2>/dev/null || true; idle_pid=""
sleep 1
echo "  after they closed:   RSS $(rss) MiB"
ratio=$(awk -v a="$rps1" -v b="$rps0" 'BEGIN { printf "%.2f", a / b }')
echo "ROW idle $idle $rps1 $rps0 $ratio $rss0 $(rss) $rss1"
