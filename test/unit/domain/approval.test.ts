import { describe, expect, it } from 'vitest';
import {
  type ApprovalInput,
  approvalsMissing,
  assertCanCancel,
  assertPending,
  awaitsDecision,
  canCancel,
  type DenialInput,
  decideApproval,
  decideDenial,
  type RequestFacts,
} from '../../../src/domain/approval.js';
import { REQUEST_STATUSES, type RequestStatus } from '../../../src/domain/request-status.js';
import type { PeopleSet } from '../../../src/domain/workflow.js';
import { member } from '../../support/policy-builders.js';
import { thrown } from './thrown.js';

const NOW = 1_700_000_000_000;
const APPROVERS: PeopleSet = { users: ['U0LEAD'], groups: ['S0SRE'] };

function pending(overrides: Partial<RequestFacts> = {}): RequestFacts {
  return { status: 'pending', kind: 'standard', requester: 'U0REQ', approvalsRequired: 1, approvals: [], ...overrides };
}

function click(overrides: Partial<ApprovalInput> = {}): ApprovalInput {
  return {
    request: pending(),
    approvers: APPROVERS,
    allowSelfApproval: false,
    clicker: member('U0LEAD'),
    now: NOW,
    ...overrides,
  };
}

describe('decideApproval', () => {
  it('completes a one-approval request with the first eligible click', () => {
    expect(decideApproval(click())).toEqual({ approvals: [{ userId: 'U0LEAD', at: NOW }], complete: true });
  });

  it('counts an approver who is eligible through a user group', () => {
    expect(decideApproval(click({ clicker: member('U7', 'S0OTHER', 'S0SRE') })).complete).toBe(true);
  });

  it('keeps earlier approvals and appends the new one last', () => {
    const earlier = { userId: 'U1', at: NOW - 5_000 };
    const decision = decideApproval(click({ request: pending({ approvalsRequired: 3, approvals: [earlier] }) }));
    expect(decision).toEqual({ approvals: [earlier, { userId: 'U0LEAD', at: NOW }], complete: false });
  });

  // 2-of-N: [approvals before the click, clicker, complete after it]
  it.each([
    [[], 'U0LEAD', false],
    [['U1'], 'U0LEAD', true],
    [['U1', 'U2'], 'U0LEAD', true],
  ])(
    'with %j already approved, a click by %s on a 2-approval request completes it: %s',
    (before, clicker, complete) => {
      const approvals = before.map((userId) => ({ userId, at: NOW - 1 }));
      const decision = decideApproval(
        click({ request: pending({ approvalsRequired: 2, approvals }), clicker: member(clicker) }),
      );
      expect(decision.complete).toBe(complete);
    },
  );

  it('counts one person once even if their approval was recorded twice', () => {
    const approvals = [
      { userId: 'U1', at: NOW - 2 },
      { userId: 'U1', at: NOW - 1 },
    ];
    const decision = decideApproval(click({ request: pending({ approvalsRequired: 3, approvals }) }));
    expect(decision.complete).toBe(false);
    expect(approvalsMissing({ approvalsRequired: 3, approvals: decision.approvals })).toBe(1);
  });

  describe('self approval', () => {
    it('refuses the requester with self_approval when the workflow forbids it', () => {
      const error = thrown(() => decideApproval(click({ request: pending({ requester: 'U0LEAD' }) })));
      expect(error.code).toBe('self_approval');
      expect(error.message).toBe('you cannot approve your own request');
    });

    it('tells the sponsor of a vendor session why they cannot approve it', () => {
      const error = thrown(() => decideApproval(click({ request: pending({ requester: 'U0LEAD', kind: 'vendor' }) })));
      expect(error.code).toBe('self_approval');
      expect(error.message).toBe(
        'you cannot approve your own request: you sponsor this vendor session, so other vendor approvers must approve it',
      );
    });

    it('refuses the requester even when they are an approver through a group', () => {
      const error = thrown(() =>
        decideApproval(click({ request: pending({ requester: 'U5' }), clicker: member('U5', 'S0SRE') })),
      );
      expect(error.code).toBe('self_approval');
    });

    it('lets an eligible requester approve when the workflow allows it', () => {
      const decision = decideApproval(click({ request: pending({ requester: 'U0LEAD' }), allowSelfApproval: true }));
      expect(decision).toEqual({ approvals: [{ userId: 'U0LEAD', at: NOW }], complete: true });
    });

    it('still refuses a requester who is not an approver when self approval is allowed', () => {
      const error = thrown(() =>
        decideApproval(
          click({ request: pending({ requester: 'U5' }), allowSelfApproval: true, clicker: member('U5') }),
        ),
      );
      expect(error.code).toBe('not_an_approver');
    });
  });

  it('refuses someone outside the approvers with a plain message and the approvers in details', () => {
    const error = thrown(() => decideApproval(click({ clicker: member('U9', 'S0OTHER') })));
    expect(error.code).toBe('not_an_approver');
    expect(error.message).toBe('you are not an approver for this request');
    expect(error.details).toEqual({ approvers: { users: ['U0LEAD'], groups: ['S0SRE'] } });
  });

  it.each([
    [2, 'you already approved this request; it needs 1 more approval from other approvers'],
    [3, 'you already approved this request; it needs 2 more approvals from other approvers'],
  ])('refuses a second click by the same approver on a %d-approval request', (required, message) => {
    const request = pending({ approvalsRequired: required, approvals: [{ userId: 'U0LEAD', at: NOW - 1 }] });
    const error = thrown(() => decideApproval(click({ request })));
    expect(error.code).toBe('already_approved');
    expect(error.message).toBe(message);
  });

  it('says only "already approved" when the approvals are complete but the status has not caught up yet', () => {
    const request = pending({ approvalsRequired: 1, approvals: [{ userId: 'U0LEAD', at: NOW - 1 }] });
    expect(thrown(() => decideApproval(click({ request }))).message).toBe('you already approved this request');
  });

  it.each(REQUEST_STATUSES.filter((status) => status !== 'pending'))(
    'refuses any click on a %s request with request_decided, before looking at the clicker',
    (status) => {
      const error = thrown(() => decideApproval(click({ request: pending({ status, requester: 'U0LEAD' }) })));
      expect(error.code).toBe('request_decided');
      expect(error.details).toEqual({ status });
    },
  );

  it.each([
    ['denied', 'this request was already denied'],
    ['timed_out', 'this request has timed out'],
    ['approved', 'this request is already approved'],
    ['cancelled', 'this request was cancelled by its requester'],
  ] as const)('tells a late clicker on a %s request: "%s"', (status, message) => {
    expect(thrown(() => decideApproval(click({ request: pending({ status }) }))).message).toBe(message);
  });
});

