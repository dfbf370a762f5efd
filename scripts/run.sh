#!/usr/bin/env bash
# The main job on the embedded default: installs what is missing, builds charta, creates the
# policy repository var/policies.git from policies/ if there is none, publishes v1, and serves
# the site and the API on http://127.0.0.1:8080 (the page: /personal-data) with the SQLite ledger
# var/consents.db, until Ctrl-C or SIGTERM. State lives in var/ of the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh build
cmake --preset default >/dev/null
cmake --build --preset default --target charta
mkdir -p var
./build/default/src/app/charta init
./build/default/src/app/charta in-force personal-data
echo "serving http://127.0.0.1:8080/personal-data (Ctrl-C stops)" >&2
exec ./build/default/src/app/charta serve
