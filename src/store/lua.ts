/**
 * The Lua scripts of the Redis store, loaded once per connection with ioredis `defineCommand`
 * (EVALSHA, with the script text sent only when Redis does not know it yet).
 *
 * The audit trail is an ordered log sealed after the fact: a commit appends its audit entry to
 * `audit:pending` in the same atomic step as the state change, and its seq is fixed right there
 * (sealed head seq + position in the pending list). Sealing (audit-sealer.ts) moves entries from
 * the front of `audit:pending` to `audit`, with prev and hash, under a compare-and-set on the
 * head. A commit never waits on, or races with, another writer's audit record.
 */

/**
 * Appends the audit entry of this commit. Needs `KEYS_PENDING`, `KEYS_HEAD` and `ENTRY` bound;
 * sets `seq`. The caller records `seq` with the request (its hash's `a` field) where there is one.
 */
export const APPEND_PENDING = `
local pending_length = redis.call('RPUSH', KEYS_PENDING, ENTRY)
local seq = tonumber(redis.call('HGET', KEYS_HEAD, 'seq') or '0') + pending_length
`;

/** `a` (the request's audit seqs, comma-separated) with `seq` added. Needs the hash key `REQUEST_HASH`. */
const SEQS_WITH = `
local function seqs_with(seq)
  local seqs = redis.call('HGET', REQUEST_HASH, 'a')
  if seqs then return seqs .. ',' .. seq end
  return tostring(seq)
end
`;

/**
 * Creates or updates a request (compare-and-set on its version) and appends its audit entry.
 *
 * KEYS[1] request hash (v version, s status, j JSON, a audit seqs, m message ref)
 * KEYS[2] user index (zset)   KEYS[3] audit:pending       KEYS[4] audit:head
 * ARGV[1] mode: create | update
 * ARGV[2] expected version (update)     ARGV[3] request JSON     ARGV[4] new version
 * ARGV[5] new status                    ARGV[6] status index score (see redis-keys.ts)
 * ARGV[7] created-at (user index score) ARGV[8] request id
 * ARGV[9] key prefix (status indexes are <prefix>:idx:<status>)
 * ARGV[10] audit entry JSON (unsealed)
 * Returns {'ok', seq, message-ref JSON or false} | {'exists'} | {'missing'} | {'stale'}.
 */
export const COMMIT_REQUEST = `
local KEYS_PENDING, KEYS_HEAD, REQUEST_HASH, ENTRY = KEYS[3], KEYS[4], KEYS[1], ARGV[10]
local id, prefix = ARGV[8], ARGV[9]
${SEQS_WITH}
if ARGV[1] == 'create' then
  if redis.call('EXISTS', KEYS[1]) == 1 then return {'exists'} end
else
  local stored = redis.call('HMGET', KEYS[1], 'v', 's', 'j')
  if not stored[1] then return {'missing'} end
  if tonumber(stored[1]) ~= tonumber(ARGV[2]) then return {'stale'} end
  local old = stored[2] or cjson.decode(stored[3]).status
  redis.call('ZREM', prefix .. ':idx:' .. old, id)
end
redis.call('ZADD', prefix .. ':idx:' .. ARGV[5], ARGV[6], id)
redis.call('ZADD', KEYS[2], ARGV[7], id)
${APPEND_PENDING}
redis.call('HSET', KEYS[1], 'v', ARGV[4], 's', ARGV[5], 'j', ARGV[3], 'a', seqs_with(seq))
return {'ok', seq, redis.call('HGET', KEYS[1], 'm') or false}
`;

/**
 * Creates a breakglass request only when the person is within the workflow's limits, counting
 * and reserving in the same atomic step as the create, so concurrent confirmations cannot all
 * pass the count.
 *
 * KEYS[1..4] as COMMIT_REQUEST
 * KEYS[5] the person's breakglass uses (zset: request id → created-at)
 * KEYS[6] the person's current breakglass on this target (string: request id)
 * ARGV[1..10] as COMMIT_REQUEST (mode create)
 * ARGV[11] window start (uses created before it no longer count)   ARGV[12] max uses in the window,
 *          or '' for no limit
 * ARGV[13] '1' to allow one breakglass per person and target at a time
 * ARGV[14] how long the per-target hold may live at most (ms)
 * Returns COMMIT_REQUEST's answer, or {'limit', used} | {'held', request id}.
 */
