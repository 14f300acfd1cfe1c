import { describe, expect, it } from 'vitest';
import { loadOne, minimalWorkflow, problemsOf, withAccess, type Yaml } from './workflow-files.js';

const PAGERDUTY = { escalation_policies: ['PESC123'], services: ['PSVC456'], max_duration: '1h' };
const BREAKGLASS = { allowed: true, max_duration: '1h', notify_channel: 'C0SECURITY', review_within: '24h' };
const VENDOR = { allowed: true, sponsors: { groups: ['S0VENDORMGR'] }, max_duration: '2h', principals: ['vendor'] };

function withSections(sections: Yaml, access: Yaml = {}): Yaml {
  return { ...withAccess(access), ...sections };
}

describe('workflow rules: durations', () => {
  it('refuses a default_duration longer than max_duration', async () => {
    expect(await problemsOf(withAccess({ default_duration: '8h' }))).toEqual([
      'prod.yml: access.default_duration: must not be longer than max_duration (4h), got 8h',
    ]);
  });

  it('refuses a min_duration longer than max_duration, and a default below the minimum', async () => {
    expect(await problemsOf(withAccess({ min_duration: '5h' }))).toEqual([
      'prod.yml: access.min_duration: must not be longer than max_duration (4h), got 5h',
    ]);
    expect(await problemsOf(withAccess({ min_duration: '1h', default_duration: '15m' }))).toEqual([
      'prod.yml: access.default_duration: must not be shorter than min_duration (1h), got 15m',
    ]);
  });

  it('refuses PagerDuty auto-approval longer than access.max_duration', async () => {
    expect(await problemsOf(withAccess({ auto_approve: { pagerduty: { ...PAGERDUTY, max_duration: '8h' } } }))).toEqual(
      [
        'prod.yml: access.auto_approve.pagerduty.max_duration: must not be longer than access.max_duration (4h), got 8h',
      ],
    );
  });

  it('refuses breakglass and vendor sessions longer than access.max_duration', async () => {
    const workflow = withSections({
      breakglass: { ...BREAKGLASS, max_duration: '6h' },
      vendor: { ...VENDOR, max_duration: '1d' },
    });
    expect(await problemsOf(workflow)).toEqual([
      'prod.yml: breakglass.max_duration: must not be longer than access.max_duration (4h), got 6h',
      'prod.yml: vendor.max_duration: must not be longer than access.max_duration (4h), got 1d',
    ]);
  });

  it('refuses an escalation that could only come after the request timed out', async () => {
    expect(await problemsOf(withAccess({ escalate_after: '45m' }))).toEqual([
      'prod.yml: access.escalate_after: must be shorter than request_timeout (30m), got 45m: the request would time out before it escalates',
    ]);
  });

  it('refuses escalation approvers who would never be asked', async () => {
    expect(await problemsOf(withAccess({ escalation_approvers: { groups: ['S0ONCALL'] } }))).toEqual([
      'prod.yml: access.escalation_approvers: needs escalate_after (how long a request waits before they are asked)',
    ]);
  });
});

describe('workflow rules: approvals', () => {
  it('refuses more required approvals than listed users when no group is listed', async () => {
    expect(
      await problemsOf(withAccess({ approvers: { users: ['U0LEAD', 'U0OTHER', 'U0LEAD'] }, approvals_required: 3 })),
    ).toEqual([
      'prod.yml: access.approvals_required: 3 approvals required but access.approvers lists only 2 users ' +
        '(list more users, add a group, or lower approvals_required)',
    ]);
  });

  it('cannot count group members, so it accepts any number with a group listed', async () => {
    const workflow = await loadOne(
      withAccess({ approvers: { users: ['U0LEAD'], groups: ['S0SRE'] }, approvals_required: 5 }),
    );
    expect(workflow.access.approvalsRequired).toBe(5);
  });

  it('checks vendor approvals against the vendor approvers, or the access ones when none are listed', async () => {
    const ownApprovers = withSections({
      vendor: { ...VENDOR, approvers: { users: ['U0SEC'] }, approvals_required: 2 },
    });
    expect(await problemsOf(ownApprovers)).toEqual([
      'prod.yml: vendor.approvals_required: 2 approvals required but vendor.approvers lists only 1 user ' +
        '(list more users, add a group, or lower approvals_required)',
    ]);
    const inheritedCount = withSections(
      { vendor: { ...VENDOR, approvers: { users: ['U0SEC'] } } },
      { approvers: { users: ['U0A', 'U0B'] }, approvals_required: 2 },
    );
    expect(await problemsOf(inheritedCount)).toEqual([
      'prod.yml: vendor.approvers: 2 approvals required but vendor.approvers lists only 1 user ' +
        '(list more users, add a group, or lower approvals_required)',
    ]);
    const accessApprovers = withSections(
      { vendor: { ...VENDOR, approvals_required: 2 } },
      { approvers: { users: ['U0LEAD'] } },
    );
    expect(await problemsOf(accessApprovers)).toEqual([
      'prod.yml: vendor.approvals_required: 2 approvals required but access.approvers lists only 1 user ' +
        '(list more users, add a group, or lower approvals_required)',
    ]);
  });
});

describe('workflow rules: breakglass and vendor sections', () => {
  it('requires notify_channel, max_duration and review_within when breakglass is allowed', async () => {
    expect(await problemsOf(withSections({ breakglass: { allowed: true } }))).toEqual([
      'prod.yml: breakglass.max_duration: required when breakglass is allowed: a duration (use 90s, 30m, 2h, 1h30m, 1d)',
      'prod.yml: breakglass.notify_channel: required when breakglass is allowed: a Slack channel ID (like C0123ABCD) where security is alerted',
      'prod.yml: breakglass.review_within: required when breakglass is allowed: a duration (use 90s, 30m, 2h, 1h30m, 1d)',
    ]);
  });

  it('requires sponsors, max_duration and principals when vendor sessions are allowed', async () => {
    expect(await problemsOf(withSections({ vendor: { allowed: true } }))).toEqual([
      'prod.yml: vendor.sponsors: required when vendor is allowed: who may request for a vendor (users and/or groups)',
      'prod.yml: vendor.max_duration: required when vendor is allowed: a duration (use 90s, 30m, 2h, 1h30m, 1d)',
      'prod.yml: vendor.principals: required when vendor is allowed: a list of Unix user names (certificate principals)',
    ]);
  });

  it('requires the PagerDuty settings when breakglass needs an incident', async () => {
    expect(await problemsOf(withSections({ breakglass: { ...BREAKGLASS, require_incident: true } }))).toEqual([
      'prod.yml: breakglass.require_incident: needs access.auto_approve.pagerduty (its escalation_policies and services define the incident check)',
    ]);
  });

  it('asks nothing more of a switched-off section', async () => {
    const workflow = await loadOne({
      ...minimalWorkflow(),
      breakglass: { allowed: false },
      vendor: { allowed: false },
    });
    expect(workflow.breakglass).toBeUndefined();
    expect(workflow.vendor).toBeUndefined();
  });
});
