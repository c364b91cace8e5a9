-- wrk script for a fixed request count: the (single) thread stops after WRK_REQUESTS responses.
-- wrk itself still waits out its -d; the caller sizes -d from a warm-up run. Used by
-- bench/profile.mjs --requests.
local n = 0
local limit = tonumber(os.getenv("WRK_REQUESTS") or "100000")
response = function(status, headers, body)
  n = n + 1
  if n >= limit then wrk.thread:stop() end
end
