import { afterAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../../src/store/audit-chain.js';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { accessRequest, auditEntry, unsealed } from '../../support/builders.js';
import { testRedis } from '../../support/redis.js';

const conn = testRedis('burst');
const clock = () => 1_800_000_000_000;
afterAll(() => conn.close());

/** Three store instances on their own connections: what three bot replicas are to Redis. */
const connections = [conn.redis, conn.redis.duplicate(), conn.redis.duplicate()];
const replicas = connections.map((redis) => createRedisStore({ redis, prefix: conn.prefix, now: clock }));
afterAll(async () => {
  await Promise.all(replicas.map((store) => store.close()));
  await Promise.all(connections.slice(1).map((redis) => redis.quit()));
});

describe('the write path under a burst', () => {
  it('lands 200 concurrent writers in one process without a single failure, in one verifiable chain', async () => {
    const store = replicas[0]!;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        i % 2 === 0
          ? store.setSshKey(
              `U0BURST${i}`,
              `ssh-ed25519 AAAA${i}`,
              auditEntry({ type: 'key_registered', requestId: null, actor: `U0BURST${i}` }),
            )
          : store.create(accessRequest({ requester: `U0BURST${i}` }), auditEntry({ actor: `U0BURST${i}` })),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
    const records = outcomes.map((outcome) =>
      outcome.status === 'fulfilled' ? ('seq' in outcome.value ? outcome.value : undefined) : undefined,
    );
    expect(new Set(records.map((record) => record?.seq)).size).toBe(200);
    expect(verifyChain(await store.range(1))).toBeUndefined();
  });

  it('lands 600 concurrent writers spread over three replicas, every returned record the one in the chain', async () => {
    const before = (await replicas[0]!.tail(1))[0]?.seq ?? 0;
    const written = await Promise.all(
      Array.from({ length: 600 }, (_, i) => {
        const request = accessRequest({ requester: `U0R${i}` });
        return replicas[i % 3]!.create(request, auditEntry({ requestId: request.id, actor: `U0R${i}` }));
      }),
    );
    const chain = await replicas[1]!.range(1);
    expect(verifyChain(chain)).toBeUndefined();
    expect(chain.length).toBe(before + 600);
    for (const record of written) expect(unsealed(chain[record.seq - 1])).toEqual(record);
  });

  it('updates 200 different requests at once: each lands exactly once with its own record', async () => {
    const store = replicas[0]!;
    const requests = Array.from({ length: 200 }, (_, i) => accessRequest({ requester: `U0UPD${i}` }));
    await Promise.all(requests.map((request) => store.create(request, auditEntry({ requestId: request.id }))));
    const updated = await Promise.all(
      requests.map((request, i) =>
        replicas[i % 3]!.update(
          { ...request, status: 'denied' },
          1,
          auditEntry({ type: 'denied', requestId: request.id }),
        ),
      ),
    );
    expect(updated.every((result) => result?.request.version === 2)).toBe(true);
    for (const request of requests.slice(0, 20)) {
      expect((await store.forRequest(request.id)).map((record) => record.type)).toEqual(['requested', 'denied']);
    }
    expect(verifyChain(await store.range(1))).toBeUndefined();
  });
});

describe('status indexes', () => {
  it('finds due grants by notAfter and pending requests by creation, soonest first', async () => {
    const store = replicas[0]!;
    const grant = (notAfter: number) => ({
      id: 'grant_x',
      notBefore: 0,
      notAfter,
      principals: ['dbadmin'],
      hosts: ['db-1'],
    });
    const late = accessRequest({ status: 'active', grant: grant(5_000), requester: 'U0DUE1' });
    const soon = accessRequest({ status: 'active', grant: grant(1_000), requester: 'U0DUE2' });
    const later = accessRequest({ status: 'active', grant: grant(9_000), requester: 'U0DUE3' });
    for (const request of [late, soon, later]) await store.create(request, auditEntry({ requestId: request.id }));
    expect(await store.dueIds('active', 5_000, 100)).toEqual([soon.id, late.id]);
    expect(await store.dueIds('active', 5_000, 1)).toEqual([soon.id]);
    expect(await store.countByStatus('active')).toBe(3);
    await store.update(
      { ...soon, status: 'expired', updatedAt: 2_000 },
      1,
      auditEntry({ type: 'expired', requestId: soon.id }),
    );
    expect(await store.dueIds('active', 10_000, 100)).toEqual([late.id, later.id]);
    expect(await store.dueIds('expired', 10_000, 100)).toContain(soon.id);
    const statuses = await store.statusesOf([soon.id, late.id, 'req_nosuchrequest']);
    expect([...statuses]).toEqual([
      [soon.id, 'expired'],
      [late.id, 'active'],
    ]);
  });

  it('moves the status sets of an earlier version into the indexes at start-up', async () => {
    const legacy = testRedis('legacy');
    try {
      const store = createRedisStore({ redis: legacy.redis, prefix: legacy.prefix, now: clock });
      const active = accessRequest({
        status: 'active',
        grant: { id: 'grant_l', notBefore: 0, notAfter: 7_000, principals: ['p'], hosts: ['h'] },
      });
      // The earlier layout: a hash with v and j, and one Redis set per status.
      await legacy.redis.hset(
        `${legacy.prefix}:req:${active.id}`,
        'v',
        '3',
        'j',
        JSON.stringify({ ...active, version: 3 }),
      );
      await legacy.redis.sadd(`${legacy.prefix}:status:active`, active.id);
      expect(await store.migrate()).toBe(1);
      expect(await store.dueIds('active', 7_000, 10)).toEqual([active.id]);
      expect(await legacy.redis.exists(`${legacy.prefix}:status:active`)).toBe(0);
      const moved = await store.update(
        { ...active, status: 'expired' },
        3,
        auditEntry({ type: 'expired', requestId: active.id }),
      );
      expect(moved?.request.version).toBe(4);
      expect(await store.countByStatus('active')).toBe(0);
      expect(await store.migrate()).toBe(0);
    } finally {
      await legacy.close();
    }
  });
});
