#!/usr/bin/env bash
# Adopts the fixture repository (make_fixture.sh) as a legal team would: registers its two texts
# in charta.xml with the lettered structure (the renamed privacy statement with previous-paths),
# imports their history with the known dates (dates.txt), lints both without errors, serves them
# with `charta serve` and checks the archive, the API, the feed and the record of editions, checks
# `charta log`, refuses a second import, exports the site and checks that every in-page link
# (href="#...") of every page reaches an element of that page, and that the redline between two
# revisions of the history names lettered clauses.
#
#   adoption_test.sh CHARTA_BINARY
set -euo pipefail

charta="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/charta-adopt-XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
[ -n "${ADOPTION_KEEP:-}" ] && trap - EXIT

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
    <text lang="en" path="Policies/privacy.md" previous-paths="Policies/privacy-statement.md"/>
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
git -C "$repo" add charta.xml
commit "Register the policies with charta"

run() { "$charta" --repo "$repo" -D ledger.uri="sqlite:$tmp/ledger.db" "$@"; }
as=(--as "Maren Holt <maren.holt@example.org>")

# The history, imported: one edition per revision of each text on the first-parent history.
declare -A revisions=([privacy]=15 [terms]=18)
for doc in privacy terms; do
  out="$(run import "$doc" --dates "$tmp/dates.txt" "${as[@]}")" || fail "import $doc refused"
  grep -q "^$doc: ${revisions[$doc]} imported editions$" <<<"$out" || {
    echo "$out" >&2
    fail "import $doc: expected ${revisions[$doc]} editions"
  }
done
# A second import finds the editions: refused, one line, nothing written.
tags_before="$(git -C "$repo" tag -l | wc -l)"
if out="$(run import privacy --dates "$tmp/dates.txt" 2>&1)"; then fail "a second import passed"; fi
[ "$(wc -l <<<"$out")" -eq 1 ] || fail "the refusal of a second import is not one line: $out"
grep -q "has editions already (v1–v15)" <<<"$out" || fail "second import: $out"
[ "$(git -C "$repo" tag -l | wc -l)" -eq "$tags_before" ] || fail "a refused import wrote tags"
grep -q "Imported: yes" <(git -C "$repo" cat-file -p privacy/v1) || fail "no Imported trailer"

# Lint without errors, and without --force anywhere: at the dates the texts state, no error at
# all; now, nothing that would block (the text's own date is older than now, as in the last
# imported edition).
declare -A effective=([privacy]=2025-07-01 [terms]=2025-01-01)
for doc in privacy terms; do
  run lint "$doc" >/dev/null 2>&1 || fail "lint $doc would refuse publishing"
  if ! out="$(run lint "$doc" --effective-from "${effective[$doc]}T00:00:00+05:00" 2>&1)"; then
    echo "$out" >&2
    fail "lint $doc found errors"
  fi
  if grep -q "error \[" <<<"$out"; then
    echo "$out" >&2
    fail "lint $doc reports errors"
  fi
done

# log: one row per distinct text (and the registration), renames followed, side branches and
# merges that do not change the text left out.
log_privacy="$(run log privacy)"
[ "$(wc -l <<<"$log_privacy")" -eq 16 ] || {
  echo "$log_privacy" >&2
  fail "log privacy: expected 16 rows"
}
grep -q "Add privacy statement  \[v1\]" <<<"$log_privacy" || fail "log privacy: the rename is not followed"
grep -q "Register the policies with charta  \[draft\]" <<<"$log_privacy" ||
  fail "log privacy: the registration is missing"
if grep -q "Privacy: rights of data subjects\|Merge branch 'api-terms'\|Rename privacy" \
  <<<"$log_privacy"; then
  fail "log privacy lists side-branch commits, other merges or the rename"
fi
[ "$(run log terms | wc -l)" -eq 19 ] || fail "log terms: expected 19 rows"
[ "$(run log terms --all | wc -l)" -eq 50 ] || fail "log terms --all: expected 50 rows"

# An edition published at a commit that does not touch the text is shown by log all the same.
printf '\nReviewed in 2026.\n' >>"$repo/Policies/terms.md"
git -C "$repo" add Policies/terms.md
commit "Terms: note the review"
printf '\nSee the policies.\n' >>"$repo/README.md"
git -C "$repo" add README.md
commit "README: point to the policies"
run publish terms "${as[@]}" >/dev/null || fail "publish terms after the import refused"
log_terms="$(run log terms)"
grep -q "README: point to the policies  \[v19\]" <<<"${log_terms%%$'\n'*}" ||
  fail "log terms does not show the edition published at a README commit: ${log_terms%%$'\n'*}"
if run import terms >/dev/null 2>&1; then fail "import passed while terms has a live edition"; fi

# Served by `charta serve`: the archive lists the imported editions with their real dates, the
# API says "imported": true, the feed marks them, and the record of editions chains them.
"$charta" --repo "$repo" -D ledger.uri="sqlite:$tmp/ledger.db" -D server.port=0 \
  -D server.port_file="$tmp/port" serve >"$tmp/serve.out" 2>"$tmp/serve.err" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$tmp"' EXIT
