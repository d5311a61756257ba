-- Record that one non-voter is being reminded about a poll, before the reminder is sent.
-- KEYS[1] poll:{id}:reminded (voter key -> epoch of the last reminder)
-- KEYS[2] poll:{id}:votes
-- KEYS[3] poll:{id}:remind-job (the burst's counts: this person counts as reminded)
-- KEYS[4] poll:{id}:state
-- ARGV: voter key, now, repeat window in seconds, ttl of the record, ttl of the counts
-- Returns 1: recorded (send it); 0: reminded within the window; 2: has voted meanwhile;
-- 3: the poll closed (or is gone) meanwhile.
if redis.call('HGET', KEYS[4], 'closed') ~= '0' then
  return 3
end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then
  return 2
end
local last = redis.call('HGET', KEYS[1], ARGV[1])
if last and tonumber(ARGV[2]) - tonumber(last) < tonumber(ARGV[3]) then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('HINCRBY', KEYS[3], 'reminded', 1)
redis.call('EXPIRE', KEYS[3], ARGV[5])
return 1
