#!/usr/bin/env bash
# Installs the Debian 12 packages charta needs. "build" installs what building and running need;
# "test" adds what the test suite needs (PostgreSQL, sqlite3, the git CLI, Chromium, Node.js, a
# Java runtime for the Nu HTML checker, fonts for screenshots, clang 14 and its libFuzzer for
# scripts/fuzz.sh, debootstrap, file, iproute2 and man-db for the Debian package stage, tzdata for
# the time zone tests); "bench"
# adds nginx and wrk to those (tests/bench). Idempotent: apt-get runs only when a package is
# missing.
set -euo pipefail

build_pkgs=(build-essential cmake ninja-build pkg-config git ca-certificates
  libpoco-dev libgit2-dev libcmark-gfm-dev libcmark-gfm-extensions-dev libpugixml-dev
  libpq-dev libsqlite3-dev doctest-dev)
test_pkgs=(postgresql sqlite3 clang-format clang-tidy-14 cppcheck chromium nodejs curl procps
  default-jre-headless fonts-dejavu-core openssl clang-14 libclang-rt-14-dev python3
  debootstrap file iproute2 man-db tzdata)
# Debian's nodejs comes without npm; NodeSource's ships it and conflicts with Debian's npm.
command -v npm >/dev/null 2>&1 || test_pkgs+=(npm)
bench_pkgs=(nginx-light wrk)

pkgs=("${build_pkgs[@]}")
case "${1:-build}" in
  test) pkgs+=("${test_pkgs[@]}") ;;
  bench) pkgs+=("${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "charta: missing packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
