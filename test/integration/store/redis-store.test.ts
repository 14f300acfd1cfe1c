import { afterAll, describe, expect, it } from 'vitest';
import { JumpgateError } from '../../../src/domain/errors.js';
import { GENESIS, verifyChain } from '../../../src/store/audit-chain.js';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { accessRequest, auditEntry, unsealed } from '../../support/builders.js';
import { testRedis } from '../../support/redis.js';

const conn = testRedis('store');
let clock = 1_800_000_000_000;
const store = createRedisStore({ redis: conn.redis, prefix: conn.prefix, now: () => clock });
afterAll(() => conn.close());

describe('RedisStore requests', () => {
  it('creates a request at version 1 with its audit record, and finds it by id, status and user', async () => {
    const request = accessRequest({ version: 99 });
    const record = await store.create(request, auditEntry({ requestId: request.id }));
    expect(await store.get(request.id)).toEqual({ ...request, version: 1 });
    expect(await store.idsByStatus('pending')).toContain(request.id);
    expect((await store.forUser('U0ALICE', 50)).map((r) => r.id)).toContain(request.id);
    // The committed entry is what the chain holds once sealed, with prev and hash added.
    const [sealed] = await store.forRequest(request.id);
    expect(unsealed(sealed)).toEqual(record);
    expect(sealed?.prev).toBe(GENESIS);
  });

  it('refuses to create the same id twice and records nothing the second time', async () => {
    const request = accessRequest();
    await store.create(request, auditEntry({ requestId: request.id }));
    await expect(store.create(request, auditEntry({ requestId: request.id }))).rejects.toBeInstanceOf(JumpgateError);
    expect(await store.forRequest(request.id)).toHaveLength(1);
  });

  it('moves a request between status indexes on update and bumps its version', async () => {
    const request = accessRequest();
    await store.create(request, auditEntry({ requestId: request.id }));
    const result = await store.update(
      { ...request, status: 'denied' },
      1,
      auditEntry({ type: 'denied', requestId: request.id }),
    );
    expect(result?.request.version).toBe(2);
    expect(await store.idsByStatus('pending')).not.toContain(request.id);
    expect(await store.idsByStatus('denied')).toContain(request.id);
  });

  it('refuses a write against a stale version without recording anything', async () => {
    const request = accessRequest();
    await store.create(request, auditEntry({ requestId: request.id }));
    await store.update({ ...request, reason: 'first' }, 1, auditEntry({ requestId: request.id }));
    const stale = await store.update({ ...request, reason: 'second' }, 1, auditEntry({ requestId: request.id }));
    expect(stale).toBeUndefined();
    expect((await store.get(request.id))?.reason).toBe('first');
    expect(await store.forRequest(request.id)).toHaveLength(2);
  });

  it('lets exactly one of many concurrent writers at the same version win', async () => {
    const request = accessRequest();
    await store.create(request, auditEntry({ requestId: request.id }));
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        store.update(
          { ...request, status: 'approved', reason: `writer ${i}` },
          1,
          auditEntry({ type: 'approved', requestId: request.id }),
        ),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect((await store.forRequest(request.id)).map((r) => r.type)).toEqual(['requested', 'approved']);
  });

  it('returns a person’s requests newest first', async () => {
    const older = accessRequest({ requester: 'U0BOB', createdAt: 1 });
    const newer = accessRequest({ requester: 'U0BOB', createdAt: 2 });
    await store.create(older, auditEntry({ requestId: older.id }));
    await store.create(newer, auditEntry({ requestId: newer.id }));
    expect((await store.forUser('U0BOB', 10)).map((r) => r.id)).toEqual([newer.id, older.id]);
  });
});

describe('RedisStore audit chain', () => {
  it('keeps one verifiable chain across two store instances writing at once (two replicas)', async () => {
    const replica = createRedisStore({ redis: conn.redis.duplicate(), prefix: conn.prefix, now: () => clock });
    const writes = Array.from({ length: 40 }, (_, i) => {
      const request = accessRequest();
      clock += 1;
      return (i % 2 === 0 ? store : replica).create(request, auditEntry({ requestId: request.id }));
    });
    await Promise.all(writes);
    const all = await store.range(1);
    expect(all.length).toBeGreaterThanOrEqual(40);
    expect(all[0]?.prev).toBe(GENESIS);
    expect(verifyChain(all)).toBeUndefined();
  });

  it('stores SSH keys with an audit record in the same chain', async () => {
    const record = await store.setSshKey(
      'U0CAROL',
      'ssh-ed25519 AAAA key',
      auditEntry({ type: 'key_registered', requestId: null, actor: 'U0CAROL', target: null }),
    );
    expect(await store.getSshKey('U0CAROL')).toBe('ssh-ed25519 AAAA key');
    expect(unsealed((await store.tail(1))[0])).toEqual(record);
    expect(verifyChain(await store.range(1))).toBeUndefined();
  });

  it('tail gives the newest records with their prev, and every record when asked for more than there are', async () => {
    const all = await store.range(1);
    expect(all.length).toBeGreaterThan(3);
    expect(await store.tail(3)).toEqual(all.slice(-3));
    expect(await store.tail(all.length + 100)).toEqual(all);
  });

  it('detects a record changed after the fact', async () => {
    const all = await store.range(1);
    const tampered = all.map((r, i) => (i === 1 ? { ...r, actor: 'U0MALLORY' } : r));
    expect(verifyChain(tampered)).toEqual({ seq: 2, problem: 'hash does not match the record (it was changed)' });
    const dropped = all.filter((_, i) => i !== 2);
    expect(verifyChain(dropped)?.seq).toBe(4);
  });
});

describe('RedisStore metadata and audit-only records', () => {
  it('keeps the approval message reference outside the versioned, audited record', async () => {
    const request = accessRequest();
    await store.create(request, auditEntry({ requestId: request.id }));
    await store.setMessage(request.id, { channel: 'C0APPROVALS', ts: '1700000000.000100' });
    const stored = await store.get(request.id);
    expect(stored?.message).toEqual({ channel: 'C0APPROVALS', ts: '1700000000.000100' });
    expect(stored?.version).toBe(1);
    const updated = await store.update(
      { ...stored!, status: 'denied' },
      1,
      auditEntry({ type: 'denied', requestId: request.id }),
    );
    expect(updated?.request.message).toEqual({ channel: 'C0APPROVALS', ts: '1700000000.000100' });
    expect(await store.forRequest(request.id)).toHaveLength(2);
  });

  it('appends an audit record with no request change into the same chain', async () => {
    const record = await store.appendAudit(
      auditEntry({
        type: 'reconciled',
        requestId: 'req_unknown',
        actor: 'jumpgate',
        detail: { action: 'revoked at broker' },
      }),
    );
    expect(unsealed((await store.tail(1))[0])).toEqual(record);
    expect(verifyChain(await store.range(1))).toBeUndefined();
  });
});
