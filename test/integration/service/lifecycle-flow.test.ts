import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JumpgateError } from '../../../src/domain/errors.js';
import { createLifecycleService, type LifecycleService } from '../../../src/service/lifecycle-service.js';
import type { Broker } from '../../../src/service/ports/broker.js';
import { createPolicyHolder } from '../../../src/service/support/policy-holder.js';
import { accessRequest, auditEntry } from '../../support/builders.js';
import { policy, target, workflow } from '../../support/policy-builders.js';
import { FakeDirectory, memoryLogger } from '../../support/service-fakes.js';
import { serviceHarness } from './service-harness.js';

/**
 * The lifecycle use cases over the real Redis store and the real embedded broker, with the
 * policy in force held as the bot holds it; only Slack (notifier, directory) is recorded.
 */
const BEFORE = policy(
  workflow({ targets: ['prod-db', 'prod-web'], access: { approvers: { users: ['U0LEAD'], groups: [] } } }),
);
const RETIRED = policy(
  workflow({
    targets: [{ ...target('prod-db'), retired: true }, 'prod-web'],
    access: { approvers: { users: ['U0LEAD'], groups: [] } },
  }),
);

let h: Awaited<ReturnType<typeof serviceHarness>>;
let lifecycle: LifecycleService;

beforeAll(async () => {
  h = await serviceHarness('lifecycle-flow', BEFORE);
  await h.service.registerKey({ userId: 'U0ALICE', text: h.alicePublicKey });
  const holder = createPolicyHolder(BEFORE, 'hash-before');
  const broker: Broker = {
    grant: (request) => h.brokerBox.current.grant(request),
    revoke: (id) => h.brokerBox.current.revoke(id),
    listActive: () => h.brokerBox.current.listActive(),
  };
  lifecycle = createLifecycleService({
    store: h.store,
    records: h.store,
    broker,
    notifier: h.notifier,
    scheduler: h.scheduler,
    directory: new FakeDirectory({}),
    policy: () => holder.current(),
    now: () => h.clock.now,
    logger: memoryLogger(h.logs),
    holder,
    load: () => Promise.reject(new Error('not used: the tests apply policies directly')),
  });
  await lifecycle.applyPolicy({ policy: BEFORE, hash: 'hash-before' });
});
afterAll(() => h.close());

async function activeGrant(targetName: string) {
  const { request } = await h.service.requestAccess({
    requester: 'U0ALICE',
    target: targetName,
    duration: '30m',
    reason: 'work INC-1',
  });
  const approved = await h.service.approveRequest({ requestId: request.id, userId: 'U0LEAD' });
  expect(approved.request.status).toBe('active');
  return approved.request;
}

describe('retiring while the broker is down', () => {
  it('keeps the grant it could not revoke in the record, and the periodic sweep ends it once the broker is back', async () => {
    const grant = await activeGrant('prod-db');
    h.brokerBox.current = {
      ...h.realBroker,
      revoke: () => Promise.reject(new JumpgateError('broker_unavailable', 'connect ECONNREFUSED')),
    };
    try {
      await lifecycle.applyPolicy({ policy: RETIRED, hash: 'hash-retired' });
    } finally {
      h.brokerBox.current = h.realBroker;
    }
    const retired = (await h.store.tail(20)).find((r) => r.type === 'target_retired' && r.target === 'prod-db');
    expect(retired?.detail).toMatchObject({ how: 'marked', ended: [], failed: [grant.grant?.id] });
    expect((await h.store.get(grant.id))?.status).toBe('active');

    expect(await lifecycle.sweepRetired()).toEqual([grant.grant?.id]);
    const ended = await h.store.get(grant.id);
    expect(ended?.status).toBe('revoked');
    expect(ended?.revocation?.reason).toMatch(/^prod-db was retired on /);
    expect(await h.isRevokedAtBroker(grant.grant?.certificate ?? '')).toBe(true);
    // Nothing is left to sweep.
    expect(await lifecycle.sweepRetired()).toEqual([]);
  });

  it('records the same policy once: applying it again writes no second policy_changed', async () => {
    const count = async () => (await h.store.tail(100)).filter((r) => r.type === 'policy_changed').length;
    const before = await count();
    const applied = await lifecycle.applyPolicy({ policy: RETIRED, hash: 'hash-retired' });
    expect(applied.recorded).toBe(false);
    expect(await count()).toBe(before);
  });
});

describe('offboarding a sponsor', () => {
  it('ends the vendor requests they sponsored (the sponsor is the requester) and writes one offboarded record', async () => {
    const vendorRequest = accessRequest({
      id: 'req_vendorsponsored1',
      kind: 'vendor',
      target: 'prod-web',
      requester: 'U0SPONSOR',
      vendor: { email: 'tech@vendor.example' },
      createdAt: h.clock.now,
      updatedAt: h.clock.now,
    });
    await h.store.create(
      vendorRequest,
      auditEntry({ type: 'requested', requestId: vendorRequest.id, actor: 'U0SPONSOR', target: 'prod-web' }),
    );
    const first = await lifecycle.offboardPerson({ userId: 'U0SPONSOR', source: 'user_change' });
    expect(first?.detail).toMatchObject({ userId: 'U0SPONSOR', cancelled: [vendorRequest.id], sshKeyDeleted: true });
    const cancelled = await h.store.get(vendorRequest.id);
    expect(cancelled?.status).toBe('cancelled');
    expect(cancelled?.decision).toMatchObject({
      by: 'jumpgate',
      reason: "the requester's Slack account was deactivated",
    });
    // The event again (another replica, Slack's retry): nothing more is written.
    expect(await lifecycle.offboardPerson({ userId: 'U0SPONSOR', source: 'periodic_check' })).toBeUndefined();
  });
});
