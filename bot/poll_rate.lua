-- Admit one new poll under sliding-window limits, atomically: count what each window
-- holds and, only when every window has room, record the poll in all of them.
-- KEYS[i] a sorted set per window (member: poll id, score: start time in ms); all keys
-- share one hash tag (the workspace), so this runs on Redis Cluster too.
-- ARGV[1] now (ms)   ARGV[2] window (ms)   ARGV[3] poll id   ARGV[3 + i] KEYS[i]'s limit
-- Returns 0 when admitted, else the index of the first window that is full (nothing is
-- written then).
local now, window = tonumber(ARGV[1]), tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= tonumber(ARGV[3 + i]) then return i end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, window)
end
return 0
