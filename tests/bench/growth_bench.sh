#!/usr/bin/env bash
# Growth of the policy repository (not a test): generates a repository of N editions of
# personal-data in 2 languages (ru and a generated en text), each a real commit published with
# `charta publish`, and at each checkpoint measures what grows with it: `charta in-force` (the
# CLI reads the tags on each run), `charta serve` start to the first page, the archive page and
# the Atom feed (bytes and time to the first byte), the server's RSS after both, the time from a
# publication by another process (a commit and `charta publish`, as a `git push` of a tag lands
# in the repository) to the server serving its page (repository.poll_ms=20: the rest is the
# refresh), and the RSS after serving every edition's page in both languages (up to 2,000
# distinct pages; the page cache, server.page_cache_bytes, bounds it).
#
#   tests/bench/growth_bench.sh [--charta PATH] [--editions N] [--checkpoints "10 100 1000"]
#                               [--dir DIR]
#
# --dir keeps the repository (default: a new folder, removed at the end); a second run with the
# same --dir continues from the editions it has. Prints one ROW line per checkpoint.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
charta="$root/build/default/src/app/charta"
editions=1000
checkpoints="10 100 1000"
dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --charta) charta="$2"; shift 2 ;;
    --editions) editions="$2"; shift 2 ;;
    --checkpoints) checkpoints="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done
charta="$(realpath "$charta")"
. "$here/bench_lib.sh"
bench_dir charta-growth-bench
trap bench_cleanup EXIT
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@localhost GIT_COMMITTER_NAME=bench \
  GIT_COMMITTER_EMAIL=bench@localhost GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
home="$dir/home"             # where charta runs (its var/ and config)
repo="$home/var/policies.git"  # the policy repository's work tree
if [ ! -d "$repo/.git" ]; then
  mkdir -p "$home"
  (cd "$home" && "$charta" init --worktree >/dev/null)
  # The second language: an English text of the same document.
  (cd "$repo" && python3 - <<'PY'
import re
x = open("charta.xml", encoding="utf-8").read()
x = x.replace('<text lang="ru" path="personal-data/ru.md"/>',
              '<text lang="ru" path="personal-data/ru.md"/>\n    <text lang="en" path="personal-data/en.md"/>')
open("charta.xml", "w", encoding="utf-8").write(x)
open("personal-data/en.md", "w", encoding="utf-8").write(
    "# Personal data policy (generated benchmark text)\n\n1. General provisions.\n")
PY
  git add -A && git commit -qm "personal-data: English text")
fi
count() { (cd "$home" && "$charta" --json editions personal-data | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["editions"] if isinstance(d, dict) else d))'); }
have=$(count)
echo "growth_bench: $(nproc) cores, $have editions at start, load average $(cut -d' ' -f1-3 /proc/loadavg)"

ms() { local t=${EPOCHREALTIME/./}; echo $(( t / 1000 )); }
median3() { sort -n | sed -n 2p; }

checkpoint() {
  local n=$1 t0 t1 times=() at
  at=$(date -u -d "+400 days" +%Y-%m-%dT%H:%M:%S+00:00)
  for _ in 1 2 3; do
    t0=$(ms); (cd "$home" && "$charta" in-force personal-data --at "$at" >/dev/null); t1=$(ms)
    times+=($(( t1 - t0 )))
  done
  local inforce
  inforce=$(printf '%s\n' "${times[@]}" | median3)
  rm -f "$dir/port"
  t0=$(ms)
  (cd "$home" && exec "$charta" -D server.port=0 -D "server.port_file=$dir/port" -D log.access=false \
    -D repository.poll_ms=20 serve >"$dir/serve.out" 2>"$dir/serve.err") &
  server_pid=$!
  for _ in $(seq 1 600); do [ -s "$dir/port" ] && break; sleep 0.05; done
  local port url first archive feed rss
  port=$(cat "$dir/port")
  url="http://127.0.0.1:$port/personal-data"
  until curl -sf -o /dev/null "$url"; do sleep 0.02; done
  t1=$(ms); first=$(( t1 - t0 ))
  archive=$(curl -s -o "$dir/archive.html" -w '%{size_download} %{time_starttransfer}' "$url/versions")
  feed=$(curl -s -o "$dir/feed.xml" -w '%{size_download} %{time_starttransfer}' "$url/feed.atom")
  rss=$(awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$server_pid/status")
  # A publication by another process, then its page: the server's refresh.
  i=$(( i + 1 ))
  add_edition "$i"
  t0=$(ms)
  until curl -sf -o /dev/null "$url/v$i"; do sleep 0.005; done
  local fresh=$(( $(ms) - t0 ))
  # Every edition's page in both languages over one connection: the cache's bound.
  : >"$dir/pages.curl"
  for ((k = i; k >= 1 && k > i - 1000; k--)); do
    printf 'url = "%s/v%d?lang=ru"\noutput = /dev/null\nurl = "%s/v%d?lang=en"\noutput = /dev/null\n' \
      "$url" "$k" "$url" "$k" >>"$dir/pages.curl"
  done
  t0=$(ms)
  curl -s -K "$dir/pages.curl"
  local all=$(( $(ms) - t0 )) pages
  pages=$(grep -c '^url' "$dir/pages.curl")
  local rss2
  rss2=$(awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$server_pid/status")
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  read -r ab at_ <<<"$archive"; read -r fb ft <<<"$feed"
  echo "  $n editions: in-force ${inforce} ms; serve start to first page ${first} ms;" \
    "archive $ab bytes (first byte $(awk -v t="$at_" 'BEGIN{printf "%.1f", t*1000}') ms);" \
    "feed $fb bytes ($(awk -v t="$ft" 'BEGIN{printf "%.1f", t*1000}') ms); RSS $rss MiB;" \
    "publication to its page ${fresh} ms; $pages pages in ${all} ms, then RSS $rss2 MiB" \
    "(load $(cut -d' ' -f1 /proc/loadavg))"
  echo "ROW growth $n $inforce $first $ab $fb $rss $fresh $pages $rss2"
}

# Edition "$1": a commit of both texts, published with `charta publish` (another process).
add_edition() {
  printf '\nПримечание редакции %d нагрузочного теста.\n' "$1" >>"$repo/personal-data/ru.md"
  printf '\nNote of edition %d of the benchmark.\n' "$1" >>"$repo/personal-data/en.md"
  (cd "$repo" && git commit -qam "personal-data: edition $1")
  (cd "$home" && "$charta" publish personal-data \
      --effective-from "$(date -u -d "+1 day +$1 minutes" +%Y-%m-%dT%H:%M:00+00:00)" \
      >/dev/null 2>>"$dir/publish.log") || { tail -3 "$dir/publish.log" >&2; exit 1; }
}

i=$have
for target in $checkpoints; do
  [ "$target" -le "$editions" ] || break
  t0=$(ms)
  made=0
  while [ "$i" -lt "$target" ]; do
    i=$(( i + 1 ))
    add_edition "$i"
    made=$(( made + 1 ))
  done
  [ "$made" -gt 0 ] && echo "  made $made editions in $(( ($(ms) - t0) / 1000 )) s"
  checkpoint "$i"
done
