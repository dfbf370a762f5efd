#!/usr/bin/env bash
# Builds the adoption fixture: a git repository with the traits of a large real English policy
# repository that a legal team brings to charta (see README.md beside this script).
#
#   make_fixture.sh DIR [DATES]
#
# DIR must not exist or be empty; it becomes a non-bare repository on branch main, 49 commits
# from 2015 to 2025, the work tree clean at the last one. The commit ids are the same on every run
# and every machine (fixed people, dates and messages; no user or system git configuration is
# read). DATES, when given, receives one line "<commit id> <RFC 3339 moment>" for each revision
# whose publication date the team knows; tests/adoption/dates.txt is that file as committed.
# Prints the id of main's last commit. Needs only bash, git and coreutils.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 DIR [DATES]" >&2
  exit 2
fi
dir="$1"
dates=""
if [ $# -eq 2 ]; then
  dates="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
fi
texts="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/texts"

if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
  echo "$dir exists and is not empty" >&2
  exit 1
fi

# Nothing from the caller's environment may reach the objects: no configuration files, no
# repository or index named by the environment, a fixed zone and locale, a fixed umask.
while IFS= read -r name; do
  case "$name" in
    GIT_*) unset "$name" ;;
  esac
done < <(compgen -e)
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 HOME=/nonexistent
export TZ=UTC LC_ALL=C LANG=C
umask 022

declare -A who=(
  [maren]="Maren Holt <maren.holt@example.org>"
  [tobias]="Tobias Okafor <tobias.okafor@example.org>"
  [lucia]="Lucía Ferrer <lucia.ferrer@example.org>"
  [priya]="Priya Raman <priya.raman@example.org>"
  [github]="GitHub <noreply@github.com>"
)

mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
git init -q --template= "$dir"
cd "$dir"
git symbolic-ref HEAD refs/heads/main

published=""

# people AUTHOR [COMMITTER]: sets the identities of the next commit.
people() {
  local a="${who[$1]}" c="${who[${2:-$1}]}"
  export GIT_AUTHOR_NAME="${a% <*}" GIT_AUTHOR_EMAIL="${a##*<}"
  export GIT_COMMITTER_NAME="${c% <*}" GIT_COMMITTER_EMAIL="${c##*<}"
  GIT_AUTHOR_EMAIL="${GIT_AUTHOR_EMAIL%>}"
  GIT_COMMITTER_EMAIL="${GIT_COMMITTER_EMAIL%>}"
}

# when AUTHORED [COMMITTED]: sets the dates of the next commit (RFC 3339 with offsets).
when() {
  export GIT_AUTHOR_DATE="$1" GIT_COMMITTER_DATE="${2:-$1}"
}

