import { describe, expect, it } from 'vitest';
import { approveBreakglass, autoApprove } from '../../../src/domain/approve-at-once.js';
import {
  awaitsReview,
  remindOverdueReview,
  review,
  reviewersToMention,
} from '../../../src/domain/breakglass-review.js';
import { end, fail, grant, warn } from '../../../src/domain/grant-transitions.js';
import { newRequest } from '../../../src/domain/new-request.js';
import { approve, cancel, deny, escalate, timeOut } from '../../../src/domain/pending-transitions.js';
import { assertMayRevoke, revokersOf } from '../../../src/domain/revocation.js';
import { accessRequest } from '../../support/builders.js';
import { HOUR, MINUTE, member, target, workflow } from '../../support/policy-builders.js';
import { thrown } from './thrown.js';

const NOW = 1_800_000_600_000;
const APPROVERS = { users: ['U0LEAD'], groups: ['S0SRE'] };
const ISSUED = {
  serial: '42',
  principals: ['ops'],
  certificate: 'ssh-ed25519-cert-v01@openssh.com AAAA',
  notAfter: 'x',
};

describe('newRequest', () => {
  it('builds a pending request that needs the workflow’s approvals, and its requested record', () => {
    const checked = { durationMs: 30 * MINUTE, reason: 'fix INC-42', ticket: 'INC-42' };
    const { next, audit } = newRequest({
      id: 'req_a',
      kind: 'standard',
      workflow: workflow({ access: { approvalsRequired: 2 } }),
      target: 'prod-db',
      requester: 'U0ALICE',
      sshPublicKey: 'k',
      checked,
      incidentCheck: 'off',
      now: NOW,
    });
    expect(next).toMatchObject({
      status: 'pending',
      approvalsRequired: 2,
      approvals: [],
      ticket: 'INC-42',
      createdAt: NOW,
      version: 1,
    });
    expect(audit).toMatchObject({
      type: 'requested',
      requestId: 'req_a',
      actor: 'U0ALICE',
      detail: { kind: 'standard', approvalsRequired: 2, incidentCheck: 'off' },
    });
  });

  it('needs no approval for a breakglass', () => {
    const { next, audit } = newRequest({
      id: 'req_b',
      kind: 'breakglass',
      workflow: workflow(),
      target: 'prod-db',
      requester: 'U0ALICE',
      sshPublicKey: 'k',
      checked: { durationMs: HOUR, reason: 'down' },
      incidentCheck: 'off',
      now: NOW,
    });
    expect(next.approvalsRequired).toBe(0);
    expect(audit.detail).not.toHaveProperty('approvalsRequired');
  });
});

describe('pending transitions', () => {
  const input = {
    approvers: APPROVERS,
    allowSelfApproval: false,
    now: NOW,
    target: target('prod-db'),
    principals: ['ops'],
  };

  it('approve fixes the grant window on the last approval only', () => {
    const two = accessRequest({ approvalsRequired: 2 });
    const first = approve(two, { ...input, clicker: member('U0LEAD') });
    expect(first).toMatchObject({ complete: false, next: { status: 'pending' } });
    expect(first.audit.grantId).toBeUndefined();
    const second = approve(first.next, { ...input, clicker: member('U0BOB', 'S0SRE') });
    expect(second.next).toMatchObject({
      status: 'approved',
      grant: { notBefore: NOW, notAfter: NOW + 30 * MINUTE, principals: ['ops'] },
    });
    expect(second.audit).toMatchObject({
      type: 'approved',
      actor: 'U0BOB',
      grantId: second.next.grant?.id,
      detail: { approvals: 2, complete: true },
    });
  });

  it('deny, cancel refuse what approval.ts refuses', () => {
    expect(thrown(() => deny(accessRequest(), { ...input, clicker: member('U0ALICE'), reason: 'no' })).code).toBe(
      'forbidden',
    );
    expect(deny(accessRequest(), { ...input, clicker: member('U0LEAD'), reason: ' no ' }).next.decision).toEqual({
      by: 'U0LEAD',
      at: NOW,
      reason: 'no',
    });
    expect(thrown(() => cancel(accessRequest(), { userId: 'U0LEAD', now: NOW })).code).toBe('forbidden');
    expect(cancel(accessRequest(), { userId: 'U0ALICE', now: NOW }).next.status).toBe('cancelled');
  });

  it('time out and escalate do nothing before they are due or once decided', () => {
    const request = accessRequest({ createdAt: NOW - 10 * MINUTE });
    expect(timeOut(request, { timeoutMs: 30 * MINUTE, now: NOW })).toBeUndefined();
    expect(timeOut(request, { timeoutMs: 5 * MINUTE, now: NOW })?.next.status).toBe('timed_out');
    expect(timeOut({ ...request, status: 'denied' }, { timeoutMs: 0, now: NOW })).toBeUndefined();
    expect(escalate(request, { escalateAfterMs: undefined, now: NOW })).toBeUndefined();
    expect(escalate(request, { escalateAfterMs: 5 * MINUTE, now: NOW })?.next.escalated).toBe(true);
    expect(escalate({ ...request, escalated: true }, { escalateAfterMs: 5 * MINUTE, now: NOW })).toBeUndefined();
  });

  it('approves at once, capped for auto-approval, with a review due for breakglass', () => {
    const incident = { id: 'P1', number: 7, title: 't', url: 'u', serviceId: 'S', endWithIncident: true };
    const auto = autoApprove(accessRequest({ durationMs: 2 * HOUR }), {
      target: target('prod-db'),
      incident,
      onCall: { escalationPolicyId: 'EP', level: 1 },
      capMs: HOUR,
      now: NOW,
    });
    expect(auto.next).toMatchObject({
      status: 'approved',
      durationMs: HOUR,
      autoApproval: { requestedMs: 2 * HOUR },
      incident,
    });
    expect(auto.audit).toMatchObject({ type: 'auto_approved', actor: 'jumpgate' });
    const glass = approveBreakglass(accessRequest({ kind: 'breakglass' }), {
      target: target('prod-db'),
      reviewWithinMs: HOUR,
      now: NOW,
    });
    expect(glass.next.review).toEqual({ dueAt: NOW + HOUR });
    expect(
      thrown(() =>
        approveBreakglass(accessRequest({ status: 'cancelled' }), {
          target: target('prod-db'),
          reviewWithinMs: HOUR,
          now: NOW,
        }),
      ).code,
    ).toBe('request_decided');
  });
});

