#!/usr/bin/env bash
# Static analysis of src/: clang-tidy (checks and reasons in .clang-tidy) and cppcheck, with the
# compile commands of the default preset, two files at a time. Prints every finding once and
# exits non-zero if there is any.
set -euo pipefail
cd "$(dirname "$0")/.."
db=build/default/compile_commands.json
[ -f "$db" ] || cmake --preset default >/dev/null
jobs=2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

start=$SECONDS
# clang-tidy: one process per file; headers under src/ are checked where they are included, so the
# same finding in a header can come from several files and is printed once.
git ls-files 'src/*.cpp' |
  xargs -P "$jobs" -I{} sh -c 'clang-tidy-14 -p build/default --quiet "$1" >"$2/$(echo "$1" | tr / _).tidy" 2>&1 || true' _ {} "$out"
cat "$out"/*.tidy | grep -E '^/.*: (warning|error): ' | sed "s|^$PWD/||" | sort -u >"$out/tidy.txt" || true
echo "clang-tidy: $(wc -l <"$out/tidy.txt") finding(s) in $((SECONDS - start)) s"

start=$SECONDS
cppcheck --project="$db" --file-filter='src/*' --std=c++20 -j "$jobs" --quiet \
  --enable=warning,performance,portability --inline-suppr \
  --template='{file}:{line}:{column}: {severity}: {message} [{id}]' 2>"$out/cppcheck.raw" || true
grep -E '^src/' "$out/cppcheck.raw" | sort -u >"$out/cppcheck.txt" || true
echo "cppcheck: $(wc -l <"$out/cppcheck.txt") finding(s) in $((SECONDS - start)) s"

cat "$out/tidy.txt" "$out/cppcheck.txt"
if [ -s "$out/tidy.txt" ] || [ -s "$out/cppcheck.txt" ]; then
  echo "static analysis: findings above" >&2
  exit 1
fi
