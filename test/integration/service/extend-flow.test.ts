import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AccessRequest } from '../../../src/domain/access-request.js';
import type { JumpgateError } from '../../../src/domain/errors.js';
import type { PagerDutyAutoApprove } from '../../../src/domain/workflow.js';
import { HOUR, MINUTE, policy, workflow } from '../../support/policy-builders.js';
import { readCertificate } from '../broker/harness.js';
import { serviceHarness } from './service-harness.js';

const RULE: PagerDutyAutoApprove = {
  escalationPolicies: ['PESC1'],
  services: ['PSVC1'],
  maxDuration: HOUR,
  requireAssigned: false,
  endWithIncident: true,
};
const EXTEND = {
  standard: { allowed: true, maxTotal: 4 * HOUR, autoWithin: 2 * HOUR },
  breakglass: { allowed: false, maxTotal: 0 },
  vendor: { allowed: false, maxTotal: 0 },
};
const POLICY = policy(
  workflow({
    name: 'production',
    targets: [{ name: 'prod-db', hosts: ['db-1.internal'], principals: ['dbadmin'] }],
    extend: EXTEND,
  }),
  workflow({
    name: 'ops',
    targets: ['ops-db'],
    access: { autoApprove: { pagerduty: RULE } },
    extend: { ...EXTEND, standard: { allowed: true, maxTotal: 4 * HOUR, autoWithin: HOUR } },
  }),
  workflow({ name: 'fixed', targets: ['fixed-db'] }),
);

let h: Awaited<ReturnType<typeof serviceHarness>>;
beforeAll(async () => {
  h = await serviceHarness('extend', POLICY, { S0SRE: ['U0SRE1'] });
  await h.service.registerKey({ userId: 'U0ALICE', text: h.alicePublicKey });
});
afterAll(() => h.close());
beforeEach(() => {
  h.brokerBox.current = h.realBroker;
  h.incidents.users = [{ id: 'PUALICE', email: 'alice@example.com', name: 'Alice' }];
  h.incidents.onCallList = [{ escalationPolicyId: 'PESC1', level: 1, userId: 'PUALICE' }];
  h.incidents.incidentList = [
    {
      id: 'PINC7',
      number: 7,
      title: 'ops-db is down',
      status: 'triggered',
      serviceId: 'PSVC1',
      url: 'https://example.pagerduty.com/incidents/PINC7',
      assigneeIds: [],
    },
  ];
});

async function rejection(promise: Promise<unknown>): Promise<JumpgateError> {
  try {
    await promise;
  } catch (error) {
    return error as JumpgateError;
  }
  throw new Error('expected a rejection');
}

/** An approved, active 1h grant on `target`. */
async function activeGrant(target = 'prod-db', duration = '1h'): Promise<AccessRequest> {
  const { request } = await h.service.requestAccess({ requester: 'U0ALICE', target, duration, reason: 'fix INC-42' });
  if (request.status === 'active') return request;
  return (await h.service.approveRequest({ requestId: request.id, userId: 'U0LEAD' })).request;
}

const validTo = async (certificate: string) => new Date(`${(await readCertificate(certificate)).validTo}Z`).getTime();
const auditTypes = async (id: string) => (await h.store.forRequest(id)).map((record) => record.type);

