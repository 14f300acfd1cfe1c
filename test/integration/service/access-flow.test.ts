import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JumpgateError } from '../../../src/domain/errors.js';
import { verifyChain } from '../../../src/store/audit-chain.js';
import { MINUTE, policy, workflow } from '../../support/policy-builders.js';
import { readCertificate } from '../broker/harness.js';
import { serviceHarness } from './service-harness.js';

const POLICY = policy(
  workflow({ targets: [{ name: 'prod-db', hosts: ['db-1.internal'], principals: ['dbadmin'] }] }),
  workflow({
    name: 'vault',
    targets: ['vault'],
    access: { approvers: { users: ['U0LEAD', 'U0BOB', 'U0CAROL'], groups: [] }, approvalsRequired: 2 },
  }),
  workflow({
    name: 'escalating',
    targets: ['esc'],
    access: {
      approvers: { users: ['U0LEAD'], groups: [] },
      escalateAfter: 10 * MINUTE,
      escalationApprovers: { users: ['U0ONCALL'], groups: [] },
    },
  }),
);

let h: Awaited<ReturnType<typeof serviceHarness>>;
beforeAll(async () => {
  h = await serviceHarness('flow', POLICY, { S0SRE: ['U0SRE1', 'U0SRE2'] });
  await h.service.registerKey({ userId: 'U0ALICE', text: h.alicePublicKey });
});
afterAll(() => h.close());

async function rejection(promise: Promise<unknown>): Promise<JumpgateError> {
  try {
    await promise;
  } catch (error) {
    return error as JumpgateError;
  }
  throw new Error('expected a rejection');
}

function request(target = 'prod-db', duration = '30m') {
  return h.service.requestAccess({ requester: 'U0ALICE', target, duration, reason: 'fix replication INC-42' });
}

