#!/usr/bin/env bash
# Runs scripts/test.sh in a fresh Debian 12 root: debootstrap (the default variant, nothing
# else), a clone of the committed tree (HEAD) in /src, /proc, /sys and /dev mounted, then
# `./scripts/test.sh` as root inside it, as CI runs it. Everything the tests need (Debian's
# nodejs 18 and npm included) is installed by the tests' own scripts from Debian's packages and
# the npm registry. Prints the duration; exits with test.sh's status.
#
#   scripts/test-fresh-debian.sh [ROOT]     (as root; default /var/tmp/charta-debian12)
#
# The root is left in place for inspection (build/ and logs under ROOT/src); remove it with
# `rm -rf ROOT` once nothing is mounted there. CHARTA_DEBIAN_MIRROR names the mirror.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${1:-/var/tmp/charta-debian12}
mirror=${CHARTA_DEBIAN_MIRROR:-http://deb.debian.org/debian}
if [ "$(id -u)" -ne 0 ]; then
  echo "test-fresh-debian: needs root (debootstrap, chroot, mount)" >&2
  exit 1
fi
if [ -e "$root" ]; then
  echo "test-fresh-debian: $root exists; remove it first (the root must be fresh)" >&2
  exit 1
fi

mounts=()
cleanup() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done
  # What the tests mounted inside (ip netns leaves /run/netns mounted).
  findmnt -rn -o TARGET | grep "^$root/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
}
trap cleanup EXIT
mount_in() { # mount_in TARGET mount-arguments...
  local target=$1
  shift
  mkdir -p "$target"
  mount "$@" "$target"
  mounts+=("$target")
}

started=$(date +%s)
echo "== debootstrap bookworm $root"
debootstrap bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
  { tail "$root.debootstrap.log" >&2; exit 1; }
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
EOF
# A clone, as CI has: test.sh lists the sources with git.
git clone -q --no-hardlinks "$PWD" "$root/src"
git -C "$root/src" checkout -q --detach "$(git rev-parse HEAD)"
mount_in "$root/proc" -t proc proc
mount_in "$root/sys" -t sysfs sysfs
mount_in "$root/dev" --rbind /dev
mount --make-rslave "$root/dev"
# Behind a TLS-inspecting proxy the host names its CA in NODE_EXTRA_CA_CERTS; npm in the root
# needs it the same way.
extra_ca=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r "$NODE_EXTRA_CA_CERTS" ]; then
  cp "$NODE_EXTRA_CA_CERTS" "$root/etc/ssl/extra-ca.crt"
  extra_ca=(NODE_EXTRA_CA_CERTS=/etc/ssl/extra-ca.crt)
fi
prepared=$(date +%s)
echo "== root ready in $((prepared - started)) s; ./scripts/test.sh in it"

status=0
chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 CI=true \
  "${extra_ca[@]}" bash -c 'cd /src && ./scripts/test.sh' </dev/null || status=$?
ended=$(date +%s)
echo "== scripts/test.sh in a fresh Debian 12 root: exit $status, $((ended - prepared)) s" \
  "(debootstrap $((prepared - started)) s)"
exit "$status"
