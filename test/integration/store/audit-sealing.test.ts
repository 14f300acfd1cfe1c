import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../../src/store/audit-chain.js';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { accessRequest, auditEntry, unsealed } from '../../support/builders.js';
import { testRedis } from '../../support/redis.js';

const conn = testRedis('sealing');
const clock = () => 1_800_000_000_000;
afterAll(() => conn.close());

const leaseKey = `${conn.prefix}:audit:sealer`;
const pendingKey = `${conn.prefix}:audit:pending`;

describe('sealing the audit chain in the background', () => {
  it('lands a write while another process holds the sealer lease, and seals it once that lease lapses', async () => {
    const store = createRedisStore({ redis: conn.redis, prefix: conn.prefix, now: clock });
    // Another replica's sealer, busy (or dead): its lease lapses in 300 ms.
    await conn.redis.set(leaseKey, 'another-replica', 'PX', 300);
    const request = accessRequest();
    const committed = await store.create(request, auditEntry({ requestId: request.id }));
    // The write is done: the request and its entry are in Redis, the entry not sealed yet.
    expect(await store.get(request.id)).toMatchObject({ id: request.id, version: 1 });
    expect(await conn.redis.llen(pendingKey)).toBe(1);
    // Reading the trail seals first: it waits for the lapsed lease and takes over.
    const chain = await store.range(1);
    expect(chain.map(unsealed)).toEqual([committed]);
    expect(verifyChain(chain)).toBeUndefined();
    expect(await conn.redis.llen(pendingKey)).toBe(0);
    await store.close();
  });

  it('seals at start what a process that died left committed but unsealed', async () => {
    const dying = createRedisStore({ redis: conn.redis.duplicate(), prefix: conn.prefix, now: clock });
    // Its seals never land: the lease belongs to a sealer that will not come back soon.
    await conn.redis.set(leaseKey, 'a-dead-sealer', 'PX', 60_000);
    const written = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        dying.setSshKey(`U0GONE${i}`, `ssh-ed25519 AAAA${i}`, auditEntry({ type: 'key_registered', requestId: null })),
      ),
    );
    expect(await conn.redis.llen(pendingKey)).toBe(5);
    // The lease lapses with its holder; the next process to start seals what is pending.
    await conn.redis.del(leaseKey);
    const next = createRedisStore({ redis: conn.redis.duplicate(), prefix: conn.prefix, now: clock });
    await next.sealPending();
    expect(await conn.redis.llen(pendingKey)).toBe(0);
    const chain = await next.range(1);
    expect(verifyChain(chain)).toBeUndefined();
    for (const record of written) expect(unsealed(chain[record.seq - 1])).toEqual(record);
    await Promise.all([dying.close(), next.close()]);
  });

  it('reports nothing vanished while commits keep landing during its passes, and leaves nothing pending', async () => {
    const errors: unknown[] = [];
    // Auto-pipelined, as the bot's connection is: a pass's read and a commit leave in one write,
    // and the commit's answer is handled before the pass looks at what it read.
    const store = createRedisStore({
      redis: new Redis(conn.url, { maxRetriesPerRequest: null, enableAutoPipelining: true }),
      prefix: conn.prefix,
      now: clock,
      onSealError: (error) => errors.push(error),
    });
    // Fifty writers appending one after another: commits land all the time, also while a pass's
    // read is on its way.
    await Promise.all(
      Array.from({ length: 50 }, async (_, writer) => {
        for (let n = 0; n < 40; n += 1)
          await store.appendAudit(auditEntry({ type: 'reconciled', requestId: null, detail: { writer, n } }));
      }),
    );
    await store.sealPending();
    expect(errors).toEqual([]);
    expect(await conn.redis.llen(pendingKey)).toBe(0);
    expect(verifyChain(await store.range(1))).toBeUndefined();
    await store.close();
  });
});
