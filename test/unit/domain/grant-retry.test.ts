import { describe, expect, it } from 'vitest';
import type { AccessRequest } from '../../../src/domain/access-request.js';
import {
  decideRetry,
  MAX_RETRY_GAP_MS,
  nextRetry,
  retry,
  retryable,
  retryOffset,
  waitForBroker,
  waitIsOver,
} from '../../../src/domain/grant-retry.js';
import { fail, grant } from '../../../src/domain/grant-transitions.js';
import { revocationBackoff } from '../../../src/jobs/job-queues.js';
import { accessRequest } from '../../support/builders.js';
import { thrown } from './thrown.js';

const T0 = 1_800_000_000_000;
const MINUTE = 60_000;
const UNREACHABLE = { code: 'broker_unavailable', message: 'the access broker did not answer (tried 2 times)' };

function approved(overrides: Partial<AccessRequest> = {}): AccessRequest {
  return accessRequest({
    status: 'approved',
    approvals: [{ userId: 'U0LEAD', at: T0 }],
    grant: { id: 'grant_x', notBefore: T0, notAfter: T0 + 30 * MINUTE, principals: ['dbadmin'], hosts: ['db-1'] },
    ...overrides,
  });
}

function failedByOutage(overrides: Partial<AccessRequest> = {}): AccessRequest {
  return { ...approved(overrides), status: 'failed', failure: UNREACHABLE, ...overrides };
}

