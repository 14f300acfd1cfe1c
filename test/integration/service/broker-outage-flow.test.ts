import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JumpgateError } from '../../../src/domain/errors.js';
import type { Broker } from '../../../src/service/ports/broker.js';
import { verifyChain } from '../../../src/store/audit-chain.js';
import { MINUTE, policy, workflow } from '../../support/policy-builders.js';
import { serviceHarness } from './service-harness.js';

/**
 * Broker outages at the service level, over a real Redis store and the real embedded broker,
 * with an injected clock: the jobs (grant tries) and the recovery sweep are run by the test at
 * the times they were scheduled for. The same faults with real processes are in
 * test/integration/recovery/broker-outage.test.ts.
 */
const POLICY = policy(
  workflow({ targets: [{ name: 'prod-db', hosts: ['db-1.internal'], principals: ['dbadmin'] }] }),
  workflow({ name: 'quick', targets: ['quick-db'], access: { grantRetryWindow: 3_000 } }),
);

let h: Awaited<ReturnType<typeof serviceHarness>>;
let grantCalls = 0;
const down = (): Broker => ({
  ...h.realBroker,
  grant: () => {
    grantCalls += 1;
    return Promise.reject(
      new JumpgateError('broker_unavailable', 'the access broker did not answer (tried 2 times)', {
        details: { attempts: 2 },
      }),
    );
  },
});

beforeAll(async () => {
  h = await serviceHarness('outage', POLICY, { S0SRE: ['U0SRE1', 'U0SRE2'] });
  await h.service.registerKey({ userId: 'U0ALICE', text: h.alicePublicKey });
});
afterAll(() => h.close());

async function approvedWhileDown(target: string, duration = '30m') {
  const { request } = await h.service.requestAccess({ requester: 'U0ALICE', target, duration, reason: 'INC-7' });
  h.brokerBox.current = down();
  const outcome = await h.service.approveRequest({ requestId: request.id, userId: 'U0SRE1' });
  return outcome.request;
}

const auditTypes = async (id: string) => (await h.store.forRequest(id)).map((r) => r.type);
const noticesOf = (id: string) =>
  h.notifier.told.filter((t) => t.notice.view.request.id === id).map((t) => t.notice.type);
const triesOf = (id: string) => h.scheduler.grantRetries.filter((r) => r.requestId === id);

async function rejection(promise: Promise<unknown>): Promise<JumpgateError> {
  try {
    await promise;
  } catch (error) {
    return error as JumpgateError;
  }
  throw new Error('expected a rejection');
}

describe('an approved request whose broker is unreachable', () => {
  it('stays approved, says so once, is tried again ≤ 5 s apart, and is granted by itself once the broker answers', async () => {
    const waiting = await approvedWhileDown('prod-db');
    expect(waiting.status).toBe('approved');
    const since = waiting.grantWaitingSince ?? 0;
    expect(since).toBe(h.clock.now);
    expect(await auditTypes(waiting.id)).toEqual(['requested', 'approved', 'grant_waiting']);
    expect(noticesOf(waiting.id)).toEqual(['waiting']);
    expect(h.notifier.updates.at(-1)?.view.request.grantWaitingSince).toBe(since);
    expect(triesOf(waiting.id)).toEqual([{ requestId: waiting.id, since, slot: 1, at: since + 1_000 }]);

    // The tries run when scheduled; each failure schedules the next, and writes nothing.
    for (const [slot, at] of [
      [2, 3_000],
      [3, 7_000],
      [4, 12_000],
      [5, 17_000],
    ] as const) {
      h.clock.now = triesOf(waiting.id).at(-1)!.at;
      expect((await h.service.issueGrant(waiting.id))?.status).toBe('approved');
      expect(triesOf(waiting.id).at(-1)).toEqual({ requestId: waiting.id, since, slot, at: since + at });
    }
    expect(await auditTypes(waiting.id)).toEqual(['requested', 'approved', 'grant_waiting']);
    expect(noticesOf(waiting.id)).toEqual(['waiting']);

    // The recovery sweep does not try a waiting grant itself: it schedules the same next try.
    const calls = grantCalls;
    h.clock.now += 2_000;
    await h.service.recover();
    expect(grantCalls).toBe(calls);
    expect(triesOf(waiting.id).at(-1)).toEqual({ requestId: waiting.id, since, slot: 5, at: since + 17_000 });

    h.brokerBox.current = h.realBroker;
    h.clock.now = since + 17_000;
    const granted = await h.service.issueGrant(waiting.id);
    expect(granted?.status).toBe('active');
    expect(granted?.grantWaitingSince).toBeUndefined();
    const records = await h.store.forRequest(waiting.id);
    expect(records.map((r) => r.type)).toEqual(['requested', 'approved', 'grant_waiting', 'granted']);
    expect(records.at(-1)?.detail).toMatchObject({ waitedMs: 17_000 });
    expect(noticesOf(waiting.id)).toEqual(['waiting', 'granted']);
    // A try scheduled before the grant landed finds nothing to do.
    expect((await h.service.issueGrant(waiting.id))?.status).toBe('active');
    expect(await auditTypes(waiting.id)).toHaveLength(4);
  });

  it('a refusal while waiting (4xx) fails at once', async () => {
    const waiting = await approvedWhileDown('prod-db');
    h.brokerBox.current = {
      ...h.realBroker,
      grant: () => Promise.reject(new JumpgateError('broker_rejected', 'the grant window is over', {})),
    };
    h.clock.now += 1_000;
    const failed = await h.service.issueGrant(waiting.id);
    expect(failed?.status).toBe('failed');
    expect(failed?.failure?.code).toBe('broker_rejected');
    expect(await auditTypes(waiting.id)).toEqual(['requested', 'approved', 'grant_waiting', 'grant_failed']);
  });
});

