import { describe, expect, it } from 'vitest';
import { approverSetFor, assertApprover } from '../../../src/domain/approver-set.js';
import { member, workflow } from '../../support/policy-builders.js';
import { thrown } from './thrown.js';

const ACCESS = { users: ['U0LEAD'], groups: ['S0SRE'] };
const VENDOR = { users: ['U0VENDORLEAD'], groups: [] };
const ESCALATION = { users: ['U0CTO', 'U0LEAD'], groups: ['S0MGMT'] };

const production = workflow({
  access: { approvers: ACCESS, approvalsRequired: 2, escalationApprovers: ESCALATION },
  vendor: { approvers: VENDOR, approvalsRequired: 3 },
});

describe('approverSetFor', () => {
  it.each([
    ['standard', false, { set: ACCESS, approvalsRequired: 2, allowSelfApproval: false }],
    ['breakglass', false, { set: ACCESS, approvalsRequired: 1, allowSelfApproval: false }],
    ['vendor', false, { set: VENDOR, approvalsRequired: 3, allowSelfApproval: false }],
    [
      'standard',
      true,
      {
        set: { users: ['U0LEAD', 'U0CTO'], groups: ['S0SRE', 'S0MGMT'] },
        approvalsRequired: 2,
        allowSelfApproval: false,
      },
    ],
    [
      'breakglass',
      true,
      {
        set: { users: ['U0LEAD', 'U0CTO'], groups: ['S0SRE', 'S0MGMT'] },
        approvalsRequired: 1,
        allowSelfApproval: false,
      },
    ],
    [
      'vendor',
      true,
      {
        set: { users: ['U0VENDORLEAD', 'U0CTO', 'U0LEAD'], groups: ['S0MGMT'] },
        approvalsRequired: 3,
        allowSelfApproval: false,
      },
    ],
  ] as const)('gives a %s request (escalated: %s) the right approvers', (kind, escalated, expected) => {
    expect(approverSetFor(production, kind, escalated)).toEqual(expected);
  });

  it('falls back to the access approvers for vendor sessions when the workflow names no vendor approvers', () => {
    const wf = workflow({ access: { approvers: ACCESS }, vendor: { approvalsRequired: 2 } });
    expect(approverSetFor(wf, 'vendor', false)).toEqual({
      set: ACCESS,
      approvalsRequired: 2,
      allowSelfApproval: false,
    });
  });

  it('leaves the set alone on escalation when the workflow has no escalation approvers', () => {
    const wf = workflow({ access: { approvers: ACCESS, approvalsRequired: 1 } });
    expect(approverSetFor(wf, 'standard', true)).toEqual({
      set: ACCESS,
      approvalsRequired: 1,
      allowSelfApproval: false,
    });
  });

  it('never lets a vendor sponsor approve their own session, even where access allows self approval', () => {
    const wf = workflow({ access: { approvers: ACCESS, allowSelfApproval: true }, vendor: { approvalsRequired: 2 } });
    expect(approverSetFor(wf, 'standard', false).allowSelfApproval).toBe(true);
    expect(approverSetFor(wf, 'vendor', false).allowSelfApproval).toBe(false);
  });

  it('refuses a vendor request under a workflow with no vendor rules', () => {
    const error = thrown(() => approverSetFor(workflow({ vendor: null }), 'vendor', false));
    expect(error.code).toBe('vendor_not_allowed');
    expect(error.message).toBe('workflow production has no vendor rules, so it has no vendor approvers');
  });
});

describe('assertApprover', () => {
  it('accepts a listed user and a group member', () => {
    expect(() => assertApprover(ACCESS, member('U0LEAD'))).not.toThrow();
    expect(() => assertApprover(ACCESS, member('U2', 'S0SRE'))).not.toThrow();
  });

  it('refuses anyone else with not_an_approver and copies of the approver lists', () => {
    const error = thrown(() => assertApprover(ACCESS, member('U2', 'S0MGMT')));
    expect(error.code).toBe('not_an_approver');
    expect(error.details).toEqual({ approvers: ACCESS });
    expect((error.details.approvers as { users: unknown }).users).not.toBe(ACCESS.users);
  });
});