for _ in $(seq 300); do
  [ -s "$tmp/port" ] && break
  kill -0 "$server" 2>/dev/null || fail "charta serve ended: $(cat "$tmp/serve.err")"
  sleep 0.1
done
[ -s "$tmp/port" ] || fail "charta serve did not listen within 30 s"
base="http://127.0.0.1:$(cat "$tmp/port")"
get() { curl -sSf --max-time 30 "$base$1"; }

archive="$(get /privacy/versions)" || fail "GET /privacy/versions failed"
[ "$(grep -o 'class="imported"' <<<"$archive" | wc -l)" -eq 15 ] ||
  fail "the archive does not mark the 15 imported editions"
archived="$(grep -o 'datetime="[^"]*"' <<<"$archive" | sed 's/datetime="\(.*\)"/\1/' |
  while read -r t; do date -u -d "$t" +%s; done | sort -u)"
editions="$(get "/api/v1/documents/privacy/editions?limit=100")" || fail "GET editions failed"
[ "$(grep -o '"imported":true' <<<"$editions" | wc -l)" -eq 15 ] ||
  fail "the API does not say \"imported\": true of the 15 editions"
for commit in f9b2a3d2de85335a83f390310dc8ffb8bcaeb9bd 7400e76a94f85674e0748f33cfb38ecdb0da51da \
  dc35b437a8f5d2ced2b7e24c6fd1a6375b871eb1 5f29891df139391743902e1d273561ca566de8cc \
  51814440cd25d7958c32295750938562519ec463; do
  moment="$(grep "^$commit " "$tmp/dates.txt" | cut -d' ' -f2)"
  grep -q "\"effective_from\":\"$moment\"" <<<"$editions" || fail "the API lacks $moment"
  grep -qx "$(date -u -d "$moment" +%s)" <<<"$archived" || fail "the archive lacks $moment"
done
feed="$(get /privacy/feed.atom)" || fail "GET /privacy/feed.atom failed"
[ "$(grep -o 'term="imported"' <<<"$feed" | wc -l)" -eq 15 ] ||
  fail "the feed does not mark the 15 imported editions"
chained="$(sqlite3 "$tmp/ledger.db" "select count(*) from events where kind = 'edition.published' \
  and document = 'privacy' and instr(cast(bytes as text), 'imported:3:yes') > 0")"
[ "$chained" -eq 15 ] || fail "the record of editions chains $chained imported editions, not 15"
kill -TERM "$server"
wait "$server" || fail "charta serve did not stop cleanly: $(cat "$tmp/serve.err")"
trap 'rm -rf "$tmp"' EXIT

run build-site --out "$tmp/site" >/dev/null || fail "build-site failed"
pages=0
declare -A broken=([f-payment-billing]=terms/v1 [i-additional-notice-for-california-residents]=privacy/v7)
while IFS= read -r -d '' page; do
  pages=$((pages + 1))
  ids="$(grep -o ' id="[^"]*"' "$page" | sed 's/ id="\(.*\)"/\1/' | sort -u)"
  while IFS= read -r target; do
    [ -n "$target" ] || continue
    grep -qxF "$target" <<<"$ids" && continue
    # Two revisions of the history link a slug GitHub never made, fixed by the next revision
    # (tests/adoption/README.md, steps 03 and 27): their imported editions show them as written.
    [ "${broken[$target]:-}/index.html" = "${page#"$tmp/site/"}" ] && continue
    fail "${page#"$tmp/site/"}: href=\"#$target\" reaches nothing"
  done < <(grep -o 'href="#[^"]*"' "$page" | sed 's/href="#\(.*\)"/\1/' | sort -u)
done < <(find "$tmp/site" -name '*.html' -print0)
[ "$pages" -gt 0 ] || fail "build-site wrote no page"

privacy="$tmp/site/privacy/index.html"
for id in a-information-we-collect j-childrens-privacy personal-information cookies your-rights contacting-us your-choices; do
  grep -q " id=\"$id\"" "$privacy" || fail "the privacy page has no element #$id"
done
if grep -q "markdownlint" "$privacy"; then fail "an HTML comment reached the page"; fi

# The redline of the terms between the published edition of 2019 (24) and HEAD names lettered
# clauses and never shows comments or link syntax.
# Both are older than charta.xml: the charta.xml that adopted them speaks for them.
old=6bbd47635747227991a4e39833f9906cfc871f98
new=51814440cd25d7958c32295750938562519ec463
diff="$(run diff terms "$old" "$new" --color never 2>&1)" || true
grep -q "^changed B\.1\|B\.1" <<<"$diff" || {
  echo "$diff" | head -40 >&2
  fail "the redline of the terms names no lettered clause"
}
if grep -q "markdownlint" <<<"$diff"; then fail "the redline shows comments"; fi
echo "$diff" >"${ADOPTION_DIFF_OUT:-/dev/null}"
echo "adoption ok: $pages pages"
