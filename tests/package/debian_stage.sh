#!/usr/bin/env bash
# The Debian package on a fresh Debian 12, as an operator installs it. Builds the package of
# BUILD_DIR with CPack, and a second one of a higher version, then in a fresh Debian 12 root made
# by debootstrap (minbase and man-db), chrooted, in a network namespace of its own:
#   1. dpkg -i fails on the missing libraries and apt-get -f install resolves every one;
#   2. postinst made the user charta, /var/lib/charta (0750) and the conffile 0640 root:charta,
#      and enabled the unit;
#   3. the unit's own commands, run as its User= and Group= with its Environment= and
#      WorkingDirectory= (no systemd in a chroot),
#      create the policy repository with `charta init` and serve /personal-data with the
#      packaged configuration; `man charta` renders;
#   4. editions v2 and an upcoming v3 are published and consents recorded through the API;
#   5. the higher version installed over it keeps the configuration, the editions (the same
#      pages, byte for byte) and the ledger (verify passes, the same chain head);
#   6. a ledger whose schema is newer than the build, after a downgrade to the first package:
#      charta serve refuses to start and the commands fail, with a clear message, and nothing
#      in the ledger changes;
#   7. purge removes the configuration, says where the records are and leaves them.
#
#   tests/package/debian_stage.sh [BUILD_DIR]     (as root; default build/default)
#
# Needs root (debootstrap, chroot, mount, ip netns), debootstrap and the Debian mirror
# (CHARTA_DEBIAN_MIRROR, default http://deb.debian.org/debian). Prints its duration.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=$(cd "${1:-build/default}" && pwd)
mirror=${CHARTA_DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [ "$(id -u)" -ne 0 ]; then
  echo "package stage: not run: it needs root (debootstrap, chroot, mount and a network" \
    "namespace for the Debian 12 root); run scripts/test.sh as root" >&2
  exit 1
fi
started=$(date +%s)
step() { echo "-- $* ($(($(date +%s) - started)) s)"; }
fail() {
  echo "FAIL: $*" >&2
  for f in "$work"/serve.err "$work"/apt.log; do
    [ -s "$f" ] && { echo "== $f" >&2; tail -20 "$f" >&2; }
  done
  exit 1
}

work=$(mktemp -d /var/tmp/charta-package.XXXXXX)
chmod 0755 "$work"
root=$work/root
netns=charta-package-$$
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  ip netns pids "$netns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  ip netns del "$netns" 2>/dev/null || true
  mountpoint -q "$root/proc" && umount -l "$root/proc"
  rm -rf "$work"
}
trap cleanup EXIT

# --- the packages ---------------------------------------------------------------------------------
step "building the package (CPack)"
cmake --build "$build" --target package >"$work/cpack.log" 2>&1 || fail "cpack: $(tail "$work/cpack.log")"
older=$(ls "$build"/charta_*.deb | head -1)
version=$(dpkg-deb -f "$older" Version)
newer_version="$version+1"
(cd "$work" && cpack --config "$build/CPackConfig.cmake" -B "$work/newer" \
  -D CPACK_PACKAGE_VERSION="$newer_version" >"$work/cpack2.log" 2>&1) ||
  fail "cpack (newer): $(tail "$work/cpack2.log")"
newer=$(ls "$work"/newer/charta_*.deb | head -1)
[ "$(dpkg-deb -f "$newer" Version)" = "$newer_version" ] || fail "the second package is not $newer_version"
dpkg --compare-versions "$newer_version" gt "$version" || fail "$newer_version is not higher"

depends=$(dpkg-deb -f "$older" Depends)
for lib in libpocofoundation80 libpoconet80 libpocoutil80 libpocodatasqlite80 \
  libpocodatapostgresql80 libgit2-1.5 libcmark-gfm0 libcmark-gfm-extensions0 libpugixml1v5 \
  libpq5 libsqlite3-0; do
  [[ $depends == *"$lib"* ]] || fail "Depends lacks $lib: $depends"
done
[ "$(dpkg-deb --ctrl-tarfile "$older" | tar -xOf - ./conffiles)" = /etc/charta/charta.ini ] ||
  fail "/etc/charta/charta.ini is not the conffile"
dpkg-deb -c "$older" >"$work/contents"
for f in ./usr/bin/charta ./usr/share/charta/templates/page.xhtml ./usr/share/charta/policies/charta.xml \
  ./usr/share/charta/api/openapi.json ./usr/share/man/man1/charta.1.gz \
  ./usr/share/bash-completion/completions/charta ./lib/systemd/system/charta.service \
  ./etc/charta/charta.ini; do
  grep -q " $f\$" "$work/contents" || fail "the package has no $f"
