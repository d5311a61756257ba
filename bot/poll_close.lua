-- Close a poll exactly once. KEYS[1] poll state hash. ARGV[1] when (epoch seconds),
-- ARGV[2] who closed it ("deadline" or a user). Returns 1 if this call closed it, 0 if it
-- was already closed, -2 if there is no such poll.
if redis.call('EXISTS', KEYS[1]) == 0 then return -2 end
if redis.call('HGET', KEYS[1], 'closed') == '1' then return 0 end
redis.call('HSET', KEYS[1], 'closed', '1', 'closed_at', ARGV[1], 'closed_by', ARGV[2])
redis.call('HINCRBY', KEYS[1], 'version', 1)
return 1
