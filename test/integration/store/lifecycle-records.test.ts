import { afterAll, describe, expect, it } from 'vitest';
import type { PolicySummary } from '../../../src/domain/policy-change.js';
import { verifyChain } from '../../../src/store/audit-chain.js';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { auditEntry } from '../../support/builders.js';
import { testRedis } from '../../support/redis.js';

const conn = testRedis('lifecycle-records');
const now = () => 1_800_000_000_000;
// Two stores on one Redis: two replicas.
const replicas = [0, 1].map(() => createRedisStore({ redis: conn.redis, prefix: conn.prefix, now }));
const [a, b] = replicas as [ReturnType<typeof createRedisStore>, ReturnType<typeof createRedisStore>];
afterAll(() => conn.close());

const summary = (hash: string): PolicySummary => ({ hash, targets: {}, workflows: {} });
const entry = (type: 'policy_changed' | 'target_retired' | 'offboarded') =>
  auditEntry({ type, requestId: null, target: null, actor: 'jumpgate' });

describe('LifecycleRecords over Redis', () => {
  it('records a policy only over the hash expected, so racing replicas write one policy_changed', async () => {
    const outcomes = await Promise.all([
      a.recordPolicy(summary('h1'), undefined, entry('policy_changed')),
      b.recordPolicy(summary('h1'), undefined, entry('policy_changed')),
    ]);
    expect(outcomes.filter((o) => o !== undefined)).toHaveLength(1);
    expect((await a.policyInForce())?.hash).toBe('h1');
    expect(await b.recordPolicy(summary('h2'), undefined, entry('policy_changed'))).toBeUndefined();
    expect(await b.recordPolicy(summary('h2'), 'h1', entry('policy_changed'))).toBeDefined();
    expect((await a.policyInForce())?.hash).toBe('h2');
  });

  it('records a retirement once, keeps it readable, and forgets it when the target returns', async () => {
    const retirement = { target: 'old-db', workflow: 'production', channel: 'C0ASK', at: now() };
    expect(await a.recordRetirement(retirement, { ...entry('target_retired'), target: 'old-db' })).toBeDefined();
    expect(await b.recordRetirement(retirement, { ...entry('target_retired'), target: 'old-db' })).toBeUndefined();
    expect((await b.retirements()).get('old-db')).toEqual(retirement);
    await a.forgetRetirement('old-db');
    expect((await b.retirements()).has('old-db')).toBe(false);
  });

  it('offboards a person once, deleting their SSH key with the record', async () => {
    await a.setSshKey(
      'U0LEFT',
      'ssh-ed25519 AAAA left@laptop',
      auditEntry({ type: 'key_registered', requestId: null }),
    );
    expect(await a.offboard('U0LEFT', entry('offboarded'))).toBeDefined();
    expect(await a.getSshKey('U0LEFT')).toBeUndefined();
    expect(await b.offboard('U0LEFT', entry('offboarded'))).toBeUndefined();
    const chain = await a.range(1);
    expect(chain.filter((r) => r.type === 'offboarded')).toHaveLength(1);
    expect(verifyChain(chain)).toBeUndefined();
  });
});