export const COMMIT_BREAKGLASS = `
if redis.call('EXISTS', KEYS[1]) == 1 then return {'exists'} end
if ARGV[13] == '1' then
  local holder = redis.call('GET', KEYS[6])
  if holder then
    local fields = redis.call('HMGET', ARGV[9] .. ':req:' .. holder, 's', 'j')
    local status = fields[1] or (fields[2] and cjson.decode(fields[2]).status)
    if status == 'pending' or status == 'approved' or status == 'active' then return {'held', holder} end
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', '(' .. ARGV[11])
if ARGV[12] ~= '' then
  local used = redis.call('ZCARD', KEYS[5])
  if used >= tonumber(ARGV[12]) then return {'limit', used} end
end
redis.call('ZADD', KEYS[5], ARGV[7], ARGV[8])
redis.call('PEXPIRE', KEYS[5], 86400000 * 2)
if ARGV[13] == '1' then redis.call('SET', KEYS[6], ARGV[8], 'PX', ARGV[14]) end
${COMMIT_REQUEST}
`;

/**
 * Stores a person's SSH public key and appends its audit entry.
 * KEYS[1] the key's string   KEYS[2] audit:pending   KEYS[3] audit:head
 * ARGV[1] the public key line   ARGV[2] audit entry JSON
 * Returns {'ok', seq}.
 */
export const COMMIT_SSH_KEY = `
local KEYS_PENDING, KEYS_HEAD, ENTRY = KEYS[2], KEYS[3], ARGV[2]
redis.call('SET', KEYS[1], ARGV[1])
${APPEND_PENDING}
return {'ok', seq}
`;

/**
 * Appends an audit entry with no state change.
 * KEYS[1] audit:pending   KEYS[2] audit:head
 * KEYS[3] the request's hash   KEYS[4] the seqs of a request that has no hash (list; e.g. a grant
 *         found only at the broker); for an entry about no request, both are audit:pending again
 *         (never '': in a Cluster every key of a script must be in the slot of the others)
 * ARGV[1] audit entry JSON   ARGV[2] '1' when the entry is about a request
 * Returns {'ok', seq}.
 */
export const APPEND_AUDIT = `
local KEYS_PENDING, KEYS_HEAD, ENTRY = KEYS[1], KEYS[2], ARGV[1]
local REQUEST_HASH = ''
if ARGV[2] == '1' and KEYS[3] ~= '' then REQUEST_HASH = KEYS[3] end
${SEQS_WITH}
${APPEND_PENDING}
if REQUEST_HASH ~= '' then
  if redis.call('EXISTS', REQUEST_HASH) == 1 then redis.call('HSET', REQUEST_HASH, 'a', seqs_with(seq))
  else redis.call('RPUSH', KEYS[4], seq) end
end
return {'ok', seq}
`;

/**
 * Seals the oldest pending entries: moves them to the audit list as sealed records and moves
 * the head, unless another sealer moved the head first (then the caller reads again; both would
 * have written the same records, sealing being deterministic).
 * KEYS[1] audit:pending   KEYS[2] audit list   KEYS[3] audit:head
 * ARGV[1] head seq the records were sealed against   ARGV[2] hash of the last record
 * ARGV[3..] sealed records JSON, in seq order
 * Publishes the new head seq on the channel named like KEYS[3], for processes waiting on it.
 * Returns 'ok' | 'moved'.
 */
export const SEAL_AUDIT = `
local n = #ARGV - 2
if tonumber(redis.call('HGET', KEYS[3], 'seq') or '0') ~= tonumber(ARGV[1]) then return 'moved' end
if redis.call('LLEN', KEYS[1]) < n then return 'moved' end
redis.call('LPOP', KEYS[1], n)
redis.call('RPUSH', KEYS[2], unpack(ARGV, 3))
redis.call('HSET', KEYS[3], 'seq', tonumber(ARGV[1]) + n, 'hash', ARGV[2])
redis.call('PUBLISH', KEYS[3], tonumber(ARGV[1]) + n)
return 'ok'
`;

