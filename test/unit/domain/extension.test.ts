import { describe, expect, it } from 'vitest';
import { type AccessRequest, grantIdFor, windowOf } from '../../../src/domain/access-request.js';
import { decideExtension, type ExtensionInput, extendChoices } from '../../../src/domain/extension.js';
import { approveExtension, denyExtension, extend } from '../../../src/domain/extension-transitions.js';
import type { ExtendPolicy } from '../../../src/domain/workflow.js';
import { accessRequest } from '../../support/builders.js';
import { HOUR, MINUTE, member, workflow } from '../../support/policy-builders.js';
import { thrown } from './thrown.js';

const T0 = 1_800_000_000_000;
const EXTEND: ExtendPolicy = {
  standard: { allowed: true, maxTotal: 4 * HOUR, autoWithin: 2 * HOUR },
  breakglass: { allowed: true, maxTotal: 2 * HOUR },
  vendor: { allowed: true, maxTotal: 3 * HOUR },
};
const WORKFLOW = workflow({ extend: EXTEND });

function active(overrides: Partial<AccessRequest> = {}): AccessRequest {
  const id = overrides.id ?? 'req_abcd2345';
  return accessRequest({
    id,
    status: 'active',
    durationMs: HOUR,
    grant: {
      id: grantIdFor(id),
      notBefore: T0,
      notAfter: T0 + HOUR,
      principals: ['ops'],
      hosts: ['prod-db-1.internal'],
      serial: '7',
      certificate: 'ssh-ed25519-cert-v01@openssh.com AAAA',
    },
    ...overrides,
  });
}

function input(overrides: Partial<ExtensionInput> = {}): ExtensionInput {
  const request = overrides.request ?? active();
  return {
    request,
    workflow: WORKFLOW,
    userId: 'U0ALICE',
    grantId: request.grant?.id ?? '',
    addedMs: 30 * MINUTE,
    incident: undefined,
    now: T0 + 50 * MINUTE,
    ...overrides,
  };
}

describe('grant ids per window', () => {
  it('derives grant_x, then grant_x_2, grant_x_3, and reads the window back', () => {
    expect(grantIdFor('req_abcd2345')).toBe('grant_abcd2345');
    expect(grantIdFor('req_abcd2345', 2)).toBe('grant_abcd2345_2');
    expect(windowOf('grant_abcd2345')).toBe(1);
    expect(windowOf('grant_abcd2345_3')).toBe(3);
  });
});

describe('decideExtension', () => {
  it('grants at once while the whole grant stays within auto_within, to a new window id', () => {
    const decision = decideExtension(input());
    expect(decision).toMatchObject({
      outcome: 'at_once',
      how: 'auto',
      window: 2,
      grantId: 'grant_abcd2345_2',
      fromNotAfter: T0 + HOUR,
      toNotAfter: T0 + HOUR + 30 * MINUTE,
    });
  });

  it('asks the approvers beyond auto_within, with the approvers of the grant’s kind', () => {
    const decision = decideExtension(input({ addedMs: 90 * MINUTE }));
    expect(decision).toMatchObject({ outcome: 'approval', approvalsRequired: 1, approvers: WORKFLOW.access.approvers });
  });

  it('refuses past max_total, saying what is allowed and what is used', () => {
    const error = thrown(() => decideExtension(input({ addedMs: 3 * HOUR + 30 * MINUTE })));
    expect(error.code).toBe('extension_over_max');
    expect(error.message).toBe(
      'grant_abcd2345 can last at most 4h in all; 1h used, so it can be extended by at most 3h',
    );
  });

  it('refuses in order: not the holder, not active, an older window, not allowed, pending, incident, over max', () => {
    expect(thrown(() => decideExtension(input({ userId: 'U0BOB' }))).code).toBe('forbidden');
    expect(thrown(() => decideExtension(input({ request: active({ status: 'expired' }) }))).code).toBe(
      'request_decided',
    );
    expect(thrown(() => decideExtension(input({ now: T0 + 2 * HOUR }))).code).toBe('request_decided');
    const stale = thrown(() => decideExtension(input({ grantId: 'grant_abcd2345_2' })));
    expect(stale.code).toBe('already_extended');
    expect(stale.message).toContain('/jump extend grant_abcd2345 <duration>');
    expect(thrown(() => decideExtension(input({ workflow: workflow() }))).code).toBe('extend_not_allowed');
    const pending = active({
      extensionRequest: { window: 2, by: 'U0ALICE', at: T0, addedMs: HOUR, approvalsRequired: 1, approvals: [] },
    });
    expect(thrown(() => decideExtension(input({ request: pending, addedMs: 10 * HOUR }))).code).toBe(
      'extension_pending',
    );
    const incident = {
      id: 'PINC1',
      number: 1,
      title: 'down',
      url: 'https://pd/1',
      serviceId: 'PSVC1',
      endWithIncident: true,
    };
    const bound = active({ incident });
    expect(
      thrown(() => decideExtension(input({ request: bound, incident: 'resolved', addedMs: 10 * HOUR }))).code,
    ).toBe('incident_resolved');
    expect(thrown(() => decideExtension(input({ request: bound, incident: 'open', addedMs: 10 * HOUR }))).code).toBe(
      'extension_over_max',
    );
  });

  it('extends a grant that ends with its incident at once while it is open, past auto_within', () => {
    const incident = {
      id: 'PINC1',
      number: 1,
      title: 'down',
      url: 'https://pd/1',
      serviceId: 'PSVC1',
      endWithIncident: true,
    };
    const decision = decideExtension(input({ request: active({ incident }), incident: 'open', addedMs: 2 * HOUR }));
    expect(decision).toMatchObject({ outcome: 'at_once', how: 'incident' });
  });

  it('never extends a breakglass at once unless its own rules say auto_within', () => {
    const request = active({ kind: 'breakglass' });
    expect(decideExtension(input({ request }))).toMatchObject({ outcome: 'approval', approvalsRequired: 1 });
    expect(thrown(() => decideExtension(input({ request, addedMs: 90 * MINUTE }))).message).toContain(
      'at most 2h in all',
    );
  });

  it('asks the vendor approvers for a vendor session and keeps each certificate within vendor.max_duration', () => {
    const request = active({ kind: 'vendor', vendor: { email: 'v@example.com' } });
    expect(decideExtension(input({ request }))).toMatchObject({ outcome: 'approval', approvalsRequired: 2 });
    const error = thrown(() => decideExtension(input({ request, now: T0 + 10 * MINUTE, addedMs: 100 * MINUTE })));
    expect(error.code).toBe('duration_over_max');
    expect(error.message).toContain('at most 2h (vendor.max_duration)');
  });
});

