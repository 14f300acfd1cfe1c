import { describe, expect, it } from 'vitest';
import { type GrantRecord, grantIdFor } from '../../../src/domain/access-request.js';
import {
  GRANT_CHECKS,
  type GrantCheckInput,
  type GrantCheckRequest,
  grantMismatches,
  groupsOf,
  NOT_BEFORE_SKEW_MS,
  securityChannelOf,
} from '../../../src/domain/grant-check.js';
import type { PagerDutyAutoApprove } from '../../../src/domain/workflow.js';
import { accessRequest } from '../../support/builders.js';
import { HOUR, MINUTE, policy, workflow } from '../../support/policy-builders.js';

const NOW = 1_800_000_000_000;
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGy8kC8ex5zG6hZ0Ok3bJkS4w7O3XnE9tP1rJw2m8Q1a alice@laptop';
const OTHER_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE1y8kC8ex5zG6hZ0Ok3bJkS4w7O3XnE9tP1rJw2m8Q1 mallory@box';
const RULE: PagerDutyAutoApprove = {
  escalationPolicies: ['PESC1'],
  services: ['PSVC1'],
  maxDuration: HOUR,
  maxEscalationLevel: 2,
  requireAssigned: false,
  endWithIncident: true,
};
const PROD_DB = { name: 'prod-db', hosts: ['db-1.internal'], principals: ['dbadmin'] };
const POLICY = policy(
  workflow({
    targets: [PROD_DB],
    access: {
      autoApprove: { pagerduty: RULE },
      escalateAfter: 10 * MINUTE,
      escalationApprovers: { users: ['U0ONCALL'], groups: [] },
    },
    vendor: {
      approvers: { users: ['U0VAPP1', 'U0VAPP2'], groups: [] },
      sponsors: { users: [], groups: ['S0VENDORMGR'] },
    },
  }),
  workflow({
    name: 'locked',
    targets: ['vault'],
    access: { requesters: { users: [], groups: ['S0DBA'] } },
    breakglass: null,
    vendor: null,
  }),
  workflow({
    name: 'incident-only',
    targets: ['pager-db'],
    breakglass: { requireIncident: true, notifyChannel: 'C0SEC2' },
  }),
);
const GROUPS = new Map<string, readonly string[]>([
  ['S0SRE', ['U0SRE1', 'U0SRE2']],
  ['S0VENDORMGR', ['U0SPONSOR']],
  ['S0DBA', ['U0DBA']],
]);
const INCIDENT = {
  id: 'PINC42',
  number: 42,
  title: 'lag',
  url: 'https://pd.example/PINC42',
  serviceId: 'PSVC1',
  endWithIncident: true,
};

/** A request of each kind exactly as the bot itself writes it on approval, for `target`. */
function approved(overrides: Partial<GrantCheckRequest> = {}): GrantCheckRequest {
  return accessRequest({ status: 'approved', approvals: [{ userId: 'U0SRE1', at: NOW - 1_000 }], ...overrides });
}

function grantOf(request: GrantCheckRequest, overrides: Partial<GrantRecord> = {}): GrantRecord {
  const target = POLICY.targets.get(request.target)!.target;
  const principals = request.kind === 'vendor' ? ['vendor'] : target.principals;
  return {
    id: grantIdFor(request.id),
    notBefore: NOW - 1_000,
    notAfter: NOW - 1_000 + 30 * MINUTE,
    principals,
    hosts: target.hosts,
    ...overrides,
  };
}

function check(request: GrantCheckRequest, grant: Partial<GrantRecord> = {}, overrides: Partial<GrantCheckInput> = {}) {
  return grantMismatches({
    request,
    grant: grantOf(request, grant),
    policy: POLICY,
    groupMembers: GROUPS,
    registeredKey: KEY,
    now: NOW,
    ...overrides,
  });
}

const checksOf = (...args: Parameters<typeof check>) => check(...args).map((m) => m.check);

const breakglass = (overrides: Partial<GrantCheckRequest> = {}) =>
  approved({ kind: 'breakglass', approvals: [], approvalsRequired: 0, ...overrides });
const autoApproved = (overrides: Partial<GrantCheckRequest> = {}) =>
  approved({
    approvals: [],
    autoApproval: { escalationPolicyId: 'PESC1', level: 1 },
    incident: INCIDENT,
    ...overrides,
  });