describe('the grant retry schedule', () => {
  it('tries 1, 2 and 4 s apart, then every 5 s, counted from the start of the wait', () => {
    expect([1, 2, 3, 4, 5, 6].map(retryOffset)).toEqual([1_000, 3_000, 7_000, 12_000, 17_000, 22_000]);
    for (let slot = 2; slot < 200; slot++) {
      const gap = retryOffset(slot) - retryOffset(slot - 1);
      expect(gap).toBeGreaterThan(0);
      expect(gap).toBeLessThanOrEqual(MAX_RETRY_GAP_MS);
    }
  });

  it('names the same next try whoever asks, and never one less than 500 ms away', () => {
    expect(nextRetry(T0, T0)).toEqual({ slot: 1, at: T0 + 1_000 });
    // A try that ran at its time names the next slot; one that ran late skips what is past.
    expect(nextRetry(T0, T0 + 1_000)).toEqual({ slot: 2, at: T0 + 3_000 });
    expect(nextRetry(T0, T0 + 2_600)).toEqual({ slot: 3, at: T0 + 7_000 });
    expect(nextRetry(T0, T0 + 12_000)).toEqual({ slot: 5, at: T0 + 17_000 });
    expect(nextRetry(T0, T0 + 15_000)).toEqual({ slot: 5, at: T0 + 17_000 });
    expect(nextRetry(T0, T0 + 16_600)).toEqual({ slot: 6, at: T0 + 22_000 });
    for (let now = T0; now < T0 + 10 * MINUTE; now += 333) {
      const { at } = nextRetry(T0, now);
      expect(at - now).toBeGreaterThanOrEqual(500);
      expect(at - now).toBeLessThanOrEqual(MAX_RETRY_GAP_MS + 500);
    }
  });

  it('is over once grant_retry_window has passed', () => {
    expect(waitIsOver(T0, 10 * MINUTE, T0 + 10 * MINUTE - 1)).toBe(false);
    expect(waitIsOver(T0, 10 * MINUTE, T0 + 10 * MINUTE)).toBe(true);
  });

  it('backs revocations off 1, 2, 4 s, then 5 s at most, for over an hour of tries', () => {
    expect([1, 2, 3, 4, 5, 100].map(revocationBackoff)).toEqual([1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
    let total = 0;
    for (let attempt = 1; attempt < 730; attempt++) total += revocationBackoff(attempt);
    expect(total).toBeGreaterThan(60 * MINUTE);
  });
});

describe('waiting for the broker', () => {
  it('records the wait once (grant_waiting), and the request stays approved', () => {
    const change = waitForBroker(approved(), { failure: UNREACHABLE, windowMs: 10 * MINUTE, now: T0 + 5 });
    expect(change?.next).toMatchObject({ status: 'approved', grantWaitingSince: T0 + 5, updatedAt: T0 + 5 });
    expect(change?.audit).toMatchObject({
      type: 'grant_waiting',
      actor: 'jumpgate',
      grantId: 'grant_x',
      detail: { ...UNREACHABLE, retryWindowMs: 10 * MINUTE, retryUntil: T0 + 5 + 10 * MINUTE },
    });
    const next = change?.next as AccessRequest;
    expect(waitForBroker(next, { failure: UNREACHABLE, windowMs: 10 * MINUTE, now: T0 + 9 })).toBeUndefined();
    expect(waitForBroker(accessRequest(), { failure: UNREACHABLE, windowMs: MINUTE, now: T0 })).toBeUndefined();
  });

  it('the grant or the failure ends the wait and says how long it lasted', () => {
    const waiting = approved({ grantWaitingSince: T0 });
    const issued = {
      serial: '7',
      principals: ['dbadmin'],
      certificate: 'ssh-ed25519-cert-v01@openssh.com AAAA',
      notAfter: 'x',
    };
    const granted = grant(waiting, { issued, now: T0 + 4_000 });
    expect(granted?.next.grantWaitingSince).toBeUndefined();
    expect(granted?.audit.detail).toMatchObject({ waitedMs: 4_000 });
    const failed = fail(waiting, { failure: UNREACHABLE, now: T0 + 9_000 });
    expect(failed?.next.grantWaitingSince).toBeUndefined();
    expect(failed?.audit.detail).toMatchObject({ code: 'broker_unavailable', waitedMs: 9_000 });
    expect(grant(approved(), { issued, now: T0 })?.audit.detail).not.toHaveProperty('waitedMs');
  });
});

describe('decideRetry: who may retry, and while the approvals are fresh', () => {
  const input = (request: AccessRequest, clicker = 'U0ALICE', now = T0 + MINUTE) => ({
    request,
    clicker,
    requestTimeoutMs: 30 * MINUTE,
    now,
  });

  it('lets the requester and the approvers retry a grant the broker stayed down for', () => {
    expect(() => decideRetry(input(failedByOutage(), 'U0ALICE'))).not.toThrow();
    expect(() => decideRetry(input(failedByOutage(), 'U0LEAD'))).not.toThrow();
  });

  it('refuses anyone else, naming who may', () => {
    const error = thrown(() => decideRetry(input(failedByOutage(), 'U0MALLORY')));
    expect(error.code).toBe('forbidden');
    expect(error.details).toEqual({ requester: 'U0ALICE', approvers: ['U0LEAD'] });
  });

  it('refuses what a new try does not fix: a refusal by the broker, a request not failed', () => {
    const refused = failedByOutage({ failure: { code: 'broker_rejected', message: '409' } });
    expect(thrown(() => decideRetry(input(refused))).message).toBe(
      'this request failed for a reason a new try does not fix; request access again',
    );
    expect(thrown(() => decideRetry(input(approved()))).message).toBe(
      'this request is being granted already: nothing to retry',
    );
    expect(thrown(() => decideRetry(input(accessRequest({ status: 'timed_out' })))).message).toBe(
      'this request is timed out: there is no grant to retry',
    );
    expect(thrown(() => decideRetry(input(approved()))).code).toBe('not_retryable');
  });

  it('refuses once the approved window has ended, or the approvals are as old as request_timeout', () => {
    const request = failedByOutage({
      grant: { id: 'grant_x', notBefore: T0, notAfter: T0 + 2 * 60 * MINUTE, principals: [], hosts: [] },
    });
    expect(() => decideRetry(input(request, 'U0ALICE', T0 + 30 * MINUTE - 1))).not.toThrow();
    expect(thrown(() => decideRetry(input(request, 'U0ALICE', T0 + 30 * MINUTE))).code).toBe('approvals_stale');
    const ended = failedByOutage();
    expect(thrown(() => decideRetry(input(ended, 'U0ALICE', T0 + 30 * MINUTE))).code).toBe('grant_window_over');
    expect(retryable(request, 30 * MINUTE, T0 + MINUTE)).toBe(true);
    expect(retryable(request, 30 * MINUTE, T0 + 30 * MINUTE)).toBe(false);
  });

  it('with no approvals to give (auto-approval), the request itself must be fresh, and only its requester retries', () => {
    const auto = failedByOutage({
      approvals: [],
      createdAt: T0,
      autoApproval: { escalationPolicyId: 'P1', level: 1 },
      grant: { id: 'grant_x', notBefore: T0, notAfter: T0 + 60 * MINUTE, principals: [], hosts: [] },
    });
    expect(() => decideRetry(input(auto, 'U0ALICE', T0 + MINUTE))).not.toThrow();
    expect(thrown(() => decideRetry(input(auto, 'U0ALICE', T0 + 30 * MINUTE))).code).toBe('approvals_stale');
    expect(thrown(() => decideRetry(input(auto, 'U0LEAD', T0 + MINUTE))).code).toBe('forbidden');
  });

  it('never retries a breakglass: a new one is taken at once, and a retry could make two live on one target', () => {
    const breakglass = failedByOutage({ kind: 'breakglass', approvals: [], createdAt: T0 });
    const error = thrown(() => decideRetry(input(breakglass, 'U0ALICE', T0 + MINUTE)));
    expect(error.code).toBe('not_retryable');
    expect(error.message).toBe('a breakglass is not retried: take a new one with /jump breakglass');
    expect(retryable(breakglass, 30 * MINUTE, T0 + MINUTE)).toBe(false);
  });

  it('a retry moves the request back to approved with a grant_retried record naming who clicked', () => {
    const change = retry(failedByOutage({ grantWaitingSince: T0 }), { actor: 'U0LEAD', now: T0 + MINUTE });
    expect(change.next).toMatchObject({ status: 'approved', updatedAt: T0 + MINUTE });
    expect(change.next.failure).toBeUndefined();
    expect(change.next.grantWaitingSince).toBeUndefined();
    expect(change.next.grant?.notAfter).toBe(T0 + 30 * MINUTE);
    expect(change.audit).toMatchObject({
      type: 'grant_retried',
      actor: 'U0LEAD',
      detail: { previousFailure: 'broker_unavailable', notAfter: T0 + 30 * MINUTE },
    });
  });
});
