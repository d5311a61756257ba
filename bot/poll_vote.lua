-- One vote, atomically, in one round trip: dedupe, move or withdraw, and keep the counts.
-- KEYS[1] poll state hash (closed, version)   KEYS[2] votes hash (voter -> option)
-- KEYS[3] counts hash (option -> count)       KEYS[4] names hash (voter -> display name)
-- ARGV[1] voter key   ARGV[2] option index   ARGV[3] mode: "toggle" (a button press) or
-- "set" (a questionnaire result: never withdraws)   ARGV[4] display name ("" = anonymous)
-- ARGV[5] seconds the poll's data is kept
-- Returns {status, previous option or ""}: status 0 new vote, 1 moved, 2 withdrawn,
-- 3 unchanged, -1 poll closed, -2 no such poll.
if redis.call('EXISTS', KEYS[1]) == 0 then return {-2, ''} end
if redis.call('HGET', KEYS[1], 'closed') == '1' then return {-1, ''} end
local voter, option = ARGV[1], ARGV[2]
local previous = redis.call('HGET', KEYS[2], voter)
local status
if previous == option then
  if ARGV[3] == 'set' then return {3, previous} end
  redis.call('HDEL', KEYS[2], voter)
  redis.call('HINCRBY', KEYS[3], option, -1)
  status = 2
else
  redis.call('HSET', KEYS[2], voter, option)
  redis.call('HINCRBY', KEYS[3], option, 1)
  if previous then
    redis.call('HINCRBY', KEYS[3], previous, -1)
    status = 1
  else
    status = 0
  end
end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[4], voter, ARGV[4]) end
redis.call('HINCRBY', KEYS[1], 'version', 1)
for i = 2, 4 do redis.call('EXPIRE', KEYS[i], tonumber(ARGV[5])) end
return {status, previous or ''}
