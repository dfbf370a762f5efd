-- wrk script for tests/bench/consent_bench.sh: every request records a new consent.
--   wrk ... -s consent_bench.lua <url> -- <bearer token> <run tag>
-- Each request has its own subject and Idempotency-Key, so nothing is a replay.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  token = args[1]
  tag = args[2] or "run"
  n = 0
  failed = 0
end

function request()
  n = n + 1
  local key = tag .. "-" .. tid .. "-" .. n
  local body = '{"subject":"bench-' .. key .. '","document":"personal-data","edition":"v1",' ..
    '"language":"ru","purposes":["marketing","account"],"collection_method":"web-form",' ..
    '"form_id":"checkout","evidence":{"user_agent":"Mozilla/5.0 charta-bench"}}'
  return wrk.format("POST", "/api/v1/consents", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = key,
  }, body)
end

function response(status, headers, body)
  if status ~= 201 then
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local failures = 0
  for _, t in ipairs(threads) do
    failures = failures + (t:get("failed") or 0)
  end
  -- One machine-readable line for the driver script.
  io.write(string.format("BENCH requests=%d elapsed=%.3f rps=%.1f p50_ms=%.2f p99_ms=%.2f " ..
                         "not_201=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, failures,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
