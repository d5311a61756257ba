-- One press on a multiple-choice poll (--multi N), atomically, in one round trip.
-- KEYS[1] poll state hash (closed, version)   KEYS[2] votes hash (voter -> "0,2": picks)
-- KEYS[3] counts hash (option -> count)       KEYS[4] names hash (voter -> display name)
-- ARGV[1] voter key   ARGV[2] option index   ARGV[3] most picks per person
-- ARGV[4] display name ("" = anonymous)      ARGV[5] seconds the poll's data is kept
-- A press on a pick takes it back; a press on another option adds it while the voter has
-- fewer than ARGV[3] picks, and otherwise changes nothing.
-- Returns {status, picks after the press}: status 0 first pick, 4 another pick,
-- 2 a pick taken back, 5 at the limit (nothing changed), -1 poll closed, -2 no such poll.
if redis.call('EXISTS', KEYS[1]) == 0 then return {-2, ''} end
if redis.call('HGET', KEYS[1], 'closed') == '1' then return {-1, ''} end
local voter, option, limit = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local current = redis.call('HGET', KEYS[2], voter) or ''
local picks, found = {}, false
for pick in string.gmatch(current, '%d+') do
  local n = tonumber(pick)
  if n == option then found = true else picks[#picks + 1] = n end
end
local status
if found then
  redis.call('HINCRBY', KEYS[3], option, -1)
  status = 2
elseif #picks >= limit then
  return {5, current}
else
  picks[#picks + 1] = option
  table.sort(picks)
  redis.call('HINCRBY', KEYS[3], option, 1)
  if current == '' then status = 0 else status = 4 end
end
local stored = table.concat(picks, ',')
if stored == '' then
  redis.call('HDEL', KEYS[2], voter)
else
  redis.call('HSET', KEYS[2], voter, stored)
end
if ARGV[4] ~= '' then redis.call('HSET', KEYS[4], voter, ARGV[4]) end
redis.call('HINCRBY', KEYS[1], 'version', 1)
for i = 2, 4 do redis.call('EXPIRE', KEYS[i], tonumber(ARGV[5])) end
return {status, stored}
