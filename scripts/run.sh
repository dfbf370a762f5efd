#!/usr/bin/env bash
# The main job on the embedded default: installs what is missing, builds charta, creates the
# policy repository var/policies.git from policies/ if there is none, publishes v1, and prints
# the edition in force. Run from anywhere; state lives in var/ of the checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh build
cmake --preset default >/dev/null
cmake --build --preset default
mkdir -p var
./build/default/src/app/charta init
./build/default/src/app/charta in-force personal-data