describe('an extension within auto_within', () => {
  it('is granted at once: a new certificate for the new window, one revocation job, the old serial revoked', async () => {
    const granted = await activeGrant();
    const first = granted.grant!;
    expect(first.id).toBe(granted.id.replace('req_', 'grant_'));

    const outcome = await h.service.extendGrant({ grantId: first.id, userId: 'U0ALICE', addedMs: 30 * MINUTE });
    expect(outcome.outcome).toBe('extended');
    const now = outcome.request.grant!;
    expect(now.id).toBe(`${first.id}_2`);
    expect(now.notAfter).toBe(first.notAfter + 30 * MINUTE);
    expect(now.serial).not.toBe(first.serial);
    // The certificate itself ends at the new notAfter (ssh-keygen -L prints whole seconds).
    expect(Math.abs((await validTo(now.certificate!)) - now.notAfter)).toBeLessThan(1_000);
    expect(Math.abs((await validTo(first.certificate!)) - first.notAfter)).toBeLessThan(1_000);

    expect(h.scheduler.find('expire', granted.id).map((job) => job.at)).toEqual([now.notAfter]);
    expect(h.scheduler.find('warn', granted.id)).toHaveLength(1);
    expect(await h.isRevokedAtBroker(first.certificate!)).toBe(true);
    expect(await h.isRevokedAtBroker(now.certificate!)).toBe(false);

    const extended = (await h.store.forRequest(granted.id)).filter((record) => record.type === 'extended');
    expect(extended).toHaveLength(1);
    expect(extended[0]).toMatchObject({
      grantId: now.id,
      actor: 'U0ALICE',
      detail: { oldNotAfter: first.notAfter, newNotAfter: now.notAfter, how: 'auto', previousGrantId: first.id },
    });
    expect(h.notifier.noticesFor('U0ALICE').at(-1)).toBe('extended');
    expect(h.notifier.updates.at(-1)?.view.request.grant?.id).toBe(now.id);

    // The sweep tracks the new window and does not revoke it as unknown.
    const report = await h.service.reconcile();
    expect(report.revokedAtBroker).toBe(0);
    expect(await h.isRevokedAtBroker(now.certificate!)).toBe(false);

    // The expiry warning is due once more for the new window, and /jump revoke takes the new id.
    const warned = await h.service.warnExpiry(granted.id);
    expect(warned?.warnedAt).toBeDefined();
    const ended = await h.service.revokeGrant({ grantId: now.id, userId: 'U0ALICE' });
    expect(ended.status).toBe('revoked');
    expect(await h.isRevokedAtBroker(now.certificate!)).toBe(true);
  });

  it('a repeated click on the same button extends once and says the grant was extended already', async () => {
    const granted = await activeGrant();
    const grantId = granted.grant!.id;
    const clicks = await Promise.allSettled([
      h.service.extendGrant({ grantId, userId: 'U0ALICE', addedMs: 30 * MINUTE }),
      h.service.extendGrant({ grantId, userId: 'U0ALICE', addedMs: 30 * MINUTE }),
    ]);
    const stored = await h.store.get(granted.id);
    expect(stored?.extensions).toHaveLength(1);
    expect(stored?.grant?.notAfter).toBe(granted.grant!.notAfter + 30 * MINUTE);
    for (const click of clicks) {
      if (click.status === 'rejected') expect((click.reason as JumpgateError).code).toBe('already_extended');
    }
    const again = await rejection(h.service.extendGrant({ grantId, userId: 'U0ALICE', addedMs: 30 * MINUTE }));
    expect(again.code).toBe('already_extended');
    expect(again.message).toContain(`${grantId}_2`);
    expect((await auditTypes(granted.id)).filter((type) => type === 'extended')).toHaveLength(1);
  });
});

describe('an extension beyond auto_within', () => {
  it('goes to the approvers marked as an extension; the approval grants the new window', async () => {
    const granted = await activeGrant();
    const grantId = granted.grant!.id;
    const asked = await h.service.extendGrant({ grantId, userId: 'U0ALICE', addedMs: 2 * HOUR });
    expect(asked.outcome).toBe('asked');
    expect(asked.request.grant?.id).toBe(grantId);
    expect(asked.request.extensionRequest).toMatchObject({ window: 2, addedMs: 2 * HOUR, approvalsRequired: 1 });
    const ask = h.notifier.extensionAsks.at(-1);
    expect(ask?.view.request.id).toBe(granted.id);
    // The thread post goes under the original approval message, which still shows the original approvals.
    expect(ask?.ref).toEqual(granted.message);
    expect(ask?.view.request.approvals.map((approval) => approval.userId)).toEqual(['U0LEAD']);

    // A second ask while one waits, the holder approving their own, and a stranger are refused.
    expect((await rejection(h.service.extendGrant({ grantId, userId: 'U0ALICE', addedMs: MINUTE }))).code).toBe(
      'extension_pending',
    );
    expect(
      (await rejection(h.service.approveExtension({ requestId: granted.id, window: 2, userId: 'U0ALICE' }))).code,
    ).toBe('self_approval');
    expect(
      (await rejection(h.service.approveExtension({ requestId: granted.id, window: 2, userId: 'U0RANDOM' }))).code,
    ).toBe('not_an_approver');

    const approved = await h.service.approveExtension({ requestId: granted.id, window: 2, userId: 'U0SRE1' });
    expect(approved.complete).toBe(true);
    expect(approved.request.grant).toMatchObject({ id: `${grantId}_2`, notAfter: granted.grant!.notAfter + 2 * HOUR });
    expect(approved.request.extensions?.[0]).toMatchObject({ how: 'approved', approvals: [{ userId: 'U0SRE1' }] });
    expect(await auditTypes(granted.id)).toEqual([
      'requested',
      'approved',
      'granted',
      'extension_requested',
      'extended',
    ]);
    expect(h.scheduler.find('expire', granted.id).map((job) => job.at)).toEqual([approved.request.grant!.notAfter]);
    expect(await h.isRevokedAtBroker(granted.grant!.certificate!)).toBe(true);
    // A late click on the decided ask says so.
    expect(
      (await rejection(h.service.approveExtension({ requestId: granted.id, window: 2, userId: 'U0LEAD' }))).message,
    ).toContain('granted already');
  });

  it('a denial keeps the end and tells the holder who denied it', async () => {
    const granted = await activeGrant();
    await h.service.extendGrant({ grantId: granted.grant!.id, userId: 'U0ALICE', addedMs: 2 * HOUR });
    const denied = await h.service.denyExtension({ requestId: granted.id, window: 2, userId: 'U0LEAD' });
    expect(denied.grant?.notAfter).toBe(granted.grant!.notAfter);
    expect(denied.extensionDenial).toMatchObject({ by: 'U0LEAD' });
    expect(h.notifier.noticesFor('U0ALICE').at(-1)).toBe('extension_denied');
    expect((await auditTypes(granted.id)).at(-1)).toBe('extension_denied');
  });
});