done
echo "package $(basename "$older") ($(du -k "$older" | cut -f1) KiB), Depends: $depends"

# --- a fresh Debian 12 root -----------------------------------------------------------------------
step "debootstrap (minbase, man-db) from $mirror"
mkdir -p "$work/debs"
debootstrap --variant=minbase --include=man-db --cache-dir="$work/debs" bookworm "$root" "$mirror" \
  >"$work/debootstrap.log" 2>&1 || fail "debootstrap: $(tail "$work/debootstrap.log")"
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
EOF
mount -t proc proc "$root/proc"
cp "$older" "$root/tmp/older.deb"
cp "$newer" "$root/tmp/newer.deb"
ip netns add "$netns"
# nsenter rather than `ip netns exec` or `ip -n`, which remount / and /sys and fail where / is
# no mount point (this stage run inside a chroot).
in_net() { nsenter --net="/run/netns/$netns" "$@"; }
in_net ip link set lo up
in_root() { in_net chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
  DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }

# --- 1. install -----------------------------------------------------------------------------------
step "dpkg -i, then apt-get -f install"
if in_root dpkg -i /tmp/older.deb >"$work/apt.log" 2>&1; then
  fail "dpkg -i succeeded in a root without charta's libraries"
fi
grep -q "dependency problems" "$work/apt.log" || fail "dpkg -i failed otherwise: $(tail "$work/apt.log")"
# apt reaches the mirror from the host's network namespace.
chroot "$root" apt-get update -qq >>"$work/apt.log" 2>&1 || fail "apt-get update"
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -f install -y -qq --no-install-recommends \
  >>"$work/apt.log" 2>&1 || fail "apt-get -f install"
# The server that receives the legal team's pushes runs git itself (the package suggests it): the
# pre-receive hook `charta init` installs runs there, beside /usr/bin/charta.
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends git \
  >>"$work/apt.log" 2>&1 || fail "apt-get install git"
[ "$(in_root dpkg-query -W -f '${Status} ${Version}' charta)" = "install ok installed $version" ] ||
  fail "charta $version is not installed"
in_root ldd /usr/bin/charta | grep "not found" && fail "libraries missing"

# --- 2. what postinst made ------------------------------------------------------------------------
step "postinst: user, state directory, conffile"
[[ $(in_root getent passwd charta) == *":/var/lib/charta:/usr/sbin/nologin" ]] ||
  fail "no system user charta"
[ "$(in_root stat -c '%U:%G %a' /var/lib/charta)" = "charta:charta 750" ] || fail "/var/lib/charta"
[ "$(in_root stat -c '%U:%G %a' /etc/charta/charta.ini)" = "root:charta 640" ] || fail "charta.ini mode"
wants=/etc/systemd/system/multi-user.target.wants/charta.service
[ "$(readlink "$root$wants")" = /lib/systemd/system/charta.service ] || fail "the unit is not enabled"
in_root man charta >"$work/man.txt" 2>"$work/man.err" || fail "man charta: $(cat "$work/man.err")"
grep -q "^COMMANDS" "$work/man.txt" && grep -q "^   serve" "$work/man.txt" || fail "man charta"

# --- 3. the unit's commands -----------------------------------------------------------------------
unit=$root/lib/systemd/system/charta.service
unit_key() { sed -n "s/^$1=//p" "$unit"; }
user=$(unit_key User)
group=$(unit_key Group)
workdir=$(unit_key WorkingDirectory)
mapfile -t unit_env < <(unit_key Environment)
mapfile -t unit_pre < <(unit_key ExecStartPre)
unit_start=$(unit_key ExecStart)
[ -n "$user" ] && [ -n "$group" ] && [ -n "$workdir" ] && [ "${#unit_env[@]}" -gt 0 ] &&
  [ -n "$unit_start" ] || fail "the unit lacks User, Group, WorkingDirectory, Environment or ExecStart"
# A shell command line as the unit runs its commands: its user and group, its environment, its
# working directory. Every step execs the next, so the server's pid is the one started here.
unit_argv=(nsenter --net="/run/netns/$netns" chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin
  LC_ALL=C.UTF-8 setpriv --reuid="$user" --regid="$group" --init-groups
  env HOME="$workdir" "${unit_env[@]}" sh -c)