# step NN WHO DATE SUBJECT [BODY]: applies texts/NN-*.patch and commits it.
step() {
  local patches=("$texts/$1"-*.patch)
  if [ ${#patches[@]} -ne 1 ] || [ ! -f "${patches[0]}" ]; then
    echo "no single patch for step $1 in $texts" >&2
    exit 1
  fi
  git apply --index --whitespace=nowarn "${patches[0]}"
  people "$2"
  when "$3" "${COMMITTED:-$3}"
  if [ $# -ge 5 ]; then
    git commit -q --no-verify -m "$4" -m "$5"
  else
    git commit -q --no-verify -m "$4"
  fi
}

# merge BRANCH WHO DATE SUBJECT [BODY]: merges BRANCH into the current branch with a merge
# commit even where a fast-forward was possible, then deletes BRANCH.
merge() {
  people "$2" "${COMMITTER:-$2}"
  when "$3"
  if [ $# -ge 5 ]; then
    git merge -q --no-ff --no-verify -m "$4" -m "$5" "$1"
  else
    git merge -q --no-ff --no-verify -m "$4" "$1"
  fi
  git branch -q -d "$1"
}

branch() { git checkout -q -b "$1"; }
switch() { git checkout -q "$1"; }

# published MOMENT: the last commit was published at MOMENT.
published() { published+="$(git rev-parse HEAD) $1"$'\n'; }

step 01 maren 2015-02-10T09:30:00-08:00 "Add README"
step 02 maren 2015-02-17T14:05:00-08:00 "Add privacy statement"
published 2015-02-20T09:00:00-08:00
step 03 maren 2015-02-24T11:20:00-08:00 "Add terms of service"
step 04 maren 2015-02-26T16:45:00-08:00 "Terms: fix typos and the links to the billing section"
published 2015-02-27T10:00:00-08:00
step 05 tobias 2015-06-15T17:10:00+01:00 "Privacy: describe cookies and similar technologies" \
  "Effective July 1, 2015."
published 2015-06-18T09:00:00+01:00
step 06 priya 2016-01-12T13:00:00-08:00 "Add markdownlint configuration"
step 07 priya 2016-01-13T10:30:00-08:00 "Silence markdownlint on anchors and repeated headings"

branch api-terms
step 08 maren 2016-03-08T15:00:00-08:00 "Terms: add API access terms"
step 09 priya 2016-03-09T09:40:00-08:00 "README: mention the API terms"
switch main
step 10 tobias 2016-03-21T11:00:00+00:00 "Privacy: say more about service providers"
switch api-terms
step 11 maren 2016-04-04T14:20:00-07:00 "Terms: link the API rate limits; effective May 1, 2016"
switch main
merge api-terms maren 2016-04-12T10:00:00-07:00 "Merge branch 'api-terms'"
published 2016-04-15T09:00:00-07:00

step 13 tobias 2016-09-20T16:30:00+01:00 "Privacy: add data retention section" \
  "Effective October 1, 2016."
step 14 priya 2017-02-07T10:00:00-08:00 "README: how to propose a change"
step 15 maren 2017-05-16T14:00:00-07:00 "Terms: wrap long lines"
step 16 maren 2017-10-10T10:00:00-07:00 "Terms: add acceptable use section" \
  "The new section C moves the later sections down one letter. Effective November 15, 2017."
published 2017-10-16T09:00:00-07:00
step 17 tobias 2018-03-20T12:00:00+00:00 "Rename privacy-statement.md to privacy.md" \
  "The site serves the statement at /privacy; the file name now matches it. The links in the
terms and the README follow."

branch gdpr
step 18 tobias 2018-04-10T11:00:00+01:00 "Privacy: rights of data subjects and legal bases"
step 19 lucia 2018-04-18T15:30:00+01:00 \
  "Privacy: controller, EU representative and international transfers"
switch main
COMMITTED=2018-04-25T09:15:00-07:00 \
  step 20 maren 2018-04-23T16:40:00-07:00 "Terms: refund yearly plans cancelled within 14 days"
switch gdpr
step 21 lucia 2018-04-26T10:00:00+01:00 "README: privacy reviews"
step 22 tobias 2018-05-02T17:00:00+01:00 "Privacy: effective May 25, 2018"
switch main
merge gdpr tobias 2018-05-10T10:00:00+01:00 "Merge branch 'gdpr'"
published 2018-05-11T09:00:00+01:00

step 24 maren 2018-11-06T13:00:00-08:00 "Terms: put payment before the intellectual property notice" \
  "Effective January 1, 2019."
published 2018-11-30T09:00:00-08:00
step 25 priya 2019-08-20T10:00:00-07:00 "Add markdownlint workflow"
step 26 priya 2019-09-03T10:00:00-07:00 "CI: lint only the policies"
step 27 tobias 2019-11-19T16:00:00+00:00 "Privacy: additional notice to California residents" \
  "Effective January 1, 2020."
step 28 tobias 2019-12-02T10:00:00+00:00 "Privacy: fix the link to the California notice"
published 2019-12-05T09:00:00+00:00
step 29 maren 2020-03-10T11:00:00-07:00 "Terms: rework the limitation of liability" \
  "Effective April 1, 2020."

branch status-links
step 30 priya 2020-06-02T09:00:00-07:00 "Terms: use https for links to our sites"
step 31 priya 2020-06-02T09:20:00-07:00 "Privacy: use https for the security page"
step 32 priya 2020-06-03T14:00:00-07:00 "README: list the sites the policies link to"
switch main
COMMITTER=github merge status-links priya 2020-06-05T10:12:00-07:00 \
  "Merge pull request #41 from fernhill/status-links" "Use https for links to our other sites"

step 34 maren 2020-10-27T15:00:00-07:00 "Terms: remove trailing whitespace"
step 35 maren 2021-02-09T10:00:00-08:00 "Terms: previews" "Effective March 1, 2021."
step 36 lucia 2021-07-13T12:00:00+01:00 "Privacy: children's privacy" "Effective August 1, 2021."
step 37 priya 2021-07-14T09:00:00-07:00 "README: maintainers"
step 38 priya 2022-01-18T10:00:00-08:00 "CI: update actions"
step 39 tobias 2022-04-05T14:00:00+01:00 "Privacy: wrap long lines"
step 40 maren 2022-09-13T11:00:00-07:00 "Terms: dispute resolution and arbitration" \
  "Effective October 1, 2022."
step 41 maren 2023-01-24T10:00:00-08:00 \
  "Terms: two-factor authentication and information usage; effective March 1, 2023"
step 42 maren 2023-01-25T09:00:00-08:00 "Terms: update the effective date in the front matter"
published 2023-02-01T09:00:00-08:00
step 43 tobias 2023-02-14T15:00:00+00:00 "Privacy: publish the list of subprocessors" \
  "Effective March 1, 2023."
step 44 lucia 2024-03-12T10:00:00+00:00 "Privacy: cookie categories and consent" \
  "Effective April 15, 2024."
step 45 priya 2024-06-04T10:00:00-07:00 "README: review calendar"
step 46 maren 2024-11-19T13:00:00-08:00 "Terms: plain-language account terms" \
  "Effective January 1, 2025."
step 47 maren 2025-02-11T10:00:00-08:00 "Update the postal address in both policies"
step 48 priya 2025-04-08T10:00:00-07:00 "CI: use the markdownlint-cli2 action"
step 49 tobias 2025-06-17T14:00:00+01:00 "Privacy: shorter retention of server logs" \
  "Effective July 1, 2025."
published 2025-06-20T09:00:00+01:00

if [ -n "$(git status --porcelain)" ]; then
  echo "the work tree of $dir is not clean" >&2
  exit 1
fi
if [ -n "$dates" ]; then
  printf '%s' "$published" >"$dates"
fi
git rev-parse HEAD
