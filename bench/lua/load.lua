-- One wrk script for every HTTP figure of the benchmark (see bench/wrk.py).
--   MODE=get   GET $REQUEST_PATH, each request with the next session's token (if any)
--   MODE=post  POST a new cart:item-added envelope with the next session's token
-- SESSIONS is a file of shopper tokens, one a line; PRODUCTS is "id:price,id:price,...";
-- RUN (hex, 8 digits) makes this run's event ids unique. done() prints one JSON line.

local mode = os.getenv("MODE")
local path = os.getenv("REQUEST_PATH")
local origin = os.getenv("ORIGIN")
local expected = tonumber(os.getenv("EXPECTED_STATUS"))
local run = os.getenv("RUN")

local sessions = {}
local sessions_file = os.getenv("SESSIONS")
if sessions_file ~= nil and sessions_file ~= "" then
  for line in io.lines(sessions_file) do
    if line ~= "" then table.insert(sessions, line) end
  end
end

local products = {}
for item in string.gmatch(os.getenv("PRODUCTS") or "", "[^,]+") do
  local id, price = string.match(item, "([^:]+):([^:]+)")
  table.insert(products, {id, price})
end

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

-- Globals, so that done() can read them from every thread with thread:get.
tid = 0
sent = 0
answered = 0
unexpected = 0
last_unexpected = 0

local envelope = '{"event":"cart:item-added","version":"1.0.0","id":"%s",'
  .. '"source":"products","timestamp":1795715163457,'
  .. '"data":{"itemId":"%s","productId":"%s","quantity":1,"price":%s}}'

function request()
  sent = sent + 1
  local headers = {}
  local session = nil
  if #sessions > 0 then
    -- Threads start at different sessions; each then walks through all of them.
    session = sessions[(sent + tid * 97) % #sessions + 1]
    headers["Authorization"] = "Bearer " .. session
  end
  if mode ~= "post" then
    return wrk.format("GET", path, headers)
  end
  local product = products[sent % #products + 1]
  local id = string.format("%s-%04x-4000-8000-%012x", run, tid, sent)
  local item = string.format("w%s%04x%x", run, tid, sent)
  headers["Content-Type"] = "application/json"
  headers["Origin"] = origin
  return wrk.format("POST", path, headers, string.format(envelope, id, item, product[1], product[2]))
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= expected then
    unexpected = unexpected + 1
    last_unexpected = status
  end
end

function done(summary, latency, requests)
  local total_answered, total_unexpected, last = 0, 0, 0
  for _, thread in ipairs(threads) do
    total_answered = total_answered + thread:get("answered")
    total_unexpected = total_unexpected + thread:get("unexpected")
    if thread:get("last_unexpected") ~= 0 then last = thread:get("last_unexpected") end
  end
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "answered": %d, "unexpected": %d, "last_unexpected": %d, '
      .. '"socket_errors": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, total_answered, total_unexpected, last,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