function denyClick(overrides: Partial<DenialInput> = {}): DenialInput {
  return {
    request: { status: 'pending', requester: 'U0REQ' },
    approvers: APPROVERS,
    allowSelfApproval: false,
    clicker: member('U0LEAD'),
    now: NOW,
    ...overrides,
  };
}

describe('decideDenial', () => {
  it('records the denial of an eligible approver', () => {
    expect(decideDenial(denyClick())).toEqual({ userId: 'U0LEAD', at: NOW });
  });

  it('accepts an approver eligible through a user group', () => {
    expect(decideDenial(denyClick({ clicker: member('U3', 'S0SRE') }))).toEqual({ userId: 'U3', at: NOW });
  });

  it('refuses someone outside the approvers with not_an_approver', () => {
    const error = thrown(() => decideDenial(denyClick({ clicker: member('U9') })));
    expect(error.code).toBe('not_an_approver');
    expect(error.message).toBe('you are not an approver for this request');
    expect(error.details).toEqual({ approvers: { users: ['U0LEAD'], groups: ['S0SRE'] } });
  });

  it('sends the requester to Cancel when the workflow forbids self approval', () => {
    const error = thrown(() => decideDenial(denyClick({ request: { status: 'pending', requester: 'U0LEAD' } })));
    expect(error.code).toBe('forbidden');
    expect(error.message).toBe('you cannot deny your own request; use Cancel to withdraw it');
  });

  it('lets an eligible requester deny when the workflow allows self approval', () => {
    const input = denyClick({ request: { status: 'pending', requester: 'U0LEAD' }, allowSelfApproval: true });
    expect(decideDenial(input)).toEqual({ userId: 'U0LEAD', at: NOW });
  });

  it.each(REQUEST_STATUSES.filter((status) => status !== 'pending'))(
    'refuses to deny a %s request with request_decided',
    (status) => {
      const error = thrown(() => decideDenial(denyClick({ request: { status, requester: 'U0REQ' } })));
      expect(error.code).toBe('request_decided');
      expect(error.details).toEqual({ status });
    },
  );
});