describe('limits', () => {
  it('refuses past max_total, saying what is allowed and what is used', async () => {
    const granted = await activeGrant('prod-db', '3h30m');
    const error = await rejection(
      h.service.extendGrant({ grantId: granted.grant!.id, userId: 'U0ALICE', addedMs: HOUR }),
    );
    expect(error.code).toBe('extension_over_max');
    expect(error.message).toContain('at most 4h in all; 3h30m used');
    expect(await auditTypes(granted.id)).toEqual(['requested', 'approved', 'granted']);
  });

  it('refuses where the workflow has no extend rules, and someone else’s grant', async () => {
    const fixed = await activeGrant('fixed-db');
    expect(
      (await rejection(h.service.extendGrant({ grantId: fixed.grant!.id, userId: 'U0ALICE', addedMs: MINUTE }))).code,
    ).toBe('extend_not_allowed');
    expect(
      (await rejection(h.service.extendGrant({ grantId: fixed.grant!.id, userId: 'U0LEAD', addedMs: MINUTE }))).code,
    ).toBe('not_found');
  });
});

describe('a grant that ends with its incident', () => {
  it('is extended at once while the incident is open, past auto_within, and refused once it is resolved', async () => {
    const granted = await activeGrant('ops-db', '1h');
    expect(granted.incident?.endWithIncident).toBe(true);
    const extended = await h.service.extendGrant({ grantId: granted.grant!.id, userId: 'U0ALICE', addedMs: HOUR });
    expect(extended.outcome).toBe('extended');
    expect(extended.request.extensions?.[0]?.how).toBe('incident');

    h.incidents.resolve('PINC7');
    const error = await rejection(
      h.service.extendGrant({ grantId: extended.request.grant!.id, userId: 'U0ALICE', addedMs: 30 * MINUTE }),
    );
    expect(error.code).toBe('incident_resolved');
    expect(error.message).toContain('incident #7');
  });
});

describe('the superseded certificate', () => {
  it('is revoked by the reconciliation sweep when the broker did not take its revocation', async () => {
    const granted = await activeGrant();
    const old = granted.grant!;
    h.brokerBox.current = {
      ...h.realBroker,
      grant: (request) => h.realBroker.grant(request),
      listActive: () => h.realBroker.listActive(),
      revoke: async (id) => {
        if (id === old.id) throw new Error('broker down for this call');
        return h.realBroker.revoke(id);
      },
    };
    const outcome = await h.service.extendGrant({ grantId: old.id, userId: 'U0ALICE', addedMs: 30 * MINUTE });
    expect(await h.isRevokedAtBroker(old.certificate!)).toBe(false);
    h.brokerBox.current = h.realBroker;

    const report = await h.service.reconcile();
    expect(report.revokedAtBroker).toBe(1);
    expect(await h.isRevokedAtBroker(old.certificate!)).toBe(true);
    expect(await h.isRevokedAtBroker(outcome.request.grant!.certificate!)).toBe(false);
    const reconciled = (await h.store.forRequest(granted.id)).filter((record) => record.type === 'reconciled');
    expect(reconciled.map((record) => [record.grantId, record.detail.action])).toEqual([
      [old.id, 'revoked_superseded_at_broker'],
    ]);
  });
});
