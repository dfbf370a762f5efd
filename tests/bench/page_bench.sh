#!/usr/bin/env bash
# The public page benchmark (not a test): wrk against `charta serve` /personal-data, against nginx
# serving the byte-identical exported file (`charta build-site`), and against Node.js's `http`
# module serving the same bytes with the same headers (the peer reference), on this machine, in
# one run, with the same keep-alive connections. charta is measured with its access log on (the
# default, log.access) and off. Prints a Markdown table: requests/s, the ratio to nginx (with its
# access log in the same state), p50/p99 latency, errors.
#
#   tests/bench/page_bench.sh [--charta PATH] [--duration S] [--connections N] [--threads N]
#                             [--rounds N] [--define key=value]... [--out FILE]
#                             [--compare LABEL=PATH]... [--realtime]
#
# --define passes -D key=value to every charta; --compare adds rows for another charta binary
# (a patched build, say) measured in the same rounds. Medians over the rounds are reported.
# --realtime (root) runs everything under SCHED_RR, so that other work on a shared machine does
# not take the CPU from the benchmark; requests/s then approach a quiet machine's, but the
# kernel's real-time throttling (5% of each second for others) puts ~45 ms into every p99.
#
# Needs wrk, nginx and node (./scripts/install-deps.sh bench) and a built charta
# (default: build/default/src/app/charta). Every server listens on 127.0.0.1 on a free port; all
# run as this user, in a temporary directory that is removed at the end.
set -euo pipefail
self=$(realpath "$0")
all_args=("$@")
cd "$(dirname "$self")/../.."

charta=build/default/src/app/charta
duration=10
connections=64
threads=2
rounds=1
out=
defs=()
compare=()
realtime=0
while [ $# -gt 0 ]; do
  case "$1" in
    --charta) charta=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --define) defs+=(-D "$2"); shift 2 ;;
    --out) out=$2; shift 2 ;;
    --compare) compare+=("$2"); shift 2 ;;
    --realtime) realtime=1; shift ;;
    -h|--help) sed -n '2,21p' "$self" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "page_bench: unknown argument $1" >&2; exit 2 ;;
  esac
done
charta=$(realpath "$charta")
if [ "$realtime" = 1 ] && [ -z "${PAGE_BENCH_RT:-}" ]; then
  PAGE_BENCH_RT=1 exec chrt -r 10 "$self" "${all_args[@]}"
fi
for tool in wrk nginx node curl; do
  command -v "$tool" >/dev/null || PATH=$PATH:/usr/sbin command -v "$tool" >/dev/null || {
    echo "page_bench: $tool is missing (./scripts/install-deps.sh bench)" >&2; exit 1; }
done
[ -x "$charta" ] || { echo "page_bench: no charta binary at $charta (build it first)" >&2; exit 1; }
nginx_bin=$(PATH=$PATH:/usr/sbin command -v nginx)

