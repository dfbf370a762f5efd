#!/usr/bin/env bash
# `cmake --install` of this build into a fresh prefix, then the installed charta with nothing set
# (no configuration file, no CHARTA_ variable, no site.data_dir) creates a policy repository
# from the installed policies/ and serves the complete site from the installed templates/,
# site/ and api/. Also: the installed man page renders without warnings, and the installed bash
# completion completes commands, options and document ids.
#
#   install_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/charta-install.XXXXXX")
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null
charta=$prefix/bin/charta
data=$prefix/share/charta

# Every part is where GNUInstallDirs puts it.
for f in bin/charta share/charta/templates/page.xhtml share/charta/site/charta.css \
  share/charta/api/openapi.json share/charta/policies/charta.xml share/man/man1/charta.1.gz \
  share/bash-completion/completions/charta etc/charta/charta.ini \
  lib/systemd/system/charta.service share/doc/charta/README.md; do
  [ -e "$prefix/$f" ] || fail "$f was not installed"
done
[ "$(stat -c %a "$prefix/etc/charta/charta.ini")" = 640 ] || fail "charta.ini is not mode 0640"
grep -q "^ExecStart=$prefix/bin/charta serve$" "$prefix/lib/systemd/system/charta.service" ||
  fail "the unit does not name the installed binary"

# The installed data, not the source tree, is served: mark the installed stylesheet.
echo "/* installed copy */" >>"$data/site/charta.css"

mkdir "$work/run"
cd "$work/run"
clean_env=(env -i PATH=/usr/bin:/bin HOME="$work")
"${clean_env[@]}" "$charta" init >"$work/init.out" 2>&1 || fail "charta init: $(cat "$work/init.out")"
[ -d var/policies.git ] || fail "charta init made no var/policies.git"
"${clean_env[@]}" "$charta" -D server.port=0 -D server.port_file="$work/port" serve \
  >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 1 300); do
  [ -s "$work/port" ] && break
  kill -0 "$server" 2>/dev/null || fail "charta serve ended: $(cat "$work/serve.err")"
  sleep 0.1
done
[ -s "$work/port" ] || fail "charta serve did not listen within 30 s"
base=http://127.0.0.1:$(cat "$work/port")

get() { curl -sS -o "$work/body" -w '%{http_code}' "$base$1"; }
[ "$(get /personal-data)" = 200 ] || fail "/personal-data: $(cat "$work/body")"
grep -q "Политика конфиденциальности" "$work/body" || fail "/personal-data has not the policy's title"
[ "$(get /assets/charta.css)" = 200 ] || fail "/assets/charta.css"
grep -q "installed copy" "$work/body" || fail "the stylesheet does not come from $data/site"
[ "$(get /api/v1/openapi.json)" = 200 ] || fail "/api/v1/openapi.json"
cmp -s "$work/body" "$data/api/openapi.json" || fail "openapi.json is not the installed one"
[ "$(get /readyz)" = 200 ] || fail "/readyz: $(cat "$work/body")"
kill -TERM "$server"
wait "$server" || fail "charta serve did not stop cleanly on SIGTERM: $(cat "$work/serve.err")"
server=""

# The man page: every command of `charta --help` has its section, and groff finds nothing wrong.
if command -v man >/dev/null; then
  MANWIDTH=100 man --warnings -l "$prefix/share/man/man1/charta.1.gz" >"$work/man.txt" 2>"$work/man.err"
  [ ! -s "$work/man.err" ] || fail "man page warnings: $(cat "$work/man.err")"
  for section in NAME SYNOPSIS DESCRIPTION COMMANDS FILES; do
    grep -q "^$section" "$work/man.txt" || fail "man page has no $section"
  done
  for c in $("$charta" --help | awk '/commands:/ { on = 1; next } on && NF == 0 { exit } on { print $1 }'); do
    grep -q "^   $c\$" "$work/man.txt" || fail "man page has no section for $c"
  done
else
  echo "man is not installed: the man page is checked in the package stage only"
fi

# Bash completion: commands, a command's options, subcommands, and document ids from the
# repository at completion time.
complete_line() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _charta
           printf "%s\n" "${COMPREPLY[@]}"' _ "$prefix/share/bash-completion/completions/charta" "$@"
}
# offers WORD COMP_WORDS...: the completion of COMP_WORDS offers WORD.
offers() {
  local want=$1
  shift
  complete_line "$@" >"$work/completion"
  grep -qx -- "$want" "$work/completion"
}
offers serve charta "" || fail "completion: no command serve"
offers publish charta pub || fail "completion: pub does not give publish"
offers --effective-from charta publish --eff ||
  fail "completion: publish --eff does not give --effective-from"
offers verify charta ledger "" || fail "completion: ledger has no verify"
offers personal-data charta show "" ||
  fail "completion: show does not offer personal-data (from var/policies.git)"
offers personal-data charta --repo var/policies.git in-force --at 2026-01-01T00:00:00+05:00 "" ||
  fail "completion: in-force --at T does not offer personal-data"
[ -z "$(complete_line charta --repo "$work/none" show "")" ] ||
  fail "completion: document ids offered without a repository"
echo "installed under $prefix: site served, man page and completion checked"