as_unit() { "${unit_argv[@]}" "cd $workdir && $1"; }
charta() { as_unit "exec /usr/bin/charta $*"; }
start_unit() {
  local pre
  for pre in "${unit_pre[@]}"; do
    as_unit "$pre" >>"$work/pre.log" 2>&1 || fail "ExecStartPre $pre: $(cat "$work/pre.log")"
  done
  "${unit_argv[@]}" "cd $workdir && exec $unit_start" >"$work/serve.out" 2>"$work/serve.err" &
  server=$!
  for _ in $(seq 1 300); do
    in_net curl -sf -o /dev/null http://127.0.0.1:8080/livez && return
    kill -0 "$server" 2>/dev/null || fail "charta serve ended"
    sleep 0.1
  done
  fail "charta serve did not answer within 30 s"
}
stop_unit() {
  kill -TERM "$server"
  wait "$server" || fail "charta serve did not stop cleanly"
  server=""
}
http() { in_net curl -sS "$@"; }

step "first start: charta init, then serve"
start_unit
grep -q "^created /var/lib/charta/policies.git" "$work/pre.log" &&
  grep -q "^published personal-data v1" "$work/pre.log" ||
  fail "the first start did not create the repository: $(cat "$work/pre.log")"
[ "$(http -o "$work/page" -w '%{http_code}' http://127.0.0.1:8080/personal-data)" = 200 ] ||
  fail "/personal-data"
grep -q "Политика конфиденциальности" "$work/page" || fail "/personal-data has not the policy"
stop_unit

# --- 4. editions and consents ---------------------------------------------------------------------
step "editions v2, v3 (upcoming) and consents"
charta token new --name package-test --roles site+legal+auditor >"$work/token" ||
  fail "charta token new"
token=$(grep -o 'charta_[A-Za-z0-9_-]*' "$work/token" | head -1)
entry=$(grep -o 'package-test:[a-z+]*:[0-9a-f]\{64\}' "$work/token")
[ -n "$token" ] && [ -n "$entry" ] || fail "charta token new printed: $(cat "$work/token")"
sed -i "s|^; tokens =$|tokens = $entry|" "$root/etc/charta/charta.ini"
grep -q "^tokens = $entry" "$root/etc/charta/charta.ini" || fail "token entry not written"
config_sum=$(sha256sum <"$root/etc/charta/charta.ini")

# The legal team edits with git on the server (as the user charta: the repository stays its own),
# as a push over ssh would: receive-pack and its pre-receive hook run where charta is installed.
uid=$(stat -c %u "$root/var/lib/charta")
gid=$(stat -c %g "$root/var/lib/charta")
legal_git() { in_root setpriv --reuid="$uid" --regid="$gid" --clear-groups env HOME=/tmp \
  GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME="Legal Team" GIT_AUTHOR_EMAIL=legal@shop.test \
  GIT_COMMITTER_NAME="Legal Team" GIT_COMMITTER_EMAIL=legal@shop.test git "$@"; }
legal_git clone -q /var/lib/charta/policies.git /tmp/legal
edit() {
  printf '\n%s\n' "$1" >>"$root/tmp/legal/personal-data/ru.md"
  legal_git -C /tmp/legal commit -qam edit
  legal_git -C /tmp/legal push -q origin HEAD
}
edit "9.4. Вопросы по пп. 5.2. и 5.3. направляйте Администрации сайта."
charta publish personal-data --summary "'Пункт 9.4'" >/dev/null || fail "publish v2"
edit "9.5. Политика доступна также в архиве редакций."
charta publish personal-data --effective-from 2099-01-01T00:00:00+05:00 >/dev/null || fail "publish v3"