const vendorSession = (overrides: Partial<GrantCheckRequest> = {}) =>
  approved({
    kind: 'vendor',
    requester: 'U0SPONSOR',
    vendor: { email: 'ann@vendor.example' },
    sshPublicKey: OTHER_KEY,
    approvalsRequired: 2,
    approvals: [
      { userId: 'U0VAPP1', at: NOW - 2_000 },
      { userId: 'U0VAPP2', at: NOW - 1_000 },
    ],
    ...overrides,
  });

describe('grantMismatches: what the bot itself writes passes', () => {
  it.each([
    ['an approved standard request', approved()],
    ['one approved through a user group', approved({ approvals: [{ userId: 'U0SRE2', at: NOW }] })],
    [
      'an escalated one approved by an escalation approver',
      approved({ escalated: true, approvals: [{ userId: 'U0ONCALL', at: NOW }] }),
    ],
    ['an auto-approved one', autoApproved()],
    ['a breakglass', breakglass()],
    ['a vendor session with its own key', vendorSession()],
  ])('%s', (_, request) => {
    expect(check(request)).toEqual([]);
  });

  it('a breakglass at its maximum, started just now on another replica whose clock runs ahead', () => {
    expect(
      check(breakglass(), { notBefore: NOW + NOT_BEFORE_SKEW_MS, notAfter: NOW + NOT_BEFORE_SKEW_MS + HOUR }),
    ).toEqual([]);
  });

  it('the same key with another comment is the same key', () => {
    expect(check(approved({ sshPublicKey: KEY.replace('alice@laptop', 'other comment') }))).toEqual([]);
  });
});

