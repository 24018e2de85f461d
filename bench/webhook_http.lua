-- wrk script of bench/bench_webhook_http.py: each request is one line of a file prepared (and signed)
-- beforehand, "<X-Twilio-Signature>\t<form body>", so every call has its own CallSid and a valid
-- signature. Arguments after `--`: the file, the URL path, the number of wrk threads, and "classify"
-- to read every answer's body (counting <Sip> answers and fallbacks). wrk runs one Lua state per
-- thread; thread i takes lines i, i + threads, ... so no line is sent twice unless a thread runs out
-- (then it starts over and counts `reused`). done() prints one JSON line, prefixed "WRK-JSON ".

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  path = args[2]
  local stride = tonumber(args[3])
  signatures, bodies = {}, {}
  local n = 0
  for line in file:lines() do
    n = n + 1
    if (n - 1) % stride == id - 1 then
      local tab = string.find(line, "\t", 1, true)
      table.insert(signatures, string.sub(line, 1, tab - 1))
      table.insert(bodies, string.sub(line, tab + 1))
    end
  end
  file:close()
  index, reused, dialed, fallbacks, others = 0, 0, 0, 0, 0
  if args[4] == "classify" then
    response = function(status, headers, body)
      if status ~= 200 then
        others = others + 1
      elseif string.find(body, "<Sip", 1, true) then
        dialed = dialed + 1
      else
        fallbacks = fallbacks + 1
      end
    end
  end
end

function request()
  index = index + 1
  if index > #bodies then
    index = 1
    reused = reused + 1
  end
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Twilio-Signature"] = signatures[index],
  }
  return wrk.format("POST", path, headers, bodies[index])
end

function done(summary, latency, requests)
  local totals = { reused = 0, dialed = 0, fallbacks = 0, others = 0 }
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do
      totals[key] = totals[key] + (thread:get(key) or 0)
    end
  end
  local errors = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, "timeouts": %d, '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "reused": %d, "dialed": %d, '
      .. '"fallbacks": %d, "others": %d}\n',
    summary.requests, summary.duration, errors.status, errors.connect + errors.read + errors.write,
    errors.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    totals.reused, totals.dialed, totals.fallbacks, totals.others
  ))
end