describe('request → approve → grant', () => {
  it('records a pending request, schedules its timeout and posts the approval message', async () => {
    const { request: created, postedTo } = await request();
    expect(created.status).toBe('pending');
    expect(postedTo).toBe('C0APPROVALS');
    expect(h.scheduler.find('timeout', created.id)).toEqual([
      { kind: 'timeout', requestId: created.id, at: created.createdAt + 30 * MINUTE },
    ]);
    expect((await h.store.get(created.id))?.message?.channel).toBe('C0APPROVALS');
    expect((await h.store.forRequest(created.id)).map((r) => r.type)).toEqual(['requested']);
  });

  it('refuses a request from someone without a registered key, saying how to register one', async () => {
    const error = await rejection(h.service.requestAccess({ requester: 'U0NOKEY', target: 'prod-db', reason: 'x' }));
    expect(error.code).toBe('no_ssh_key');
    expect(error.message).toContain('/jump key');
  });

  it('counts only eligible approvers, never the requester, and grants on the last approval', async () => {
    const { request: created } = await request();
    expect((await rejection(h.service.approveRequest({ requestId: created.id, userId: 'U0ALICE' }))).code).toBe(
      'self_approval',
    );
    expect((await rejection(h.service.approveRequest({ requestId: created.id, userId: 'U0RANDOM' }))).code).toBe(
      'not_an_approver',
    );

    const before = h.clock.now;
    const outcome = await h.service.approveRequest({ requestId: created.id, userId: 'U0SRE1' });
    expect(outcome.complete).toBe(true);
    const active = outcome.request;
    expect(active.status).toBe('active');
    expect(active.grant?.notAfter).toBe(before + 30 * MINUTE);

    const cert = await readCertificate(active.grant!.certificate!);
    expect(cert.keyId).toBe(active.grant!.id);
    expect(cert.principals).toEqual(['dbadmin']);
    expect(cert.serial).toBe(active.grant!.serial);
    expect(new Date(`${cert.validTo}Z`).getTime()).toBe(Math.floor(active.grant!.notAfter / 1000) * 1000);

    expect(h.scheduler.find('expire', created.id)).toEqual([
      { kind: 'expire', requestId: created.id, at: active.grant!.notAfter },
    ]);
    expect(h.scheduler.find('warn', created.id)[0]?.at).toBe(active.grant!.notAfter - 5 * MINUTE);
    expect(
      h.notifier.told.find((t) => t.notice.type === 'granted' && t.notice.view.request.id === created.id)?.userId,
    ).toBe('U0ALICE');
    expect((await h.store.forRequest(created.id)).map((r) => r.type)).toEqual(['requested', 'approved', 'granted']);
  });

  it('grants exactly once when two approvers click at the same instant', async () => {
    const { request: created } = await request();
    const results = await Promise.allSettled([
      h.service.approveRequest({ requestId: created.id, userId: 'U0SRE1' }),
      h.service.approveRequest({ requestId: created.id, userId: 'U0SRE2' }),
      h.service.approveRequest({ requestId: created.id, userId: 'U0LEAD' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect((r.reason as JumpgateError).code).toBe('request_decided');
    const types = (await h.store.forRequest(created.id)).map((r) => r.type);
    expect(types.filter((t) => t === 'granted')).toHaveLength(1);
    expect(types.filter((t) => t === 'approved')).toHaveLength(1);
  });

  it('needs N distinct approvers: the same approver twice counts once', async () => {
    const { request: created } = await request('vault');
    const first = await h.service.approveRequest({ requestId: created.id, userId: 'U0BOB' });
    expect(first.complete).toBe(false);
    const again = await rejection(h.service.approveRequest({ requestId: created.id, userId: 'U0BOB' }));
    expect(again.code).toBe('already_approved');
    expect(again.message).toBe('you already approved this request; it needs 1 more approval from other approvers');
    const second = await h.service.approveRequest({ requestId: created.id, userId: 'U0CAROL' });
    expect(second.complete).toBe(true);
    expect(second.request.approvals.map((a) => a.userId)).toEqual(['U0BOB', 'U0CAROL']);
  });
});

describe('requests that are not granted', () => {
  it('a denied request can never be approved afterwards', async () => {
    const { request: created } = await request();
    const denied = await h.service.denyRequest({ requestId: created.id, userId: 'U0LEAD', reason: 'use staging' });
    expect(denied.decision).toMatchObject({ by: 'U0LEAD', reason: 'use staging' });
    const late = await rejection(h.service.approveRequest({ requestId: created.id, userId: 'U0SRE1' }));
    expect(late.code).toBe('request_decided');
    expect(late.message).toBe('this request was already denied');
    expect(h.notifier.noticesFor('U0ALICE')).toContain('closed');
  });

  it('times out only once due, and a timed-out request cannot be approved', async () => {
    const { request: created } = await request();
    expect(await h.service.timeoutRequest(created.id)).toBeUndefined();
    h.clock.now += 30 * MINUTE;
    expect((await h.service.timeoutRequest(created.id))?.status).toBe('timed_out');
    expect((await rejection(h.service.approveRequest({ requestId: created.id, userId: 'U0SRE1' }))).message).toBe(
      'this request has timed out',
    );
  });

  it('a broker that refuses the grant leaves the request failed at once, never half-granted, and says so', async () => {
    const { request: created } = await request();
    const refusal = new JumpgateError('broker_rejected', 'grant_x exists with a different key', {
      details: { status: 409 },
    });
    h.brokerBox.current = { ...h.realBroker, grant: () => Promise.reject(refusal) };
    try {
      const outcome = await h.service.approveRequest({ requestId: created.id, userId: 'U0SRE1' });
      expect(outcome.request.status).toBe('failed');
      expect(outcome.request.failure).toEqual({
        code: 'broker_rejected',
        message: 'grant_x exists with a different key',
      });
      // A refusal is not an outage: no wait, no retry scheduled.
      expect(h.scheduler.grantRetries.filter((r) => r.requestId === created.id)).toEqual([]);
    } finally {
      h.brokerBox.current = h.realBroker;
    }
    const types = (await h.store.forRequest(created.id)).map((r) => r.type);
    expect(types).toEqual(['requested', 'approved', 'grant_failed']);
    expect(h.notifier.told.some((t) => t.notice.type === 'closed' && t.notice.view.request.id === created.id)).toBe(
      true,
    );
    expect((await h.realBroker.listActive()).some((g) => g.requestId === created.id)).toBe(false);
  });
});

describe('the end of a grant', () => {
  async function activeGrant() {
    const { request: created } = await request();
    return (await h.service.approveRequest({ requestId: created.id, userId: 'U0SRE1' })).request;
  }

  it('warns once before the end, then expires at notAfter and revokes the certificate at the broker', async () => {
    const active = await activeGrant();
    h.clock.now = h.scheduler.find('warn', active.id)[0]!.at;
    expect((await h.service.warnExpiry(active.id))?.warnedAt).toBe(h.clock.now);
    expect(await h.service.warnExpiry(active.id)).toBeUndefined();

    expect(await h.service.expireGrant(active.id)).toBeUndefined(); // five minutes early: a stale job
    h.clock.now = active.grant!.notAfter;
    const expired = await h.service.expireGrant(active.id);
    expect(expired?.status).toBe('expired');
    expect(await h.isRevokedAtBroker(active.grant!.certificate!)).toBe(true);
    expect((await h.store.forRequest(active.id)).map((r) => r.type)).toEqual([
      'requested',
      'approved',
      'granted',
      'warned',
      'expired',
    ]);
    expect(h.notifier.noticesFor('U0ALICE')).toContain('ended');
  });

  it('revoke: the holder and approvers may, anyone else may not', async () => {
    const mine = await activeGrant();
    const stranger = await rejection(h.service.revokeGrant({ grantId: mine.grant!.id, userId: 'U0RANDOM' }));
    expect(stranger.code).toBe('forbidden');
    expect((await h.service.revokeGrant({ grantId: mine.grant!.id, userId: 'U0ALICE' })).status).toBe('revoked');
    expect(await h.isRevokedAtBroker(mine.grant!.certificate!)).toBe(true);

    const other = await activeGrant();
    const byApprover = await h.service.revokeGrant({ grantId: other.grant!.id, userId: 'U0SRE2' });
    expect(byApprover.revocation?.by).toBe('U0SRE2');
    const twice = await rejection(h.service.revokeGrant({ grantId: other.grant!.id, userId: 'U0ALICE' }));
    expect(twice.code).toBe('request_decided');
  });

  it('a broker failure at expiry keeps the grant active so the job retries', async () => {
    const active = await activeGrant();
    h.clock.now = active.grant!.notAfter;
    h.brokerBox.current = { ...h.realBroker, revoke: () => Promise.reject(new Error('broker down')) };
    try {
      await expect(h.service.expireGrant(active.id)).rejects.toThrow('broker down');
      expect((await h.store.get(active.id))?.status).toBe('active');
    } finally {
      h.brokerBox.current = h.realBroker;
    }
    expect((await h.service.expireGrant(active.id))?.status).toBe('expired');
  });
});

describe('Slack down', () => {
  it('grants and revokes with every message failing, and the audit chain still verifies', async () => {
    h.notifier.failing = true;
    try {
      const { request: created, postedTo } = await request();
      expect(postedTo).toBeUndefined();
      const active = (await h.service.approveRequest({ requestId: created.id, userId: 'U0SRE1' })).request;
      expect(active.status).toBe('active');
      h.clock.now = active.grant!.notAfter;
      expect((await h.service.expireGrant(active.id))?.status).toBe('expired');
      expect(await h.isRevokedAtBroker(active.grant!.certificate!)).toBe(true);
    } finally {
      h.notifier.failing = false;
    }
    expect(verifyChain(await h.store.range(1))).toBeUndefined();
  });
});

describe('escalation', () => {
  it('after escalate_after the escalation approvers may decide, with a reminder in the thread', async () => {
    const { request: created } = await request('esc');
    expect((await rejection(h.service.approveRequest({ requestId: created.id, userId: 'U0ONCALL' }))).code).toBe(
      'not_an_approver',
    );
    expect(h.scheduler.find('escalate', created.id)[0]?.at).toBe(created.createdAt + 10 * MINUTE);
    h.clock.now = created.createdAt + 10 * MINUTE;
    expect((await h.service.escalateRequest(created.id))?.escalated).toBe(true);
    expect(h.notifier.reminders.some((r) => r.view.request.id === created.id)).toBe(true);
    expect((await h.service.approveRequest({ requestId: created.id, userId: 'U0ONCALL' })).complete).toBe(true);
  });
});

describe('reconciliation', () => {
  it('revokes at the broker a grant the bot does not track, and finishes an interrupted grant', async () => {
    // A grant issued at the broker whose request the bot never recorded (e.g. written by a lost replica).
    await h.realBroker.grant({
      id: 'grant_orphan1234',
      requestId: 'req_orphan1234',
      kind: 'standard',
      subject: { type: 'user', id: 'U0GHOST', sshPublicKey: h.alicePublicKey },
      target: { name: 'prod-db', hosts: ['db-1.internal'], principals: ['dbadmin'] },
      notAfter: new Date(Date.now() + 3_600_000).toISOString(),
      reason: 'test',
    });
    // An approval whose grant call never happened (the process died in between).
    const { request: created } = await request();
    h.brokerBox.current = { ...h.realBroker, grant: () => new Promise(() => undefined) };
    void h.service.approveRequest({ requestId: created.id, userId: 'U0SRE1' });
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the approval commit before the "crash"
    h.brokerBox.current = h.realBroker;
    expect((await h.store.get(created.id))?.status).toBe('approved');

    h.clock.now += 60_000;
    const report = await h.service.reconcile();
    expect(report.revokedAtBroker).toBe(1);
    expect(report.granted).toBe(1);
    expect((await h.store.get(created.id))?.status).toBe('active');
    expect((await h.realBroker.listActive()).some((g) => g.id === 'grant_orphan1234')).toBe(false);
    expect((await h.store.tail(50)).some((r) => r.type === 'reconciled' && r.grantId === 'grant_orphan1234')).toBe(
      true,
    );
  });

  it('posts the approval message of a request that Slack did not take when it was made', async () => {
    h.notifier.failing = true;
    const { request: created, postedTo } = await request();
    h.notifier.failing = false;
    expect(postedTo).toBeUndefined();
    expect((await h.store.get(created.id))?.message).toBeUndefined();
    const report = await h.service.reconcile();
    expect(report.posted).toBe(1);
    expect((await h.store.get(created.id))?.message?.channel).toBe('C0APPROVALS');
    expect((await h.service.reconcile()).posted).toBe(0);
  });
});

describe('jobs that give up', () => {
  it('when a revocation’s last attempt fails, a person is alerted in the workflow’s channel with what still protects them', async () => {
    const { request: created } = await request();
    const active = (await h.service.approveRequest({ requestId: created.id, userId: 'U0SRE1' })).request;
    await h.service.reportJobFailure({
      job: 'expire',
      requestId: active.id,
      attempts: 10,
      error: 'the broker did not answer',
    });
    const alert = h.notifier.alerts.find((a) => a.requestId === active.id);
    expect(alert?.channel).toBe('C0APPROVALS');
    expect(alert?.text).toContain(
      `Jumpgate could not revoke the grant for ${active.id} (prod-db, requested by U0ALICE) after 10 attempts: the broker did not answer.`,
    );
    expect(alert?.text).toContain(
      `The certificate still expires by itself at ${new Date(active.grant!.notAfter).toISOString()}`,
    );
  });
});
