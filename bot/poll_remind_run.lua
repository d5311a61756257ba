-- Claim the sending of one poll's reminders for a lease (one server at a time).
-- KEYS[1] poll-reminder-runs (poll id -> when the current sender's lease ends)
-- ARGV: poll id, now, lease end, mode ("start": a new burst; "resume": a lapsed one)
-- Returns 1 when this server now holds the lease, 0 when another one does (or, on
-- resume, when there is nothing left to resume).
local lease = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not lease then
  if ARGV[4] ~= 'start' then
    return 0
  end
elseif tonumber(lease) > tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
return 1