work=$(mktemp -d /tmp/charta-bench.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

export GIT_AUTHOR_NAME="Bench" GIT_AUTHOR_EMAIL=bench@charta.test GIT_COMMITTER_NAME="Bench" \
  GIT_COMMITTER_EMAIL=bench@charta.test GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

wait_http() {  # url
  for _ in $(seq 1 200); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.05
  done
  echo "page_bench: nothing answers at $1" >&2
  return 1
}

# --- the content: a fresh policy repository, v1 published, exported -------------------------
(cd "$work" && "$charta" init >/dev/null && "$charta" build-site --out "$work/site" >/dev/null)
page="$work/site/personal-data/index.html"
chmod -R a+rX "$work/site"

# The headers charta sends with the page, minus the ones each server sets itself; nginx and the
# Node.js reference send them too, so every server answers with about the same bytes.
start_charta() {  # name, binary, extra -D definitions...
  local name=$1 bin=$2; shift 2
  rm -f "$work/charta.port"
  (cd "$work" && exec "$bin" -D server.port=0 -D "server.port_file=$work/charta.port" \
    "${defs[@]}" "$@" serve >"$work/$name.access.log" 2>"$work/$name.err") &
  pids+=($!)
  charta_pid=$!
  for _ in $(seq 1 200); do [ -s "$work/charta.port" ] && break; sleep 0.05; done
  charta_port=$(cat "$work/charta.port")
  wait_http "http://127.0.0.1:$charta_port/personal-data"
}
stop_pid() {  # stops one of our servers and forgets its id
  kill "$1"
  wait "$1" 2>/dev/null || true
  local keep=() pid
  for pid in "${pids[@]}"; do [ "$pid" = "$1" ] || keep+=("$pid"); done
  pids=("${keep[@]}")
}

start_charta probe "$charta"
curl -s -D "$work/headers.txt" -o "$work/served.html" "http://127.0.0.1:$charta_port/personal-data"
stop_pid "$charta_pid"
cmp -s "$work/served.html" "$page" || {
  echo "page_bench: the exported file differs from what charta serves" >&2; exit 1; }
grep -iE '^(content-security-policy|x-content-type-options|referrer-policy|x-frame-options|cross-origin-opener-policy|permissions-policy|content-language|vary|etag|last-modified|cache-control):' \
  "$work/headers.txt" | tr -d '\r' >"$work/extra-headers.txt"

# --- nginx: own prefix, config and logs; workers = cores ----------------------------------------
nginx_port=$(free_port)
mkdir -p "$work/nginx/logs" "$work/nginx/tmp"
{
  while IFS= read -r line; do
    name=${line%%:*}
    value=${line#*: }
    case "${name,,}" in
      etag|last-modified|content-type) ;;  # nginx makes its own from the file
      *) printf '      add_header %s "%s" always;\n' "$name" "${value//\"/\\\"}" ;;
    esac
  done <"$work/extra-headers.txt"
} >"$work/nginx/headers.conf"
write_nginx_conf() {  # access log: on|off
  local log="access_log off;"
  [ "$1" = on ] && log="access_log $work/nginx/logs/access.log combined buffer=64k flush=1s;"
  cat >"$work/nginx/nginx.conf" <<EOF
worker_processes $(nproc);
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
events { worker_connections 4096; }
http {
  $log
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  open_file_cache max=100 inactive=60s;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$nginx_port reuseport;
    root $work/site;
    location = /personal-data {
      default_type "text/html; charset=utf-8";
      try_files /personal-data/index.html =404;
$(cat "$work/nginx/headers.conf")
    }
  }
}
EOF
}
nginx_pids() {  # the master and its workers, comma-separated
  { echo "$nginx_pid"; pgrep -P "$nginx_pid"; } | paste -sd,
}
start_nginx() {  # access log on|off
  write_nginx_conf "$1"
  "$nginx_bin" -p "$work/nginx" -e "$work/nginx/logs/error.log" -c "$work/nginx/nginx.conf" \
    -g 'daemon off;' &
  pids+=($!)
  nginx_pid=$!
  wait_http "http://127.0.0.1:$nginx_port/personal-data"
  curl -s -o "$work/nginx.html" "http://127.0.0.1:$nginx_port/personal-data"
  cmp -s "$work/nginx.html" "$page" || { echo "page_bench: nginx sends other bytes" >&2; exit 1; }
}

# --- Node.js: the http module, the same bytes and headers, one process ------------------------
node_port=$(free_port)
cat >"$work/peer.mjs" <<'EOF'
import http from 'node:http';
import fs from 'node:fs';
const [file, headerFile, port] = process.argv.slice(2);
const body = fs.readFileSync(file);
const headers = { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length };
for (const line of fs.readFileSync(headerFile, 'utf8').split('\n')) {
  const i = line.indexOf(':');
  if (i > 0) headers[line.slice(0, i)] = line.slice(i + 1).trim();
}
const server = http.createServer((req, res) => {
  if (req.url === '/personal-data' && (req.method === 'GET' || req.method === 'HEAD')) {
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  } else {
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found\n');
  }
});
server.keepAliveTimeout = 65000;
server.listen(Number(port), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
EOF
start_node() {
  node "$work/peer.mjs" "$page" "$work/extra-headers.txt" "$node_port" &
  pids+=($!)
  node_pid=$!
  wait_http "http://127.0.0.1:$node_port/personal-data"
  curl -s -o "$work/node.html" "http://127.0.0.1:$node_port/personal-data"
  cmp -s "$work/node.html" "$page" || { echo "page_bench: node sends other bytes" >&2; exit 1; }
}

# --- wrk --------------------------------------------------------------------------------------
# Counts responses that close the connection (keep-alive refused), per wrk thread.
cat >"$work/closes.lua" <<'EOF'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) closes = 0; responses = 0 end
function response(status, headers, body)
  responses = responses + 1
  local c = headers["Connection"] or headers["connection"]
  if c and c:lower() == "close" then closes = closes + 1 end
end
function done(summary, latency, requests)
  local c, r = 0, 0
  for _, t in ipairs(threads) do c = c + t:get("closes"); r = r + t:get("responses") end
  io.write(string.format("closes %d of %d responses\n", c, r))
end
EOF

to_ms() {  # "1.23ms" | "850.00us" | "1.02s" -> milliseconds
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000;
    printf "%.2f", n }'
}

# With perf (linux-perf) the server's CPU time and system calls per request are counted too:
# unlike requests/s they hardly depend on what else runs on the machine.
use_perf=0
if command -v perf >/dev/null && perf stat -e task-clock -p $$ -- sleep 0.01 >/dev/null 2>&1; then
  use_perf=1
fi

