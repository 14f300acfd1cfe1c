/**
 * Lua scripts that make a state change and its audit record one atomic write. The audit head
 * (seq, hash) is compared too: the record was sealed against it in Node (Lua has no SHA-256),
 * so when another write appended first the caller re-seals against the new head and retries.
 */

// KEYS[1] audit list, KEYS[2] audit head; ARGV[1] expected prev hash, ARGV[2] expected seq,
// ARGV[3] record JSON, ARGV[4] new hash. Leaves 'ok' in `moved` when the head matched.
const CHECK_AUDIT_HEAD = `
local head = redis.call('HMGET', KEYS[2], 'seq', 'hash')
local seq = tonumber(head[1] or '0')
local hash = head[2] or ARGV[5]
if hash ~= ARGV[1] or seq + 1 ~= tonumber(ARGV[2]) then return 'audit_moved' end
`;
const APPEND_AUDIT = `
redis.call('RPUSH', KEYS[1], ARGV[3])
redis.call('HSET', KEYS[2], 'seq', ARGV[2], 'hash', ARGV[4])
`;

/**
 * KEYS: audit list, audit head, request hash, new status set, user index, audit-by-request list,
 * old status set. ARGV: prev, seq, audit JSON, hash, genesis, mode (create|update), expected
 * version, request JSON, new version, created-at score, request id.
 */
export const COMMIT_REQUEST = `
${CHECK_AUDIT_HEAD}
local mode = ARGV[6]
if mode == 'create' then
  if redis.call('EXISTS', KEYS[3]) == 1 then return 'exists' end
else
  local version = redis.call('HGET', KEYS[3], 'v')
  if not version then return 'missing' end
  if tonumber(version) ~= tonumber(ARGV[7]) then return 'stale' end
  redis.call('SREM', KEYS[7], ARGV[11])
end
redis.call('HSET', KEYS[3], 'v', ARGV[9], 'j', ARGV[8])
redis.call('SADD', KEYS[4], ARGV[11])
redis.call('ZADD', KEYS[5], ARGV[10], ARGV[11])
${APPEND_AUDIT}
redis.call('RPUSH', KEYS[6], ARGV[2])
return 'ok'
`;

/** KEYS: audit list, audit head, key string. ARGV: prev, seq, audit JSON, hash, genesis, key. */
export const COMMIT_SSH_KEY = `
${CHECK_AUDIT_HEAD}
redis.call('SET', KEYS[3], ARGV[6])
${APPEND_AUDIT}
return 'ok'
`;

/** KEYS: audit list, audit head. ARGV: prev, seq, audit JSON, hash, genesis. */
export const APPEND_ONLY = `
${CHECK_AUDIT_HEAD}
${APPEND_AUDIT}
return 'ok'
`;
