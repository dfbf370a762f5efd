#!/usr/bin/env bash
# Adopts the fixture repository (make_fixture.sh) as a legal team would: registers its two texts
# in charta.xml with the lettered structure, lints both without --force, publishes them, exports
# the site, and checks that every in-page link (href="#...") of every page reaches an element of
# that page, and that the redline between two revisions names lettered clauses.
#
#   adoption_test.sh CHARTA_BINARY
set -euo pipefail

charta="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/charta-adopt-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

fail() {
  echo "adoption: $*" >&2
  exit 1
}

repo="$tmp/policies"
"$here/make_fixture.sh" "$repo" "$tmp/dates.txt" >/dev/null
cat >"$repo/charta.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<charta version="1" base-url="https://www.example.org">
  <document id="privacy" route="/privacy" controlling-lang="en" structure="lettered">
    <title>Privacy Statement</title>
    <text lang="en" path="Policies/privacy.md"/>
    <purposes>
      <purpose id="cookies" clause="E">Cookies and similar technologies</purpose>
      <purpose id="cookie-choices" clause="#your-choices">Choices about cookies</purpose>
    </purposes>
  </document>
  <document id="terms" route="/terms" controlling-lang="en" structure="lettered">
    <title>Terms of Service</title>
    <text lang="en" path="Policies/terms.md"/>
  </document>
</charta>
EOF
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
commit() {
  git -C "$repo" -c user.name="Maren Holt" -c user.email=maren.holt@example.org \
    commit -q -m "$1"
}
# Two registered revisions for a redline: the terms as published in 2019 (step 24), then as
# they are at HEAD.
git -C "$repo" show 6bbd47635747227991a4e39833f9906cfc871f98:Policies/terms.md \
  >"$repo/Policies/terms.md"
git -C "$repo" add charta.xml Policies/terms.md
commit "Register the policies with charta"
old="$(git -C "$repo" rev-parse HEAD)"
git -C "$repo" checkout -q 51814440cd25d7958c32295750938562519ec463 -- Policies/terms.md
commit "Terms as they are"
new="$(git -C "$repo" rev-parse HEAD)"

run() { "$charta" --repo "$repo" -D ledger.uri="sqlite:$tmp/ledger.db" "$@"; }

# The texts' own effective dates at HEAD: the lint compares them with Effective-From. Today's
# publication is later than those dates, so it is forced with the reason (importing the
# editions with their real dates is the way that needs no force).
declare -A effective=([privacy]=2025-07-01 [terms]=2025-01-01)
for doc in privacy terms; do
  if ! out="$(run lint "$doc" --effective-from "${effective[$doc]}T00:00:00+05:00" 2>&1)"; then
    echo "$out" >&2
    fail "lint $doc found errors"
  fi
  if grep -q "error \[" <<<"$out"; then
    echo "$out" >&2
    fail "lint $doc reports errors"
  fi
  run publish "$doc" --as "Maren Holt <maren.holt@example.org>" \
    --force "in force since ${effective[$doc]}, adopted" >/dev/null ||
    fail "publish $doc refused"
done

run build-site --out "$tmp/site" >/dev/null || fail "build-site failed"
pages=0
while IFS= read -r -d '' page; do
  pages=$((pages + 1))
  ids="$(grep -o ' id="[^"]*"' "$page" | sed 's/ id="\(.*\)"/\1/' | sort -u)"
  while IFS= read -r target; do
    [ -n "$target" ] || continue
    grep -qxF "$target" <<<"$ids" || fail "${page#"$tmp/site/"}: href=\"#$target\" reaches nothing"
  done < <(grep -o 'href="#[^"]*"' "$page" | sed 's/href="#\(.*\)"/\1/' | sort -u)
done < <(find "$tmp/site" -name '*.html' -print0)
[ "$pages" -gt 0 ] || fail "build-site wrote no page"

privacy="$(find "$tmp/site" -path '*privacy*' -name '*.html' | head -n 1)"
for id in a-information-we-collect j-childrens-privacy personal-information cookies your-rights contacting-us your-choices; do
  grep -q " id=\"$id\"" "$privacy" || fail "the privacy page has no element #$id"
done
if grep -q "markdownlint" "$privacy"; then fail "an HTML comment reached the page"; fi

# The redline of the terms between the published edition of 2019 (24) and HEAD names lettered
# clauses and never shows comments or link syntax.
diff="$(run diff terms "$old" "$new" --color never 2>&1)" || true
grep -q "^changed B\.1\|B\.1" <<<"$diff" || {
  echo "$diff" | head -40 >&2
  fail "the redline of the terms names no lettered clause"
}
if grep -q "markdownlint" <<<"$diff"; then fail "the redline shows comments"; fi
echo "$diff" >"${ADOPTION_DIFF_OUT:-/dev/null}"
echo "adoption ok: $pages pages"
