#!/usr/bin/env bash
# Builds charta and passes every test: installs what is missing, then the default build (all
# tests), the Debian package on a fresh Debian 12 root (tests/package/debian_stage.sh, needs
# root), the ASan+UBSan build (all tests again), a short fuzzing run (scripts/fuzz.sh), the
# ThreadSanitizer build (the tests labelled concurrency) and the static analysis of src/. Exits
# non-zero on any failure. Runs on Debian 12 as it comes (its nodejs 18 and npm).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh test

echo "== clang-format"
git ls-files '*.cpp' '*.h' | xargs clang-format --dry-run -Werror

echo "== node tooling (tests/node: playwright-core, axe-core, vnu-jar, @redocly/cli)"
(cd tests/node && npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error)
export CHARTA_VNU_JAR="$PWD/tests/node/node_modules/vnu-jar/build/dist/vnu.jar"
# @redocly/cli would report usage and look for updates over the network.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

echo "== default build"
cmake --preset default >/dev/null
cmake --build --preset default
ctest --preset default -j2

echo "== soak (tests/bench/soak.sh: 20 s of mixed load on the real server, judged)"
tests/bench/soak.sh 20 --charta build/default/src/app/charta

echo "== Debian package (tests/package/debian_stage.sh: install, upgrade, downgrade on a fresh Debian 12)"
tests/package/debian_stage.sh build/default

echo "== ASan+UBSan build"
cmake --preset asan >/dev/null
cmake --build --preset asan
ctest --preset asan -j2

echo "== fuzzing (libFuzzer, 10 s per target, two at a time)"
FUZZ_JOBS=2 ./scripts/fuzz.sh 10

echo "== ThreadSanitizer build (only what the tests labelled concurrency need)"
cmake --preset tsan >/dev/null
# Every test built by charta_test() is an executable of the same name.
mapfile -t tsan_targets < <(ctest --preset tsan -L concurrency -N |
  sed -n 's/^ *Test *#[0-9]*: \([a-z_]*\)$/\1/p' | grep -v -e '^tsan_reports_' -e '^server_reports_')
cmake --build --preset tsan --target "${tsan_targets[@]}"
ctest --preset tsan -L concurrency -j2

echo "== static analysis (scripts/analyse.sh: clang-tidy and cppcheck over src/)"
./scripts/analyse.sh
