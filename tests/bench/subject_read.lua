-- wrk script for tests/bench/ledger_growth_bench.sh: reads of random subjects of a filled ledger.
--   wrk ... -s subject_read.lua <url> -- <bearer token> <subjects> <path suffix>
-- Each request names one of the subjects "fill-0".."fill-<subjects - 1>" that ledger_fill made,
-- e.g. suffix "/status?document=personal-data" or "/export".

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  token = args[1]
  subjects = tonumber(args[2])
  suffix = args[3]
  failed = 0
  math.randomseed(os.time() + 7919 * tid)
end

function request()
  local path = "/api/v1/subjects/fill-" .. math.random(0, subjects - 1) .. suffix
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end

function response(status, headers, body)
  if status ~= 200 then
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local failures = 0
  for _, t in ipairs(threads) do
    failures = failures + (t:get("failed") or 0)
  end
  io.write(string.format("BENCH requests=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f not_200=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, failures))
end
