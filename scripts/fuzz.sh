#!/usr/bin/env bash
# Builds the fuzz preset (clang 14, libFuzzer, ASan+UBSan) and fuzzes every target of tests/fuzz
# for SECONDS seconds each (default 10: the CI form; `scripts/fuzz.sh 600` for a long run), each
# on a temporary copy of its seeds. Prints one summary line per target. Fails when any target
# crashes, leaks, hangs or runs out of memory; the input that did it is kept in
# build/fuzz/artifacts/<target>/ (commit it under tests/fuzz/regressions/<target>/ with the fix).
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#   FUZZ_JOBS=N runs N targets at once (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  targets=(markdown front_matter registry trailers api_bodies time accept_language diff)
fi
jobs="${FUZZ_JOBS:-1}"

# Inputs larger than any real one of its kind are not interesting; the policy text is ~20 KB.
max_len() {
  case "$1" in
    markdown | diff) echo 32768 ;;
    registry | api_bodies | trailers | front_matter) echo 8192 ;;
    *) echo 512 ;;
  esac
}

command -v ccache >/dev/null 2>&1 && export CMAKE_CXX_COMPILER_LAUNCHER=ccache
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "${targets[@]/#/fuzz_}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

run_target() {
  local t="$1" corpus="$work/$1" artifacts="build/fuzz/artifacts/$1/"
  mkdir -p "$corpus" "$artifacts"
  cp tests/fuzz/seeds/"$t"/* "$corpus"/
  if [ -d tests/fuzz/regressions/"$t" ]; then cp tests/fuzz/regressions/"$t"/* "$corpus"/; fi
  # -timeout: one input slower than 10 s is a hang; -rss_limit_mb: 2 GB is out of memory.
  if build/fuzz/tests/fuzz/fuzz_"$t" "$corpus" -max_total_time="$seconds" -max_len="$(max_len "$t")" \
    -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts" >"$work/$t.log" 2>&1; then
    echo "ok" >"$work/$t.status"
  else
    echo "FAILED" >"$work/$t.status"
  fi
}

summary() {
  local t="$1" log="$work/$1.log" status runs speed cov ft
  status="$(cat "$work/$t.status")"
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  cov="$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2 || true)"
  ft="$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2 || true)"
  printf '%-16s %-6s runs %-10s exec/s %-7s cov %-6s ft %s\n' "$t" "$status" "${runs:-?}" \
    "${speed:-?}" "${cov:-?}" "${ft:-?}"
  if [ "$status" != ok ]; then
    grep -E '^==[0-9]+==|^SUMMARY|ERROR: libFuzzer|fuzz: contract|Test unit written' "$log" |
      head -20 | sed 's/^/    /' || true
  fi
}

echo "== fuzzing ${#targets[@]} targets for ${seconds} s each (libFuzzer, ASan+UBSan)"
running=0
for t in "${targets[@]}"; do
  run_target "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait
failed=0
for t in "${targets[@]}"; do
  summary "$t"
  [ "$(cat "$work/$t.status")" = ok ] || failed=1
done
if [ "$failed" -ne 0 ]; then
  echo "fuzz: a target failed; its input is in build/fuzz/artifacts/<target>/" >&2
  exit 1
fi