describe('extendChoices', () => {
  it('offers only the steps the workflow allows now, and says which are granted at once', () => {
    expect(extendChoices(active(), WORKFLOW, T0)).toEqual([
      { addedMs: 30 * MINUTE, atOnce: true },
      { addedMs: HOUR, atOnce: true },
    ]);
    const long = active({ grant: { ...active().grant!, notAfter: T0 + 3 * HOUR + 40 * MINUTE } });
    expect(extendChoices(long, WORKFLOW, T0)).toEqual([]);
    const near = active({ grant: { ...active().grant!, notAfter: T0 + 90 * MINUTE } });
    expect(extendChoices(near, WORKFLOW, T0)).toEqual([
      { addedMs: 30 * MINUTE, atOnce: true },
      { addedMs: HOUR, atOnce: false },
    ]);
    expect(extendChoices(active(), workflow(), T0)).toEqual([]);
  });
});

describe('extension transitions', () => {
  const asked = active({
    extensionRequest: { window: 2, by: 'U0ALICE', at: T0, addedMs: HOUR, approvalsRequired: 2, approvals: [] },
  });
  const click = (userId: string, window = 2) => ({
    window,
    approvers: { users: ['U0LEAD', 'U0BOB', 'U0ALICE'], groups: [] },
    allowSelfApproval: false,
    clicker: member(userId),
    now: T0 + MINUTE,
  });

  it('records approvals one by one and says when they are enough; never the holder’s own', () => {
    const first = approveExtension(asked, click('U0LEAD'));
    expect(first.complete).toBe(false);
    expect(first.change?.audit.type).toBe('extension_approved');
    const second = approveExtension(first.change!.next, click('U0BOB'));
    expect(second).toMatchObject({ complete: true });
    expect(second.change).toBeUndefined();
    expect(thrown(() => approveExtension(asked, click('U0ALICE'))).code).toBe('self_approval');
    expect(thrown(() => approveExtension(asked, click('U0LEAD', 3))).code).toBe('request_decided');
  });

  it('a denial keeps the grant’s end and clears the ask', () => {
    const change = denyExtension(asked, click('U0LEAD'));
    expect(change.audit).toMatchObject({ type: 'extension_denied', actor: 'U0LEAD' });
    expect(change.next.extensionRequest).toBeUndefined();
    expect(change.next.extensionDenial).toMatchObject({ by: 'U0LEAD', addedMs: HOUR });
    expect(change.next.grant?.notAfter).toBe(T0 + HOUR);
  });

  it('extend moves the grant to its new window in one `extended` record with the old and new notAfter', () => {
    const request = active({ warnedAt: T0 + 55 * MINUTE });
    const decision = decideExtension(input({ request }));
    const issued = { serial: '8', principals: ['ops'], certificate: 'cert-2', notAfter: 'iso' };
    const change = extend(request, {
      planned: decision,
      how: 'auto',
      actor: 'U0ALICE',
      approvals: [],
      issued,
      now: T0,
    });
    expect(change?.next.grant).toMatchObject({ id: 'grant_abcd2345_2', notAfter: T0 + 90 * MINUTE, serial: '8' });
    expect(change?.next.warnedAt).toBeUndefined();
    expect(change?.next.extensions).toHaveLength(1);
    expect(change?.audit).toMatchObject({
      type: 'extended',
      grantId: 'grant_abcd2345_2',
      detail: {
        oldNotAfter: T0 + HOUR,
        newNotAfter: T0 + 90 * MINUTE,
        previousGrantId: 'grant_abcd2345',
        previousSerial: '7',
      },
    });
    // Applied once: the same extension again finds the grant moved.
    expect(
      extend(change!.next, { planned: decision, how: 'auto', actor: 'U0ALICE', approvals: [], issued, now: T0 }),
    ).toBeUndefined();
  });
});