describe('grantMismatches: refusals, one named check each', () => {
  it('an unknown target is the only mismatch listed', () => {
    expect(check(approved(), {}, { policy: policy(workflow({ targets: ['other'] })) })).toEqual([
      { check: 'target', message: 'target prod-db under production: no workflow defines it' },
    ]);
  });

  it('a target named under a workflow that does not own it', () => {
    expect(check(approved({ workflow: 'locked' }))).toEqual([
      { check: 'target', message: 'target prod-db under locked: it belongs to production' },
    ]);
  });

  it('breakglass on a workflow that does not allow it', () => {
    const request = breakglass({ workflow: 'locked', target: 'vault' });
    expect(check(request)).toContainEqual({ check: 'kind', message: 'locked does not allow breakglass' });
  });

  it('a vendor session on a workflow without vendor rules', () => {
    const request = vendorSession({ workflow: 'locked', target: 'vault' });
    expect(check(request, { principals: ['vendor'] })).toContainEqual({
      check: 'kind',
      message: 'locked does not allow vendor sessions',
    });
  });

  it('a vendor session that names no vendor, and a standard request that names one', () => {
    expect(check(vendorSession({ vendor: undefined }))).toContainEqual({
      check: 'kind',
      message: 'a vendor session that names no vendor',
    });
    expect(check(approved({ vendor: { email: 'x@evil.example' } }))).toEqual([
      { check: 'kind', message: 'a standard request that names a vendor (x@evil.example)' },
    ]);
  });

  it('a grant id that is not derived from the request', () => {
    expect(checksOf(approved(), { id: 'grant_someoneelse' })).toEqual(['grant_id']);
  });

  it('principals other than the target’s (root)', () => {
    expect(check(approved(), { principals: ['root'] })).toEqual([
      { check: 'principals', message: 'principals [root], where the policy gives [dbadmin]' },
    ]);
    expect(checksOf(approved(), { principals: ['dbadmin', 'root'] })).toEqual(['principals']);
    expect(checksOf(approved(), { principals: [] })).toEqual(['principals']);
  });

  it('a vendor session with the target’s principals instead of the vendor principals', () => {
    expect(checksOf(vendorSession(), { principals: ['dbadmin'] })).toEqual(['principals']);
  });

  it('hosts other than the target’s', () => {
    expect(checksOf(approved(), { hosts: ['db-1.internal', 'vault-1.internal'] })).toEqual(['hosts']);
  });

  it.each([
    ['a standard window over the access maximum (4h)', approved(), 4 * HOUR + 1],
    ['an auto-approved window over the auto-approve maximum (1h)', autoApproved(), HOUR + 1],
    ['a breakglass window over the breakglass maximum (1h)', breakglass(), HOUR + 1],
    ['a vendor window over the vendor maximum (2h)', vendorSession(), 2 * HOUR + 1],
  ])('%s', (_, request, length) => {
    const found = check(request, { notBefore: NOW, notAfter: NOW + length });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ check: 'window' });
    expect(found[0]!.message).toMatch(/is longer than the maximum/);
  });

  it('a 7-day window for root names both mismatches', () => {
    expect(check(approved(), { principals: ['root'], notBefore: NOW, notAfter: NOW + 7 * 24 * HOUR })).toEqual([
      { check: 'principals', message: 'principals [root], where the policy gives [dbadmin]' },
      { check: 'window', message: 'a window of 7d is longer than the maximum (4h)' },
    ]);
  });

  it('a window that starts in the future, one that is inverted, one that ended', () => {
    expect(checksOf(approved(), { notBefore: NOW + NOT_BEFORE_SKEW_MS + 1, notAfter: NOW + HOUR })).toEqual(['window']);
    expect(checksOf(approved(), { notBefore: NOW, notAfter: NOW - 1 })).toEqual(['window', 'window']);
    expect(check(approved(), { notBefore: NOW - HOUR, notAfter: NOW })[0]!.message).toMatch(/already ended/);
  });

  it('approvals by people who are not eligible approvers', () => {
    expect(check(approved({ approvals: [{ userId: 'U0MALLORY', at: NOW }] }))).toEqual([
      { check: 'decision', message: 'U0MALLORY is not an eligible approver' },
      { check: 'decision', message: '1 distinct eligible approvals are needed, 0 recorded' },
    ]);
  });

  it('an escalation approver counts only once the request was escalated', () => {
    expect(checksOf(approved({ approvals: [{ userId: 'U0ONCALL', at: NOW }] }))).toEqual(['decision', 'decision']);
  });

  it('the requester’s own approval, when the workflow forbids self approval', () => {
    expect(check(approved({ approvals: [{ userId: 'U0ALICE', at: NOW }] }))[0]).toEqual({
      check: 'decision',
      message: 'U0ALICE approved their own request',
    });
  });

  it('no approvals, and a forged approvalsRequired of 0 does not lower the bar', () => {
    expect(check(approved({ approvals: [], approvalsRequired: 0 }))).toEqual([
      { check: 'decision', message: '1 distinct eligible approvals are needed, 0 recorded' },
    ]);
  });

  it('one approver recorded twice counts once', () => {
    const twice = [
      { userId: 'U0VAPP1', at: NOW - 1 },
      { userId: 'U0VAPP1', at: NOW },
    ];
    expect(check(vendorSession({ approvals: twice }))).toEqual([
      { check: 'decision', message: '2 distinct eligible approvals are needed, 1 recorded' },
    ]);
  });

  it('an auto-approval the workflow has no rule for', () => {
    const request = autoApproved({ workflow: 'locked', target: 'vault', requester: 'U0DBA' });
    expect(check(request)).toEqual([{ check: 'decision', message: 'locked has no auto-approval rule' }]);
  });

  it('an auto-approval by another escalation policy, above the level, or for another service', () => {
    const request = autoApproved({
      autoApproval: { escalationPolicyId: 'PEVIL', level: 3 },
      incident: { ...INCIDENT, serviceId: 'PSVCX' },
    });
    expect(check(request).map((m) => m.message)).toEqual([
      'auto-approval by PEVIL, not one of [PESC1]',
      'auto-approval at escalation level 3, above 2',
      'auto-approval for an incident on PSVCX, not one of [PSVC1]',
    ]);
    expect(check(autoApproved({ incident: undefined })).map((m) => m.message)).toEqual([
      'auto-approval without an incident',
    ]);
  });

  it('an auto-approved breakglass or vendor session', () => {
    expect(check(breakglass({ autoApproval: { escalationPolicyId: 'PESC1', level: 1 } }))).toEqual([
      { check: 'decision', message: 'a breakglass request cannot be auto-approved' },
    ]);
    expect(check(vendorSession({ autoApproval: { escalationPolicyId: 'PESC1', level: 1 } }))).toEqual([
      { check: 'decision', message: 'a vendor request cannot be auto-approved' },
    ]);
  });

  it('a breakglass without an incident where the workflow requires one', () => {
    const request = breakglass({ workflow: 'incident-only', target: 'pager-db' });
    expect(check(request, { principals: ['ops'] })).toEqual([
      { check: 'decision', message: 'breakglass on incident-only needs an incident, and none is recorded' },
    ]);
    expect(check({ ...request, incident: INCIDENT }, { principals: ['ops'] })).toEqual([]);
  });

  it('a requester the workflow does not let request its targets', () => {
    const request = approved({
      workflow: 'locked',
      target: 'vault',
      requester: 'U0MALLORY',
      approvals: [{ userId: 'U0LEAD', at: NOW }],
    });
    expect(check(request, {}, { registeredKey: KEY })).toEqual([
      { check: 'requester', message: 'U0MALLORY may not request the targets of locked' },
    ]);
    expect(check({ ...request, requester: 'U0DBA' })).toEqual([]);
  });

  it('a vendor session by someone who is not a sponsor', () => {
    expect(check(vendorSession({ requester: 'U0ALICE' }))).toEqual([
      { check: 'requester', message: 'U0ALICE is not a vendor sponsor of production' },
    ]);
  });

  it('a key that is not the requester’s registered key, or no registered key at all', () => {
    expect(check(approved({ sshPublicKey: OTHER_KEY }))).toEqual([
      { check: 'key', message: 'the SSH key is not the one U0ALICE registered' },
    ]);
    expect(check(approved(), {}, { registeredKey: undefined })).toEqual([
      { check: 'key', message: 'U0ALICE has no registered SSH key' },
    ]);
  });

  it('a record too malformed to check', () => {
    const broken = { ...approved(), approvals: undefined } as unknown as GrantCheckRequest;
    expect(checksOf(broken)).toEqual(['record']);
  });

  it('lists mismatches in check order, with long forged values cut short', () => {
    const forged = approved({ requester: 'U0MALLORY', sshPublicKey: OTHER_KEY, approvals: [] });
    const found = check(forged, {
      principals: ['root', 'x'.repeat(500), 'a', 'b', 'c', 'd'],
      notAfter: NOW + 7 * 24 * HOUR,
    });
    expect(found.map((m) => m.check)).toEqual(['principals', 'window', 'decision', 'key']);
    expect(found[0]!.message).toContain('(+1 more)');
    expect(found[0]!.message.length).toBeLessThan(200);
    expect(GRANT_CHECKS.indexOf('principals')).toBeLessThan(GRANT_CHECKS.indexOf('key'));
  });
});