results="$work/results.tsv"
: >"$results"
measure() {  # label, url, server pids (comma-separated)
  local label=$1 url=$2 spids=$3 f="$work/wrk.txt" p="$work/perf.txt"
  wrk -t"$threads" -c"$connections" -d2s "$url" >/dev/null  # warm-up
  local perf_pid=
  if [ "$use_perf" = 1 ]; then
    perf stat -x, -e task-clock,raw_syscalls:sys_enter,context-switches -p "$spids" -o "$p" \
      -- sleep "$duration" &
    perf_pid=$!
  fi
  wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$url" >"$f"
  [ -n "$perf_pid" ] && wait "$perf_pid"
  local rps p50 p99 errors non2xx total cpu_us=- sys=- cs=-
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$f")
  total=$(awk '/requests in/ {print $1}' "$f")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$f")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$f")")
  errors=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$f")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$f")
  if [ -n "$perf_pid" ]; then
    cpu_us=$(awk -F, -v n="$total" '$3 == "task-clock" {printf "%.1f", $1 * 1000 / n}' "$p")
    sys=$(awk -F, -v n="$total" '$3 == "raw_syscalls:sys_enter" {printf "%.1f", $1 / n}' "$p")
    cs=$(awk -F, -v n="$total" '$3 == "context-switches" {printf "%.2f", $1 / n}' "$p")
  fi
  errors=$(( ${errors:-0} + ${non2xx:-0} ))
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$rps" "$p50" "$p99" "$errors" "$cpu_us" "$sys" \
    "$cs" >>"$results"
  printf '  %-24s %9s req/s  p50 %6s ms  p99 %6s ms  errors %s  %s us, %s syscalls, %s cs /req\n' \
    "$label" "$rps" "$p50" "$p99" "$errors" "$cpu_us" "$sys" "$cs" >&2
}

echo "page_bench: $(nproc) cores, wrk -t$threads -c$connections -d${duration}s, $rounds round(s)," \
  "page $(stat -c %s "$page") bytes, load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for round in $(seq 1 "$rounds"); do
  echo "round $round" >&2
  start_nginx on
  measure "nginx (access log)" "http://127.0.0.1:$nginx_port/personal-data" "$(nginx_pids)"
  stop_pid "$nginx_pid"
  start_nginx off
  measure "nginx (no access log)" "http://127.0.0.1:$nginx_port/personal-data" "$(nginx_pids)"
  stop_pid "$nginx_pid"
  for variant in "charta=$charta" "${compare[@]}"; do
    label=${variant%%=*}
    bin=$(realpath "${variant#*=}")
    start_charta log "$bin" -D log.access=true
    measure "$label (access log)" "http://127.0.0.1:$charta_port/personal-data" "$charta_pid"
    stop_pid "$charta_pid"
    start_charta nolog "$bin" -D log.access=false
    measure "$label (no access log)" "http://127.0.0.1:$charta_port/personal-data" "$charta_pid"
    wrk -t"$threads" -c"$connections" -d2s -s "$work/closes.lua" \
      "http://127.0.0.1:$charta_port/personal-data" | grep '^closes' |
      sed "s/^/  $label keep-alive: /" >&2
    stop_pid "$charta_pid"
  done
  start_node
  measure "node http (peer)" "http://127.0.0.1:$node_port/personal-data" "$node_pid"
  stop_pid "$node_pid"
done

# --- the table: medians over the rounds ---------------------------------------------------------
table=$(awk -F'\t' '
  function median(list,   a, n, i, j, t) {
    n = split(list, a, " ");
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { if (!($1 in rps)) order[++k] = $1; rps[$1] = rps[$1] " " $2; p50[$1] = p50[$1] " " $3;
    p99[$1] = p99[$1] " " $4; err[$1] += $5; cpu[$1] = cpu[$1] " " $6; sys[$1] = sys[$1] " " $7;
    cs[$1] = cs[$1] " " $8 }
  END {
    nl = median(rps["nginx (access log)"]); nn = median(rps["nginx (no access log)"]);
    print "| server | requests/s | × nginx | p50 ms | p99 ms | errors | server CPU µs/req | syscalls/req | context switches/req |";
    print "|---|---:|---:|---:|---:|---:|---:|---:|---:|";
    for (i = 1; i <= k; i++) {
      s = order[i]; r = median(rps[s]);
      ref = (s ~ /no access log/ || s ~ /^node/) ? nn : nl;
      c = cpu[s] ~ /-/ ? "–" : sprintf("%.1f", median(cpu[s]));
      y = sys[s] ~ /-/ ? "–" : sprintf("%.1f", median(sys[s]));
      w = cs[s] ~ /-/ ? "–" : sprintf("%.2f", median(cs[s]));
      printf "| %s | %.0f | %.2f | %.2f | %.2f | %d | %s | %s | %s |\n", s, r, r / ref, median(p50[s]), median(p99[s]), err[s], c, y, w
    }
  }' "$results")
echo
echo "$table"
echo
echo "Ratios: charta and nginx with the same access-log setting; node against nginx without a log."
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other processes on this machine skew every row)."
[ -n "$out" ] && printf '%s\n' "$table" >"$out"
exit 0
