-- One ticket's state transition, exactly once however many experts press at once.
-- KEYS[1] = the ticket hash, KEYS[2] = the open tickets' sorted set,
-- KEYS[3] = the ticket counters hash, KEYS[4] = the list of recent answer times.
-- ARGV[1] = the states it may move from (comma-separated), ARGV[2] = the new state,
-- ARGV[3] = the ticket id, ARGV[4] = now (epoch seconds), ARGV[5] = how many answer times
-- are kept, ARGV[6..] = field, value pairs to set with the move.
-- Returns {1, previous state} when it moved, {0, current state} when it did not, {-1, ''}
-- when there is no such ticket. All four keys carry the same hash tag (one Cluster slot).
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return {-1, ''} end
local allowed = false
for from in string.gmatch(ARGV[1], '[^,]+') do
  if from == state then allowed = true end
end
if not allowed then return {0, state} end
redis.call('HSET', KEYS[1], 'state', ARGV[2])
for i = 6, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
if ARGV[2] == 'answered' or ARGV[2] == 'closed' then
  redis.call('ZREM', KEYS[2], ARGV[3])
  redis.call('HINCRBY', KEYS[3], ARGV[2], 1)
  if ARGV[2] == 'answered' then
    local created = tonumber(redis.call('HGET', KEYS[1], 'created') or ARGV[4])
    redis.call('LPUSH', KEYS[4], string.format('%.3f', tonumber(ARGV[4]) - created))
    redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[5]) - 1)
  end
end
return {1, state}
