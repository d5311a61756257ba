-- wrk script for bench/run.py: replays prepared requests round-robin, prints one JSON line.
--
--   wrk -t1 -c50 -d5s -s bench/wrk_replay.lua http://127.0.0.1:PORT -- REQUESTS_FILE TAG
--
-- REQUESTS_FILE has one request a line, five tab-separated fields: path, content type,
-- X-Slack-Request-Timestamp, X-Slack-Signature (both empty for Teams) and body. The
-- signatures were computed by run.py just before (a fresh timestamp, valid five minutes),
-- so signing costs the load generator nothing here. A body holding @SEQ@ gets TAG, the
-- thread and a sequence number there instead (a unique Teams activity id per request);
-- such bodies are unsigned, so changing them is fine. Prepared requests are formatted once.

local entries = {}
local count = 0
local tag = ""
local counter = 0

function setup(thread)
  thread:set("thread_id", tostring(count))
  count = count + 1
end

function init(args)
  tag = (args[2] or "") .. "-" .. (thread_id or "0") .. "-"
  for line in io.lines(args[1]) do
    local path, ctype, ts, sig, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    if path then
      local headers = { ["Content-Type"] = ctype }
      if ts ~= "" then
        headers["X-Slack-Request-Timestamp"] = ts
        headers["X-Slack-Signature"] = sig
      end
      local at = body:find("@SEQ@", 1, true)
      if at then
        entries[#entries + 1] = {
          path = path, headers = headers, before = body:sub(1, at - 1), after = body:sub(at + 5)
        }
      else
        entries[#entries + 1] = { formatted = wrk.format("POST", path, headers, body) }
      end
    end
  end
end

function request()
  counter = counter + 1
  local e = entries[(counter - 1) % #entries + 1]
  if e.formatted then
    return e.formatted
  end
  return wrk.format("POST", e.path, e.headers, e.before .. tag .. counter .. e.after)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,' ..
    '"read_errors":%d,"write_errors":%d,"status_errors":%d,"timeouts":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
