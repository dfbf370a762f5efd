#!/usr/bin/env bash
# Runs the worked integration on this machine: charta on http://127.0.0.1:8080 (a policy
# repository of its own in examples/shop/var, made by `charta init` the first time) and the shop
# on http://127.0.0.1:8000. Open http://127.0.0.1:8000/checkout?customer=c-1001, tick a purpose,
# order; then http://127.0.0.1:8000/account?customer=c-1001. Ctrl-C stops both.
# Needs the charta binary (cmake --build --preset default) and python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
charta=${CHARTA_BINARY:-$here/../../build/default/src/app/charta}
mkdir -p "$here/var" && cd "$here/var"
[ -e var/policies.git ] || "$charta" init
# A site token for the shop (only its SHA-256 goes to charta's configuration), a webhook secret.
json=$("$charta" --json token new --name shop --roles site)
field() { python3 -c "import json, sys; print(json.load(sys.stdin)['$1'])" <<<"$json"; }
token=$(field token)
entry=$(field config_entry)
secret=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
"$charta" -D "auth.tokens=$entry" -D site.base_url=http://127.0.0.1:8080 \
  -D webhooks.shop.url=http://127.0.0.1:8000/charta-events -D "webhooks.shop.secret=$secret" \
  -D log.access=false serve &
charta_pid=$!
trap 'kill "$charta_pid"' EXIT
CHARTA_URL=http://127.0.0.1:8080 CHARTA_SITE_TOKEN=$token CHARTA_WEBHOOK_SECRET=$secret \
  SHOP_DB="$here/var/shop.db" PYTHONDONTWRITEBYTECODE=1 python3 "$here/shop.py"
