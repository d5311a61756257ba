-- Take one occurrence of a schedule exactly once. KEYS[1] the schedules' sorted set.
-- ARGV[1] schedule id, ARGV[2] the occurrence the caller saw due, ARGV[3] the next one
-- ('' when the schedule is done). Returns 1 when this call took it (the schedule moved
-- on, or left the set), 0 when another server took it first or it was stopped.
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) ~= tonumber(ARGV[2]) then return 0 end
if ARGV[3] == '' then
  redis.call('ZREM', KEYS[1], ARGV[1])
else
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
end
return 1
