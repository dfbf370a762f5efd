#!/usr/bin/env bash
# Benchmark of GET /api/v1/documents/{doc}/current — the consumers' polling pattern — next to
# nginx serving a static JSON file of the same size, in the same run on the same machine.
#
#   tests/bench/current_bench.sh [--charta PATH] [--seconds S] [--connections C] [--threads T]
#
# Four wrk runs of S seconds each (default 10, 64 keep-alive connections, 2 wrk threads):
# charta and nginx, each with If-None-Match naming the current ETag (answers 304) and without
# (answers 200 with the JSON). Prints requests/s and p99 latency and the ratio charta/nginx
# (target: >= 0.5 for both). Needs wrk and nginx (Debian: apt-get install -y wrk nginx-light).
# nginx runs as our own process on a free 127.0.0.1 port with its own prefix in a temp dir.
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
charta=${CHARTA_BINARY:-$here/build/default/src/app/charta}
seconds=10
connections=64
threads=2
while [ $# -gt 0 ]; do
  case $1 in
    --charta) charta=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
for tool in wrk nginx curl python3; do
  command -v $tool >/dev/null || { echo "current_bench: $tool is missing (apt-get install -y wrk nginx-light curl)" >&2; exit 2; }
done
[ -x "$charta" ] || { echo "current_bench: no charta binary at $charta (use --charta)" >&2; exit 2; }

work=$(mktemp -d)
charta_pid=
nginx_started=
cleanup() {
  [ -n "$charta_pid" ] && kill "$charta_pid" 2>/dev/null && wait "$charta_pid" 2>/dev/null || true
  [ -n "$nginx_started" ] && nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -s stop 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# charta with the seed policy published (v1), on its own port.
cd "$work"
"$charta" init >/dev/null
cport=$(free_port)
"$charta" -D server.port="$cport" -D server.port_file="$work/port" -D site.data_dir="$here" serve \
  >/dev/null 2>"$work/charta.err" &
charta_pid=$!
for _ in $(seq 100); do [ -f "$work/port" ] && break; sleep 0.05; done
[ -f "$work/port" ] || { cat "$work/charta.err" >&2; exit 1; }
path=/api/v1/documents/personal-data/current
curl -sf -D "$work/headers" -o "$work/current.json" "http://127.0.0.1:$cport$path"
cetag=$(grep -i '^etag:' "$work/headers" | cut -d' ' -f2- | tr -d '\r')

# nginx serving the same bytes as a static file.
nport=$(free_port)
mkdir -p "$work/nginx/html/api" "$work/nginx/logs"
cp "$work/current.json" "$work/nginx/html/api/current.json"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000;
  sendfile on;
  tcp_nopush on;
  open_file_cache max=100 inactive=60s;
  types { application/json json; }
  server {
    listen 127.0.0.1:$nport reuseport;
    root $work/nginx/html;
    location / { add_header Cache-Control "public, max-age=60"; }
  }
}
CONF
chmod 755 "$work" && chmod -R a+rX "$work/nginx"  # workers may run as another user
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"
nginx_started=1
sleep 0.2
curl -sf -D "$work/nheaders" -o /dev/null "http://127.0.0.1:$nport/api/current.json"
netag=$(grep -i '^etag:' "$work/nheaders" | cut -d' ' -f2- | tr -d '\r')
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $cetag" "http://127.0.0.1:$cport$path")" = 304 ]
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $netag" "http://127.0.0.1:$nport/api/current.json")" = 304 ]

# wrk output -> "requests/s p99_ms"
measure() {
  local url=$1 header=$2 out
  if [ -n "$header" ]; then
    out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -H "$header" "$url")
  else
    out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "$url")
  fi
  echo "$out" >>"$work/wrk.log"
  if echo "$out" | grep -q 'Non-2xx or 3xx\|Socket errors'; then
    echo "$out" | grep 'Non-2xx or 3xx\|Socket errors' >&2
  fi
  local rps p99
  rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; print v}')
  echo "$rps $p99"
}

size=$(stat -c %s "$work/current.json")
echo "GET $path: $size bytes of JSON; wrk -t$threads -c$connections -d${seconds}s; $(nproc) cores"
read -r c200 c200p < <(measure "http://127.0.0.1:$cport$path" "")
read -r n200 n200p < <(measure "http://127.0.0.1:$nport/api/current.json" "")
read -r c304 c304p < <(measure "http://127.0.0.1:$cport$path" "If-None-Match: $cetag")
read -r n304 n304p < <(measure "http://127.0.0.1:$nport/api/current.json" "If-None-Match: $netag")
python3 - "$c200" "$c200p" "$n200" "$n200p" "$c304" "$c304p" "$n304" "$n304p" <<'PY'
import sys
c200, c200p, n200, n200p, c304, c304p, n304, n304p = map(float, sys.argv[1:])
print(f"{'':28}{'charta req/s':>14}{'p99 ms':>9}{'nginx req/s':>14}{'p99 ms':>9}{'ratio':>8}")
for name, c, cp, n, np_ in (("200 (no If-None-Match)", c200, c200p, n200, n200p),
                            ("304 (If-None-Match)", c304, c304p, n304, n304p)):
    print(f"{name:28}{c:14.0f}{cp:9.2f}{n:14.0f}{np_:9.2f}{c / n:8.2f}")
ok = c200 / n200 >= 0.5 and c304 / n304 >= 0.5
print("target >= 0.5x nginx:", "met" if ok else "NOT met")
PY
