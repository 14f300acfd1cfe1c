import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JumpgateError } from '../../../src/domain/errors.js';
import type { PagerDutyAutoApprove } from '../../../src/domain/workflow.js';
import { HOUR, MINUTE, policy, workflow } from '../../support/policy-builders.js';
import { serviceHarness } from './service-harness.js';

const RULE: PagerDutyAutoApprove = {
  escalationPolicies: ['PESC1'],
  services: ['PSVC1'],
  maxDuration: HOUR,
  maxEscalationLevel: 2,
  requireAssigned: false,
  endWithIncident: true,
};
const POLICY = policy(
  workflow({
    name: 'ops',
    targets: [{ name: 'prod-db', hosts: ['db-1.internal'], principals: ['dbadmin'] }],
    access: { autoApprove: { pagerduty: RULE } },
    breakglass: { notifyChannel: 'C0SECURITY', reviewWithin: 24 * HOUR },
  }),
  workflow({ name: 'limited', targets: ['limited-db'], breakglass: { maxPerDay: 2 } }),
  workflow({
    name: 'strict',
    targets: ['vault'],
    access: { autoApprove: { pagerduty: { ...RULE, requireAssigned: true, endWithIncident: false } } },
    breakglass: { requireIncident: true },
  }),
  workflow({ name: 'noglass', targets: ['web'], breakglass: null }),
);