describe('cancelling a request', () => {
  it('lets the requester cancel a pending request', () => {
    const request = { status: 'pending' as const, requester: 'U1' };
    expect(canCancel(request, 'U1')).toBe(true);
    expect(() => assertCanCancel(request, 'U1')).not.toThrow();
  });

  it('refuses anyone else with forbidden and points approvers at Deny', () => {
    const request = { status: 'pending' as const, requester: 'U1' };
    expect(canCancel(request, 'U0LEAD')).toBe(false);
    const error = thrown(() => assertCanCancel(request, 'U0LEAD'));
    expect(error.code).toBe('forbidden');
    expect(error.message).toBe('only the person who made this request can cancel it; approvers can deny it instead');
  });

  it.each(REQUEST_STATUSES.filter((status) => status !== 'pending'))(
    'refuses the requester once the request is %s with request_decided',
    (status) => {
      const request = { status, requester: 'U1' };
      expect(canCancel(request, 'U1')).toBe(false);
      const error = thrown(() => assertCanCancel(request, 'U1'));
      expect(error.code).toBe('request_decided');
      expect(error.details).toEqual({ status });
    },
  );

  it('tells the requester in words that a denied request cannot be cancelled', () => {
    expect(thrown(() => assertCanCancel({ status: 'denied', requester: 'U1' }, 'U1')).message).toBe(
      'this request was already denied',
    );
  });
});

const DECIDED: readonly (readonly [Exclude<RequestStatus, 'pending'>, string])[] = [
  ['approved', 'this request is already approved'],
  ['active', 'this request is already approved and its access is active'],
  ['expired', 'this request was approved and its access has expired'],
  ['revoked', 'this request was approved and its access was revoked'],
  ['denied', 'this request was already denied'],
  ['cancelled', 'this request was cancelled by its requester'],
  ['timed_out', 'this request has timed out'],
  ['failed', 'this request was approved but its access could not be granted'],
];

describe('assertPending', () => {
  it('lets a pending request through', () => {
    expect(() => assertPending('pending')).not.toThrow();
  });

  it.each(DECIDED)('refuses a %s request with request_decided: "%s"', (status, words) => {
    const error = thrown(() => assertPending(status));
    expect(error.code).toBe('request_decided');
    expect(error.message).toBe(words);
    expect(error.details).toEqual({ status });
  });
});

describe('awaitsDecision', () => {
  it('is true only for a pending request approvers have to decide', () => {
    expect(awaitsDecision({ status: 'pending', kind: 'standard' })).toBe(true);
    expect(awaitsDecision({ status: 'pending', kind: 'vendor' })).toBe(true);
    expect(awaitsDecision({ status: 'approved', kind: 'standard' })).toBe(false);
    expect(awaitsDecision({ status: 'pending', kind: 'breakglass' })).toBe(false);
    expect(
      awaitsDecision({ status: 'pending', kind: 'standard', autoApproval: { escalationPolicyId: 'EP', level: 1 } }),
    ).toBe(false);
  });
});
