/**
 * The outbox's Redis layout, one script per step so every step is atomic across replicas. All keys
 * share the `{outbox}` hash tag (one slot), since a step touches a conversation's list, a message's
 * hash and the shared indexes together.
 *
 *   list:<conversation>  message ids in order (FIFO): the conversation's order
 *   msg:<id>             hash: b (body), c (conversation), t (enqueued at), n (attempts), e (last
 *                        error), o (1: sent once, then marked done), g (times enqueued again while
 *                        waiting: an update asked for again is rendered again)
 *   waiting              sorted set of waiting ids by enqueue time: depth and oldest age at scrape time
 *   drains               hash conversation → the id of the drain job responsible for it; present
 *                        exactly while the conversation has messages waiting
 *   done:<minute>:<n>    sets of messages settled lately (sent once, or given up), one per minute
 *                        they settled in and digest modulo 32, each expiring `doneTtlMs` after its
 *                        minute: enqueuing one again (a retried job, another replica, a sweep)
 *                        is a no-op. Members are a 48-bit integer digest of the id (`doneKey`),
 *                        so a set of up to 512 is an intset: ~8 bytes per remembered message.
 */
export function outboxKeys(prefix: string) {
  const base = `${prefix}:{outbox}`;
  return {
    list: (conversation: string) => `${base}:list:${conversation}`,
    message: (id: string) => `${base}:msg:${id}`,
    done: `${base}:done`,
    waiting: `${base}:waiting`,
    drains: `${base}:drains`,
  };
}
export type OutboxKeys = ReturnType<typeof outboxKeys>;

/**
 * Enqueue. KEYS: list, msg, done, waiting, drains. ARGV: id, conversation, body, now, drain job id,
 * once ('1' | '0'), the id's digest in `done`, how long `done` remembers (ms). A message already waiting, or already done, is not added again: coalescing and
 * idempotency in one. A waiting message enqueued again counts it (g), so a send already under way
 * with the older state is followed by another. Returns 0 (nothing added), 1 (added behind a drain
 * already responsible) or 2 (added, and the caller must add the drain job ARGV[5]: the conversation
 * was empty).
 */
export const ENQUEUE = `
local DONE_SPREAD = 32
local digest = ARGV[7]
local sub = string.format('%.0f', tonumber(digest) % DONE_SPREAD)
local now = tonumber(ARGV[4])
for minute = math.floor((now - tonumber(ARGV[8])) / 60000), math.floor(now / 60000) do
  if redis.call('SISMEMBER', KEYS[3] .. ':' .. string.format('%.0f', minute) .. ':' .. sub, digest) == 1 then return 0 end
end
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('HINCRBY', KEYS[2], 'g', 1)
  return 0
end
redis.call('HSET', KEYS[2], 'b', ARGV[3], 'c', ARGV[2], 't', ARGV[4], 'n', 0, 'o', ARGV[6], 'g', 0)
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
if redis.call('HSETNX', KEYS[5], ARGV[2], ARGV[5]) == 1 then return 2 end
return 1
`;

/**
 * The head of a conversation. KEYS: list, drains. ARGV: conversation, prefix of message keys.
 * Returns {id, body, enqueuedAt, attempts, generation} or, when the list is empty, releases the
 * conversation (the next enqueue starts a new drain) and returns an empty array.
 */
export const HEAD = `
local id = redis.call('LINDEX', KEYS[1], 0)
if not id then
  redis.call('HDEL', KEYS[2], ARGV[1])
  return {}
end
local m = redis.call('HMGET', ARGV[2] .. id, 'b', 't', 'n', 'g')
if not m[1] then
  redis.call('LPOP', KEYS[1])
  return {id, '', '0', '0', '0'}
end
return {id, m[1], m[2], m[3], m[4] or '0'}
`;

/**
 * Removes the head once it is settled (Slack took it, or it gave up). KEYS: list, msg, done,
 * waiting. ARGV: id, now (epoch ms), outcome ('sent' | 'failed'), the generation the send
 * rendered, the id's digest, how long `done` remembers (ms).
 * Only the first caller for an id removes it (returns 1); a duplicate (a drain that ran twice)
 * returns 0 and reports nothing. A message enqueued again since that send ('sent' only) stays at
 * the head to be rendered again (returns 2). A message sent once, and any message that gave up (a
 * sweep asking for it again must not make it fail, and be reported, again), is remembered in done.
 */
export const SETTLE = `
local DONE_SPREAD = 32
if redis.call('LINDEX', KEYS[1], 0) ~= ARGV[1] then return 0 end
if ARGV[3] == 'sent' and tonumber(redis.call('HGET', KEYS[2], 'g') or '0') ~= tonumber(ARGV[4]) then
  redis.call('HSET', KEYS[2], 'n', 0)
  return 2
end
local once = redis.call('HGET', KEYS[2], 'o')
redis.call('LPOP', KEYS[1])
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[4], ARGV[1])
if once == '1' or ARGV[3] == 'failed' then
  local minute = math.floor(tonumber(ARGV[2]) / 60000)
  local bucket = KEYS[3] .. ':' .. string.format('%.0f', minute) .. ':' .. string.format('%.0f', tonumber(ARGV[5]) % DONE_SPREAD)
  redis.call('SADD', bucket, ARGV[5])
  -- Relative to the caller's clock (an injected one in tests), not to the server's.
  redis.call('PEXPIRE', bucket, string.format('%.0f', (minute + 1) * 60000 + tonumber(ARGV[6]) - tonumber(ARGV[2])))
end
return 1
`;

/** A failed attempt. KEYS: msg. ARGV: error text. Returns the attempts so far. */
export const NOTE_FAILURE = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'e', ARGV[1])
return redis.call('HINCRBY', KEYS[1], 'n', 1)
`;