let h: Awaited<ReturnType<typeof serviceHarness>>;
beforeAll(async () => {
  h = await serviceHarness('incidents', POLICY, { S0SRE: ['U0SRE1'] });
  await h.service.registerKey({ userId: 'U0ALICE', text: h.alicePublicKey });
});
afterAll(() => h.close());
beforeEach(() => {
  h.incidents.unavailable = undefined;
  h.incidents.users = [{ id: 'PUALICE', email: 'alice@example.com', name: 'Alice' }];
  h.incidents.onCallList = [{ escalationPolicyId: 'PESC1', level: 1, userId: 'PUALICE' }];
  h.incidents.incidentList = [
    {
      id: 'PINC42',
      number: 42,
      title: 'DB replication lag',
      status: 'triggered',
      serviceId: 'PSVC1',
      url: 'https://example.pagerduty.com/incidents/PINC42',
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
const ask = (target = 'prod-db', duration = '2h') =>
  h.service.requestAccess({ requester: 'U0ALICE', target, duration, reason: 'replication is down' });

describe('auto-approval during an incident', () => {
  it('grants without a click, capped at the rule’s maximum, noted on the incident, approvers told why', async () => {
    const before = h.clock.now;
    const outcome = await ask();
    expect(outcome.incidentCheck.outcome).toBe('approved');
    const request = outcome.request;
    expect(request.status).toBe('active');
    expect(request.durationMs).toBe(HOUR);
    expect(request.autoApproval).toEqual({ escalationPolicyId: 'PESC1', level: 1, requestedMs: 2 * HOUR });
    expect(request.incident).toMatchObject({ id: 'PINC42', number: 42, endWithIncident: true });
    expect(request.grant?.notAfter).toBe(before + HOUR);
    expect(h.scheduler.find('timeout', request.id)).toEqual([]);
    expect(
      h.notifier.posted.some((view) => view.request.id === request.id && view.request.autoApproval !== undefined),
    ).toBe(true);
    const note = h.incidents.notes.find((n) => n.content.includes(request.id));
    expect(note?.incidentId).toBe('PINC42');
    expect(note?.content).toContain('access to prod-db (dbadmin on db-1.internal) granted to alice@example.com until');
    expect((await h.store.forRequest(request.id)).map((r) => r.type)).toEqual([
      'requested',
      'auto_approved',
      'granted',
    ]);
  });

  it.each([
    [
      'on call without an incident',
      () => (h.incidents.incidentList = []),
      'no triggered or acknowledged incident on PSVC1',
    ],
    ['an incident without being on call', () => (h.incidents.onCallList = []), 'you are not on call for PESC1'],
    [
      'on call above max_escalation_level',
      () => (h.incidents.onCallList = [{ escalationPolicyId: 'PESC1', level: 3, userId: 'PUALICE' }]),
      'you are on call at escalation level 3; this workflow counts levels up to 2',
    ],
    [
      'no PagerDuty user with the email',
      () => (h.incidents.users = [{ id: 'PUX', email: 'alice@example.org', name: 'A' }]),
      'no PagerDuty user has the email alice@example.com',
    ],
  ])('goes to normal approval with %s', async (_, arrange, reason) => {
    arrange();
    const outcome = await ask();
    expect(outcome.request.status).toBe('pending');
    expect(outcome.incidentCheck).toEqual({ outcome: 'not_approved', reason });
    expect(h.scheduler.find('timeout', outcome.request.id)).toHaveLength(1);
  });

  it('requires being assigned when require_assigned is set', async () => {
    const outcome = await ask('vault', '30m');
    expect(outcome.incidentCheck).toEqual({ outcome: 'not_approved', reason: 'you are not assigned to incident #42' });
    h.incidents.incidentList = [{ ...h.incidents.incidentList[0]!, assigneeIds: ['PUALICE'] }];
    expect((await ask('vault', '30m')).request.status).toBe('active');
  });

  it('fails safe when PagerDuty cannot answer: normal approval, and the requester is told why', async () => {
    h.incidents.unavailable = 'PagerDuty did not answer within 3 s';
    const outcome = await ask();
    expect(outcome.request.status).toBe('pending');
    expect(outcome.incidentCheck).toEqual({ outcome: 'unavailable', reason: 'PagerDuty did not answer within 3 s' });
  });

  it('revokes access that ends with its incident once the incident is resolved, saying why', async () => {
    const { request } = await ask();
    expect(await h.service.watchIncidents()).toBe(0);
    h.incidents.resolve('PINC42');
    expect(await h.service.watchIncidents()).toBeGreaterThanOrEqual(1); // every grant tied to #42 ends
    const ended = await h.store.get(request.id);
    expect(ended?.status).toBe('revoked');
    expect(ended?.revocation).toMatchObject({ by: 'jumpgate', reason: 'incident #42 was resolved' });
    expect(await h.isRevokedAtBroker(request.grant!.certificate!)).toBe(true);
    expect(h.notifier.told.some((t) => t.notice.type === 'ended' && t.notice.view.request.id === request.id)).toBe(
      true,
    );
  });
});

describe('breakglass', () => {
  const glass = (target = 'prod-db', reason = 'primary is down, failing over') =>
    h.service.breakglass({ requester: 'U0ALICE', target, reason });

  it('says what will happen before it is confirmed', async () => {
    expect(await h.service.checkBreakglass({ requester: 'U0ALICE', target: 'prod-db', reason: 'outage' })).toEqual({
      target: 'prod-db',
      workflow: 'ops',
      durationMs: HOUR,
      reason: 'outage',
      notifyChannel: 'C0SECURITY',
      reviewWithinMs: 24 * HOUR,
      requiresIncident: false,
    });
  });

  it('grants at once, alerts the security channel, posts the review and schedules its reminder', async () => {
    h.incidents.incidentList = [];
    const { request } = await glass();
    expect(request.status).toBe('active');
    expect(request.kind).toBe('breakglass');
    expect(request.review?.dueAt).toBe(request.grant!.notBefore + 24 * HOUR);
    expect(h.notifier.breakglassAlerts.some((view) => view.request.id === request.id)).toBe(true);
    expect(h.notifier.posted.some((view) => view.request.id === request.id)).toBe(true);
    expect(h.scheduler.find('review', request.id)[0]?.at).toBe(request.review!.dueAt);
    expect((await h.store.forRequest(request.id)).map((r) => r.type)).toEqual(['requested', 'breakglass', 'granted']);
  });

  it('is marked as justified by an active incident and noted on it', async () => {
    const { request } = await glass();
    expect(request.incident?.id).toBe('PINC42');
    expect(h.incidents.notes.some((n) => n.content.includes(request.id) && n.content.includes('(breakglass)'))).toBe(
      true,
    );
  });

  it('is reviewed by an approver, never by its user, once; a flag alerts the security channel', async () => {
    const { request } = await glass();
    expect(
      (await rejection(h.service.reviewBreakglass({ requestId: request.id, userId: 'U0ALICE', outcome: 'ok' }))).code,
    ).toBe('self_review');
    expect(
      (await rejection(h.service.reviewBreakglass({ requestId: request.id, userId: 'U0RANDOM', outcome: 'ok' }))).code,
    ).toBe('not_an_approver');
    const flagged = await h.service.reviewBreakglass({ requestId: request.id, userId: 'U0SRE1', outcome: 'flagged' });
    expect(flagged.review).toMatchObject({ by: 'U0SRE1', outcome: 'flagged' });
    expect(h.notifier.alerts.some((a) => a.channel === 'C0SECURITY' && a.requestId === request.id)).toBe(true);
    const again = await rejection(
      h.service.reviewBreakglass({ requestId: request.id, userId: 'U0LEAD', outcome: 'ok' }),
    );
    expect(again.message).toBe('this breakglass was already flagged; its message says by whom');
    expect((await h.store.forRequest(request.id)).map((r) => r.type)).toContain('review_done');
  });

  it('reminds and escalates while the review is overdue, and stops once reviewed', async () => {
    const { request } = await glass();
    expect(await h.service.remindReview(request.id)).toBeUndefined(); // not due yet
    h.clock.now = request.review!.dueAt + MINUTE;
    const reminded = await h.service.remindReview(request.id);
    expect(reminded?.review?.remindedAt).toBe(h.clock.now);
    expect(h.notifier.reminders.some((r) => r.view.request.id === request.id)).toBe(true);
    expect(h.notifier.alerts.some((a) => a.channel === 'C0SECURITY' && a.text.includes('overdue'))).toBe(true);
    expect(h.scheduler.find('review', request.id).at(-1)?.at).toBe(h.clock.now + 6 * HOUR);
    await h.service.reviewBreakglass({ requestId: request.id, userId: 'U0LEAD', outcome: 'ok' });
    expect(await h.service.remindReview(request.id)).toBeUndefined();
  });

  it('allows at most max_per_day per person', async () => {
    await glass('limited-db');
    await glass('limited-db');
    const third = await rejection(glass('limited-db'));
    expect(third.code).toBe('breakglass_limit');
    expect(third.message).toBe(
      'you have used breakglass 2 times in the last 24 hours; limited allows 2 a day — make a normal request instead',
    );
  });

  it('is refused with a clear message where the workflow forbids it', async () => {
    const error = await rejection(glass('web'));
    expect(error.code).toBe('breakglass_not_allowed');
    expect(error.message).toBe(
      'breakglass access is not allowed for web; make a normal request and its approvers will be asked',
    );
  });

  it('where the workflow requires an incident: refused without one, granted with one', async () => {
    h.incidents.incidentList = [];
    const refused = await rejection(glass('vault'));
    expect(refused.code).toBe('incident_required');
    expect(refused.message).toBe(
      'breakglass on vault needs PagerDuty to show you on call during an active incident, and it does not: no triggered or acknowledged incident on PSVC1',
    );
    h.incidents.incidentList = [
      {
        id: 'PINC7',
        number: 7,
        title: 'vault sealed',
        status: 'acknowledged',
        serviceId: 'PSVC1',
        url: 'https://x/PINC7',
        assigneeIds: ['PUALICE'],
      },
    ];
    expect((await glass('vault')).request.incident?.number).toBe(7);
  });
});

describe('breakglass confirmation', () => {
  it('a confirmation used twice (a double click) takes one breakglass', async () => {
    const input = {
      requester: 'U0ALICE',
      target: 'prod-db',
      reason: 'outage',
      confirmation: 'a1b2c3d4e5f6a7b8c9d0e1f2',
    };
    const results = await Promise.allSettled([h.service.breakglass(input), h.service.breakglass(input)]);
    const granted = results.filter((r) => r.status === 'fulfilled');
    expect(granted).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect((refused?.reason as JumpgateError).message).toMatch(/^you already confirmed this breakglass: it is req_/);
  });
});