describe('groupsOf and securityChannelOf', () => {
  it('lists every group a check may look into, once', () => {
    const w = workflow({
      access: {
        approvers: { users: [], groups: ['S1', 'S2'] },
        requesters: { users: [], groups: ['S2', 'S3'] },
        escalationApprovers: { users: [], groups: ['S4'] },
      },
      vendor: { approvers: { users: [], groups: ['S5'] }, sponsors: { users: [], groups: ['S6'] } },
    });
    expect(groupsOf(w).sort()).toEqual(['S1', 'S2', 'S3', 'S4', 'S5', 'S6']);
  });

  it('alerts go to the breakglass channel, else the approval channel', () => {
    expect(securityChannelOf(workflow({ breakglass: { notifyChannel: 'C0SEC' } }))).toBe('C0SEC');
    expect(securityChannelOf(workflow({ breakglass: null }))).toBe('C0APPROVALS');
  });
});

describe('grantMismatches: vendor sessions', () => {
  it('counts the sponsor’s own approval as self approval, even where access allows self approval', () => {
    const lenient = policy(
      workflow({
        targets: [PROD_DB],
        access: { allowSelfApproval: true },
        vendor: { approvers: { users: ['U0SPONSOR', 'U0VAPP1'], groups: [] } },
      }),
    );
    const request = vendorSession({
      approvals: [
        { userId: 'U0SPONSOR', at: NOW - 2_000 },
        { userId: 'U0VAPP1', at: NOW - 1_000 },
      ],
    });
    expect(check(request, {}, { policy: lenient })).toEqual([
      { check: 'decision', message: 'U0SPONSOR approved their own vendor session' },
      { check: 'decision', message: '2 distinct eligible approvals are needed, 1 recorded' },
    ]);
  });

  it('refuses the sponsor’s own registered key as the vendor’s', () => {
    expect(check(vendorSession({ sshPublicKey: KEY }))).toEqual([
      { check: 'key', message: "the vendor's SSH key is the sponsor U0SPONSOR's own registered key" },
    ]);
  });

  it('refuses a vendor key that is not one we accept', () => {
    const [mismatch] = check(vendorSession({ sshPublicKey: 'ssh-dss AAAA' }));
    expect(mismatch?.check).toBe('key');
    expect(mismatch?.message).toMatch(/^the vendor's SSH key is not one we accept \(DSA keys are refused/);
  });

  it('refuses a vendor session requested by someone who is not a sponsor', () => {
    expect(check(vendorSession({ requester: 'U0SRE1' }), {}, { registeredKey: undefined })).toEqual([
      { check: 'requester', message: 'U0SRE1 is not a vendor sponsor of production' },
    ]);
  });
});