start_unit
auth=(-H "Authorization: Bearer $token" -H "Content-Type: application/json")
for i in 1 2 3; do
  code=$(http -o "$work/receipt$i" -w '%{http_code}' "${auth[@]}" -H "Idempotency-Key: package-$i" \
    -d "{\"subject\":\"package-subject-$i\",\"document\":\"personal-data\",\"edition\":\"v2\",
         \"language\":\"ru\",\"purposes\":[\"marketing\"],\"collection_method\":\"web-form\"}" \
    http://127.0.0.1:8080/api/v1/consents)
  [ "$code" = 201 ] || fail "consent $i: $code $(cat "$work/receipt$i")"
done
snapshot() { # what must survive an upgrade, into $1
  mkdir -p "$1"
  for p in /personal-data /personal-data/v1 /personal-data/v2 /personal-data/v3 \
    /api/v1/documents/personal-data/editions /api/v1/subjects/package-subject-2/consents; do
    http -f "${auth[@]}" -o "$1/$(echo "$p" | tr / _)" "http://127.0.0.1:8080$p" || fail "GET $p"
  done
}
snapshot "$work/before"
grep -o '"v[0-9]*"' "$work/before/_api_v1_documents_personal-data_editions" | sort -u | tr '\n' ' ' |
  grep -q '"v1" "v2" "v3"' || fail "the editions are not v1, v2, v3"
stop_unit
charta ledger verify --json >"$work/verify.before" || fail "ledger verify before the upgrade"
# Three consents and the publications of v1, v2 and v3, each chained before it was served.
python3 -c 'import json, sys; v = json.load(sys.stdin); sys.exit(not (v["ok"] and v["checked"] == 6))' \
  <"$work/verify.before" || fail "the ledger does not hold 6 good events: $(cat "$work/verify.before")"
refs() { legal_git -C /var/lib/charta/policies.git for-each-ref --format='%(refname) %(objectname)'; }
tags_before=$(refs)

# --- 5. upgrade -----------------------------------------------------------------------------------
step "upgrade to $newer_version"
in_root dpkg -i /tmp/newer.deb >"$work/apt.log" 2>&1 || fail "dpkg -i of the newer package"
[ "$(in_root dpkg-query -W -f '${Version}' charta)" = "$newer_version" ] || fail "not upgraded"
[ "$(sha256sum <"$root/etc/charta/charta.ini")" = "$config_sum" ] || fail "the configuration changed"
[ "$(in_root stat -c '%U:%G %a' /etc/charta/charta.ini)" = "root:charta 640" ] || fail "charta.ini mode"
[ "$(refs)" = "$tags_before" ] || fail "the repository's refs changed"
: >"$work/pre.log"
start_unit
[ ! -s "$work/pre.log" ] || fail "the start after the upgrade ran charta init: $(cat "$work/pre.log")"
snapshot "$work/after"
diff -r "$work/before" "$work/after" >/dev/null || fail "editions served differ after the upgrade"
stop_unit
charta ledger verify --json >"$work/verify.after" || fail "ledger verify after the upgrade"
# The same events, chain head and tree; only the anchors may have grown (the server anchors what
# it finds unanchored when it starts).
python3 - "$work/verify.before" "$work/verify.after" <<'PY' || fail "the ledger changed: $(cat "$work/verify.after")"
import json, sys
before, after = (json.load(open(f)) for f in sys.argv[1:])
keys = ("ok", "checked", "head_seq", "head_hash", "tree_size", "root", "findings")
sys.exit(not (after["ok"] and all(before[k] == after[k] for k in keys)))
PY

# --- 6. downgrade over a newer ledger schema ------------------------------------------------------
step "downgrade to $version over a ledger of a newer schema"
db=$root/var/lib/charta/consents.db
setpriv --reuid="$uid" --regid="$gid" --clear-groups sqlite3 "$db" \
  "INSERT INTO schema_version (version, applied_at) SELECT MAX(version) + 1, 0 FROM schema_version"
db_sum=$(sha256sum <"$db")
in_root dpkg -i /tmp/older.deb >"$work/apt.log" 2>&1 || fail "dpkg -i of the older package"
if charta ledger verify >"$work/verify.newer" 2>&1; then fail "verify accepted a newer schema"; fi
grep -q "newer than this build of charta knows" "$work/verify.newer" ||
  fail "no clear message: $(cat "$work/verify.newer")"
for pre in "${unit_pre[@]}"; do
  as_unit "$pre" >>"$work/pre.log" 2>&1 || fail "ExecStartPre $pre: $(cat "$work/pre.log")"
done
if "${unit_argv[@]}" "cd $workdir && exec $unit_start" >"$work/serve.out" 2>"$work/serve.err"; then
  fail "charta serve started over a ledger of a newer schema"
fi
grep -q "newer than this build of charta knows" "$work/serve.err" "$work/serve.out" ||
  fail "serve did not say why it refuses to start: $(cat "$work/serve.err" "$work/serve.out")"
[ "$(sha256sum <"$db")" = "$db_sum" ] || fail "the refused ledger was written to"
echo "refused: $(head -1 "$work/verify.newer")"

# --- 7. purge -------------------------------------------------------------------------------------
step "purge keeps the repository and the ledger"
in_root dpkg --purge charta >"$work/purge.log" 2>&1 || fail "dpkg --purge: $(cat "$work/purge.log")"
grep -q "kept /var/lib/charta" "$work/purge.log" || fail "purge does not say what it kept"
[ -d "$root/var/lib/charta/policies.git" ] && [ -f "$db" ] || fail "purge removed the records"
[ ! -e "$root/etc/charta/charta.ini" ] || fail "purge left the configuration"
[ ! -L "$root$wants" ] || fail "purge left the unit enabled"

echo "package stage passed in $(($(date +%s) - started)) s"