/**
 * Starts a seal pass: takes or keeps the sealer lease (one process seals at a time, so replicas
 * do not hash the same entries only to lose the compare-and-set), and reads the head and, for
 * the lease holder, the oldest pending entries.
 * KEYS[1] the lease   KEYS[2] audit:head   KEYS[3] audit:pending
 * ARGV[1] this sealer's token   ARGV[2] lease time (ms)   ARGV[3] at most this many entries
 * Returns {leased (1|0), head seq, head hash or false, entries…}.
 */
export const BEGIN_SEAL = `
local head = redis.call('HMGET', KEYS[2], 'seq', 'hash')
local seq = tonumber(head[1] or '0')
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return {0, seq, head[2] or false} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local reply = {1, seq, head[2] or false}
for _, entry in ipairs(redis.call('LRANGE', KEYS[3], 0, tonumber(ARGV[3]) - 1)) do reply[#reply + 1] = entry end
return reply
`;

/**
 * Gives the sealer lease back if this sealer still holds it.
 * KEYS[1] the lease   ARGV[1] this sealer's token
 * Returns 1 when it was released.
 */
export const DROP_SEALER_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * Moves the status indexes of an earlier version (one set per status) to sorted sets scored as
 * redis-keys.ts says; run once at start-up, harmless when there is nothing to move.
 * KEYS[1] audit:head, not read: it names the node (in a Cluster, the slot of the prefix's hash tag)
 *         the script runs on; legacy keys are found from the prefix, in that same slot
 * ARGV[1] key prefix   ARGV[2..] statuses
 * Returns the number of requests moved.
 */
export const MIGRATE_STATUS_SETS = `
local prefix, moved = ARGV[1], 0
for i = 2, #ARGV do
  local legacy = prefix .. ':status:' .. ARGV[i]
  if redis.call('TYPE', legacy).ok == 'set' then
    for _, id in ipairs(redis.call('SMEMBERS', legacy)) do
      local json = redis.call('HGET', prefix .. ':req:' .. id, 'j')
      if json then
        local request = cjson.decode(json)
        local score = request.updatedAt
        if request.status == 'active' and request.grant then score = request.grant.notAfter
        elseif request.status == 'pending' then score = request.createdAt end
        redis.call('ZADD', prefix .. ':idx:' .. request.status, score, id)
        redis.call('HSET', prefix .. ':req:' .. id, 's', request.status)
        moved = moved + 1
      end
    end
    redis.call('DEL', legacy)
  end
end
return moved
`;

/**
 * Records the policy in force (compare-and-set on its hash) and appends its `policy_changed` entry.
 *
 * KEYS[1] policy in force (hash: h = files hash, j = summary JSON)
 * KEYS[2] audit:pending   KEYS[3] audit:head
 * ARGV[1] expected hash ('' = none recorded yet)   ARGV[2] new hash   ARGV[3] summary JSON
 * ARGV[4] audit entry JSON (unsealed)
 * Returns {'ok', seq} or {'moved'} when the hash in force is not the expected one.
 */
export const RECORD_POLICY = `
local current = redis.call('HGET', KEYS[1], 'h') or ''
if current ~= ARGV[1] then return {'moved'} end
redis.call('HSET', KEYS[1], 'h', ARGV[2], 'j', ARGV[3])
local KEYS_PENDING, KEYS_HEAD, ENTRY = KEYS[2], KEYS[3], ARGV[4]
${APPEND_PENDING}
return {'ok', seq}
`;

/**
 * Records a target's retirement once and appends its `target_retired` entry.
 *
 * KEYS[1] retirements (hash: target → retirement JSON)   KEYS[2] audit:pending   KEYS[3] audit:head
 * ARGV[1] target name   ARGV[2] retirement JSON   ARGV[3] audit entry JSON (unsealed)
 * Returns {'ok', seq} or {'exists'} when it was recorded already.
 */
export const RECORD_RETIREMENT = `
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return {'exists'} end
local KEYS_PENDING, KEYS_HEAD, ENTRY = KEYS[2], KEYS[3], ARGV[3]
${APPEND_PENDING}
return {'ok', seq}
`;

/**
 * Offboards a person once: marks them, deletes their SSH key and appends the `offboarded` entry.
 *
 * KEYS[1] the person's offboarded mark   KEYS[2] the person's SSH key
 * KEYS[3] audit:pending   KEYS[4] audit:head
 * ARGV[1] when (epoch ms)   ARGV[2] audit entry JSON (unsealed)
 * Returns {'ok', seq} or {'exists'} when they were offboarded already.
 */
export const RECORD_OFFBOARDING = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX') == false then return {'exists'} end
redis.call('DEL', KEYS[2])
local KEYS_PENDING, KEYS_HEAD, ENTRY = KEYS[3], KEYS[4], ARGV[2]
${APPEND_PENDING}
return {'ok', seq}
`;

/**
 * Reads sealed records by seq. Retention removes the oldest records (through seq `cut`, kept in
 * the head with the hash of record `cut`), so seq n is at list index n - 1 - cut.
 * KEYS[1] audit list   KEYS[2] audit:head
 * ARGV[1] first seq wanted, or 'tail'   ARGV[2] last seq wanted (-1: the newest), or the count for 'tail'
 * Returns {cut, hash of record cut or false, seq of the first line, first seq wanted, lines…}: the
 * lines start one record before the first wanted (its hash is the first one's prev) when Redis
 * still has it.
 */
export const AUDIT_SLICE = `
local cut = tonumber(redis.call('HGET', KEYS[2], 'cut') or '0')
local cut_hash = redis.call('HGET', KEYS[2], 'cutHash') or false
local length = redis.call('LLEN', KEYS[1])
local from, to
if ARGV[1] == 'tail' then
  from = cut + length - tonumber(ARGV[2]) + 1
  to = cut + length
else
  from = tonumber(ARGV[1])
  to = tonumber(ARGV[2])
  if to < 0 then to = cut + length end
end
local first = math.max(from - 1, cut + 1)
local reply = {cut, cut_hash, first, from}
if to < first then return reply end
for _, line in ipairs(redis.call('LRANGE', KEYS[1], first - 1 - cut, to - 1 - cut)) do reply[#reply + 1] = line end
return reply
`;

/**
 * Retention: removes the oldest sealed records (through seq ARGV[2], which the caller found in the
 * archive file) and finished requests whose every record is among them, and appends the
 * `retention_checkpoint` entry, in one step. Refuses ('moved') when anything changed since the
 * caller looked: the cut, the hash of the last record removed, a request's version or status.
 * KEYS[1] audit list   KEYS[2] audit:head   KEYS[3] audit:pending
 * ARGV[1] the cut as read   ARGV[2] the new cut   ARGV[3] hash of record ARGV[2]
 * ARGV[4] key prefix   ARGV[5] checkpoint entry JSON (unsealed)
 * ARGV[6..] per request: id, requester, status, version
 * Returns {'ok', seq} | {'moved'}.
 */
export const RETAIN = `
local prefix = ARGV[4]
local cut, next_cut = tonumber(ARGV[1]), tonumber(ARGV[2])
if tonumber(redis.call('HGET', KEYS[2], 'cut') or '0') ~= cut then return {'moved'} end
if next_cut > cut then
  local line = redis.call('LINDEX', KEYS[1], next_cut - cut - 1)
  if not line or cjson.decode(line).hash ~= ARGV[3] then return {'moved'} end
end
for i = 6, #ARGV, 4 do
  local stored = redis.call('HMGET', prefix .. ':req:' .. ARGV[i], 'v', 's')
  if stored[1] ~= ARGV[i + 3] or stored[2] ~= ARGV[i + 2] then return {'moved'} end
end
for i = 6, #ARGV, 4 do
  local id = ARGV[i]
  redis.call('DEL', prefix .. ':req:' .. id, prefix .. ':audit:req:' .. id)
  redis.call('ZREM', prefix .. ':idx:' .. ARGV[i + 2], id)
  redis.call('ZREM', prefix .. ':user:' .. ARGV[i + 1], id)
end
if next_cut > cut then
  redis.call('LTRIM', KEYS[1], next_cut - cut, -1)
  redis.call('HSET', KEYS[2], 'cut', next_cut, 'cutHash', ARGV[3])
end
local KEYS_PENDING, KEYS_HEAD, ENTRY = KEYS[3], KEYS[2], ARGV[5]
${APPEND_PENDING}
return {'ok', seq}
`;
