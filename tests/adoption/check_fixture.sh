#!/usr/bin/env bash
# Checks that make_fixture.sh builds the fixture that README.md and dates.txt describe: the same
# commit ids on two runs, the documented HEAD and publication dates, the documented shape.
#
#   check_fixture.sh        # exit 0 and "fixture ok", or a message naming the first difference
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
expected_head=51814440cd25d7958c32295750938562519ec463
tmp="$(mktemp -d "${TMPDIR:-/tmp}/charta-adoption-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "fixture check: $*" >&2
  exit 1
}

# expect WHAT EXPECTED ACTUAL
expect() {
  [ "$2" = "$3" ] || fail "$1: expected $2, got $3"
}

first="$("$here/make_fixture.sh" "$tmp/a" "$tmp/a.dates")"
second="$("$here/make_fixture.sh" "$tmp/b" "$tmp/b.dates")"
expect "HEAD of the second run" "$first" "$second"
expect "HEAD" "$expected_head" "$first"
cmp -s "$here/dates.txt" "$tmp/a.dates" || fail "the publication dates differ from dates.txt"

repo=(git -C "$tmp/a")
expect "commits" 49 "$("${repo[@]}" rev-list --count HEAD)"
expect "first-parent commits" 39 "$("${repo[@]}" rev-list --first-parent --count HEAD)"
expect "merges" 3 "$("${repo[@]}" rev-list --merges --count HEAD)"
expect "branches" "main" "$("${repo[@]}" for-each-ref --format='%(refname:short)' refs/heads)"
expect "first-parent commits touching Policies/" 30 \
  "$("${repo[@]}" log --first-parent --format=%H -- Policies/ | wc -l)"
expect "commits of the privacy statement, rename followed" 18 \
  "$("${repo[@]}" log --follow --format=%H -- Policies/privacy.md | wc -l)"
expect "revisions holding charta.xml" 0 "$("${repo[@]}" log --all --format=%H -- charta.xml | wc -l)"
[ -z "$("${repo[@]}" status --porcelain)" ] || fail "the work tree is not clean"
echo "fixture ok: HEAD $first"