describe('grant transitions', () => {
  const planned = { id: 'grant_a', notBefore: NOW, notAfter: NOW + HOUR, principals: ['ops'], hosts: ['h'] };

  it('grant, fail and warn start only where they should', () => {
    const approved = accessRequest({ status: 'approved', grant: planned });
    expect(grant(approved, { issued: ISSUED, now: NOW })?.next).toMatchObject({
      status: 'active',
      grant: { id: 'grant_a', serial: '42' },
    });
    expect(grant(accessRequest(), { issued: ISSUED, now: NOW })).toBeUndefined();
    expect(fail(approved, { failure: { code: 'broker_unavailable', message: 'down' }, now: NOW })?.audit).toMatchObject(
      { type: 'grant_failed', grantId: 'grant_a' },
    );
    const active = accessRequest({ status: 'active', grant: planned });
    expect(warn(active, { now: NOW })?.next.warnedAt).toBe(NOW);
    expect(warn({ ...active, warnedAt: NOW }, { now: NOW })).toBeUndefined();
  });

  it('end records who revoked and why', () => {
    const active = accessRequest({ status: 'active', grant: planned });
    const ended = end(active, {
      ending: { status: 'revoked', actor: 'jumpgate', reason: 'incident #7 was resolved' },
      brokerKnewIt: true,
      now: NOW + MINUTE,
    });
    expect(ended?.next.revocation).toEqual({ by: 'jumpgate', at: NOW + MINUTE, reason: 'incident #7 was resolved' });
    expect(ended?.audit.detail).toMatchObject({
      lagMs: MINUTE - HOUR,
      brokerKnewIt: true,
      reason: 'incident #7 was resolved',
    });
    expect(
      end(
        { ...active, status: 'expired' },
        { ending: { status: 'expired', actor: 'jumpgate' }, brokerKnewIt: true, now: NOW },
      ),
    ).toBeUndefined();
  });
});

describe('breakglass review', () => {
  const glass = accessRequest({ kind: 'breakglass', status: 'active', review: { dueAt: NOW } });
  const reviewers = { users: ['U0LEAD', 'U0ALICE'], groups: ['S0SRE'] };

  it('has codes of its own for each refusal', () => {
    const by = (userId: string, ...groups: string[]) => ({
      reviewers,
      reviewer: member(userId, ...groups),
      outcome: 'ok' as const,
      now: NOW,
    });
    expect(thrown(() => review(accessRequest(), by('U0LEAD'))).code).toBe('no_review');
    expect(thrown(() => review(glass, by('U0ALICE'))).code).toBe('self_review');
    expect(thrown(() => review(glass, by('U0RANDOM'))).code).toBe('not_an_approver');
    const done = review(glass, by('U0BOB', 'S0SRE')).next;
    expect(awaitsReview(done)).toBe(false);
    expect(thrown(() => review(done, by('U0LEAD'))).code).toBe('review_done');
  });

  it('is chased only while overdue, and never mentions the person who used it', () => {
    expect(remindOverdueReview(glass, { now: NOW - 1 })).toBeUndefined();
    expect(remindOverdueReview(glass, { now: NOW + MINUTE })?.audit).toMatchObject({
      type: 'escalated',
      detail: { what: 'review_overdue', overdueMs: MINUTE },
    });
    const wf = workflow({ access: { approvers: { users: ['U0LEAD', 'U0ALICE'], groups: ['S0SRE'] } } });
    expect(reviewersToMention(wf, glass).users).toEqual(['U0LEAD']);
  });
});

describe('revocation', () => {
  it('lets the holder and the workflow’s approvers revoke an active grant', () => {
    const active = accessRequest({ status: 'active' });
    const revokers = revokersOf(workflow(), active);
    expect(() => assertMayRevoke(active, { member: member('U0ALICE'), name: 'g' })).not.toThrow();
    expect(() => assertMayRevoke(active, { member: member('U0BOB', 'S0SRE'), revokers, name: 'g' })).not.toThrow();
    expect(thrown(() => assertMayRevoke(active, { member: member('U0BOB'), revokers, name: 'g' })).code).toBe(
      'forbidden',
    );
    expect(
      thrown(() => assertMayRevoke({ ...active, status: 'expired' }, { member: member('U0ALICE'), name: 'g' })).code,
    ).toBe('request_decided');
  });
});