describe('past grant_retry_window, and Retry', () => {
  it('fails with the outage, then Retry by the requester or an approver grants it without new approvals, once', async () => {
    const waiting = await approvedWhileDown('quick-db');
    const since = waiting.grantWaitingSince ?? 0;
    h.clock.now = since + 3_000;
    const failed = await h.service.issueGrant(waiting.id);
    expect(failed?.status).toBe('failed');
    expect(failed?.failure).toEqual({ code: 'broker_unavailable', message: 'the access broker did not answer for 3s' });
    expect((await h.store.forRequest(waiting.id)).at(-1)).toMatchObject({
      type: 'grant_failed',
      detail: { code: 'broker_unavailable', waitedMs: 3_000 },
    });
    expect(noticesOf(waiting.id)).toEqual(['waiting', 'closed']);

    const stranger = await rejection(h.service.retryGrant({ requestId: waiting.id, userId: 'U0MALLORY' }));
    expect(stranger.code).toBe('forbidden');
    expect(stranger.message).toBe('only the requester and the approvers of this request can retry its grant');

    h.brokerBox.current = h.realBroker;
    h.clock.now += 60_000;
    const [first, second] = await Promise.allSettled([
      h.service.retryGrant({ requestId: waiting.id, userId: 'U0SRE1' }),
      h.service.retryGrant({ requestId: waiting.id, userId: 'U0ALICE' }),
    ]);
    const outcomes = [first, second].map((o) =>
      o.status === 'fulfilled' ? o.value.status : (o.reason as JumpgateError).code,
    );
    expect(outcomes.sort()).toEqual(['active', 'not_retryable']);
    const records = await h.store.forRequest(waiting.id);
    expect(records.map((r) => r.type)).toEqual([
      'requested',
      'approved',
      'grant_waiting',
      'grant_failed',
      'grant_retried',
      'granted',
    ]);
    expect(['U0SRE1', 'U0ALICE']).toContain(records[4]?.actor);
    expect(records.filter((r) => r.type === 'approved')).toHaveLength(1);
    expect(verifyChain(await h.store.range(1))).toBeUndefined();
  });

  it('a Retry after the approvals went stale, or after the window ended, is refused with what to do', async () => {
    const waiting = await approvedWhileDown('quick-db', '1h');
    h.clock.now = (waiting.grantWaitingSince ?? 0) + 3_000;
    expect((await h.service.issueGrant(waiting.id))?.status).toBe('failed');
    h.brokerBox.current = h.realBroker;

    h.clock.now = waiting.updatedAt + 30 * MINUTE;
    const stale = await rejection(h.service.retryGrant({ requestId: waiting.id, userId: 'U0ALICE' }));
    expect(stale.code).toBe('approvals_stale');
    expect(stale.message).toContain('request access again');

    h.clock.now = (waiting.grant?.notAfter ?? 0) + 1;
    const over = await rejection(h.service.retryGrant({ requestId: waiting.id, userId: 'U0ALICE' }));
    expect(over.code).toBe('grant_window_over');
    expect((await h.store.get(waiting.id))?.status).toBe('failed');
  });
});

describe('a Retry after reconciliation revoked what the broker had issued', () => {
  it('fails for good, saying to request again, instead of handing over a revoked certificate', async () => {
    // The broker issued the grant, but its answer was lost: the bot saw it unreachable.
    const { request } = await h.service.requestAccess({
      requester: 'U0ALICE',
      target: 'quick-db',
      duration: '30m',
      reason: 'INC-9',
    });
    let calls = 0;
    h.brokerBox.current = {
      ...h.realBroker,
      grant: async (body) => {
        calls += 1;
        await h.realBroker.grant(body);
        throw new JumpgateError('broker_unavailable', 'the access broker did not answer (tried 2 times)');
      },
    };
    const waiting = (await h.service.approveRequest({ requestId: request.id, userId: 'U0SRE1' })).request;
    h.clock.now = (waiting.grantWaitingSince ?? 0) + 3_000;
    expect((await h.service.issueGrant(waiting.id))?.status).toBe('failed');
    expect(calls).toBe(2);
    h.brokerBox.current = h.realBroker;
    // Reconciliation revokes at the broker what a failed request left there.
    await h.service.reconcile();
    expect((await h.realBroker.listActive()).some((g) => g.requestId === waiting.id)).toBe(false);

    const retried = await h.service.retryGrant({ requestId: waiting.id, userId: 'U0ALICE' });
    expect(retried.status).toBe('failed');
    expect(retried.failure).toEqual({
      code: 'broker_rejected',
      message: 'the access broker holds this grant as revoked already; request access again',
    });
    expect(noticesOf(waiting.id).filter((n) => n === 'granted')).toEqual([]);
  });
});
