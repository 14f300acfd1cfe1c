import { describe, expect, it } from 'vitest';
import { loadWorkflows } from '../../../src/policy/load-workflows.js';
import { minimalWorkflow, problemsOf, withAccess, writeWorkflowDir, type Yaml } from './workflow-files.js';

function withTarget(target: Yaml): Yaml {
  return {
    ...minimalWorkflow(),
    targets: [{ name: 'prod-db', hosts: ['db-1.internal'], principals: ['dbadmin'] }, target],
  };
}

const ACCESS_KEYS =
  'channel, approvers, approvals_required, allow_self_approval, requesters, default_duration, max_duration, ' +
  'min_duration, require_reason, ticket_pattern, request_timeout, grant_retry_window, escalate_after, escalation_approvers, auto_approve';

describe('workflow file schema: unknown keys', () => {
  it('refuses a misspelt access key and lists the keys allowed there', async () => {
    expect(await problemsOf(withAccess({ aproval_required: 2 }))).toEqual([
      `prod.yml: access.aproval_required: unknown key (allowed: ${ACCESS_KEYS})`,
    ]);
  });

  it('refuses unknown keys at every level, one line per key', async () => {
    const workflow = {
      ...withTarget({ name: 'prod-web', hosts: ['web-1'], principals: ['web'], port: 22 }),
      owner: 'sre',
      breakglass: { allowed: false, notify: 'C0SEC' },
    };
    expect(await problemsOf(workflow)).toEqual([
      'prod.yml: targets[1].port: unknown key (allowed: name, hosts, principals, source_address, retired)',
      'prod.yml: breakglass.notify: unknown key (allowed: allowed, require_incident, max_duration, notify_channel, review_within, max_per_day, one_per_target)',
      'prod.yml: owner: unknown key (allowed: name, targets, access, breakglass, vendor, extend)',
    ]);
  });

  it('refuses unknown keys inside approvers and the PagerDuty settings', async () => {
    const workflow = withAccess({
      approvers: { user: ['U0LEAD'], groups: ['S0SRE'] },
      auto_approve: {
        pagerduty: { escalation_policies: ['PESC1'], services: ['PSVC1'], max_duration: '1h', level: 1 },
      },
    });
    expect(await problemsOf(workflow)).toEqual([
      'prod.yml: access.approvers.user: unknown key (allowed: users, groups)',
      'prod.yml: access.auto_approve.pagerduty.level: unknown key (allowed: escalation_policies, services, max_duration, ' +
        'max_escalation_level, require_assigned, end_with_incident)',
    ]);
  });
});

describe('workflow file schema: required fields and types', () => {
  it('names each missing required field and what belongs there', async () => {
    expect(await problemsOf({ access: { approvers: { users: ['U0LEAD'] } } })).toEqual([
      'prod.yml: name: required: a workflow name',
      'prod.yml: targets: required: a list of targets (each with name, hosts, principals)',
      'prod.yml: access.channel: required: a Slack channel ID',
      'prod.yml: access.max_duration: required: a duration (use 90s, 30m, 2h, 1h30m, 1d)',
    ]);
  });

  it('says which type was expected, in words, and what was found', async () => {
    const workflow = {
      ...withTarget({ name: 'prod-web', hosts: 'web-1.internal', principals: [42] }),
      access: { channel: 'C0APPROVALS', approvers: ['U0LEAD'], max_duration: 30, require_reason: 'yes' },
      breakglass: 'allowed',
    };
    expect(await problemsOf(workflow)).toEqual([
      'prod.yml: targets[1].hosts: expected a list of host names, got "web-1.internal" (write it as a list: [web-1.internal])',
      'prod.yml: targets[1].principals[0]: expected a Unix user name, got 42',
      'prod.yml: access.approvers: expected a mapping with users and/or groups (the approvers), got a list',
      'prod.yml: access.max_duration: expected a duration (use 90s, 30m, 2h, 1h30m, 1d), got 30',
      'prod.yml: access.require_reason: expected true or false, got "yes"',
      'prod.yml: breakglass: expected a mapping with allowed, max_duration, notify_channel, review_within, got "allowed"',
    ]);
  });

  it('treats a key left empty as a wrong value, not as absent', async () => {
    expect(await problemsOf(withAccess({ ticket_pattern: null }))).toEqual([
      'prod.yml: access.ticket_pattern: expected a regular expression, got an empty value',
    ]);
  });

  it('requires at least one target, host, principal and approver', async () => {
    const workflow = { ...minimalWorkflow(), targets: [] };
    expect(await problemsOf(workflow)).toEqual(['prod.yml: targets: list at least one target']);
    expect(await problemsOf(withTarget({ name: 'prod-web', hosts: [], principals: [] }))).toEqual([
      'prod.yml: targets[1].hosts: list at least one host',
      'prod.yml: targets[1].principals: list at least one principal',
    ]);
    expect(await problemsOf(withAccess({ approvers: { users: [] } }))).toEqual([
      'prod.yml: access.approvers: list at least one user (users: [U0123ABCD]) or user group (groups: [S0123ABCD]) as approvers',
    ]);
  });

  it('says what leaving out an empty requesters or vendor approvers set would mean', async () => {
    const vendor = {
      allowed: true,
      sponsors: { groups: ['S0MGR'] },
      approvers: {},
      max_duration: '1h',
      principals: ['vendor'],
    };
    expect(await problemsOf({ ...withAccess({ requesters: { groups: [] } }), vendor })).toEqual([
      'prod.yml: access.requesters: list at least one user (users: [U0123ABCD]) or user group (groups: [S0123ABCD]) as requesters, ' +
        'or leave requesters out to let anyone request',
      'prod.yml: vendor.approvers: list at least one user (users: [U0123ABCD]) or user group (groups: [S0123ABCD]) as vendor approvers, ' +
        'or leave approvers out to use access.approvers',
    ]);
  });

  it('accepts approvers given as users only or groups only', async () => {
    const dir = await writeWorkflowDir({
      'a.yml': withAccess({ approvers: { users: ['U0LEAD'] } }),
      'b.yml': {
        ...withAccess({ approvers: { groups: ['S0SRE'] } }),
        name: 'b',
        targets: [{ name: 'b', hosts: ['b'], principals: ['b'] }],
      },
    });
    const workflows = await loadWorkflows(dir);
    expect(workflows.map((workflow) => workflow.access.approvers)).toEqual([
      { users: ['U0LEAD'], groups: [] },
      { users: [], groups: ['S0SRE'] },
    ]);
  });
});

describe('workflow file schema: values', () => {
  it('refuses a duration it cannot read, in the words of the duration parser', async () => {
    expect(await problemsOf(withAccess({ max_duration: '4 hours' }))).toEqual([
      'prod.yml: access.max_duration: "4 hours" is not a duration (use 90s, 30m, 2h, 1h30m, 1d)',
    ]);
  });

  it('refuses a grant_retry_window that is not a duration, naming the key', async () => {
    expect(await problemsOf(withAccess({ grant_retry_window: 'ten minutes' }))).toEqual([
      'prod.yml: access.grant_retry_window: "ten minutes" is not a duration (use 90s, 30m, 2h, 1h30m, 1d)',
    ]);
    expect(await problemsOf(withAccess({ grant_retry_window: 600 }))).toHaveLength(1);
  });

  it('refuses approvals_required below 1 or not a whole number', async () => {
    expect(await problemsOf(withAccess({ approvals_required: 0 }))).toEqual([
      'prod.yml: access.approvals_required: must be 1 or more, got 0',
    ]);
    expect(await problemsOf(withAccess({ approvals_required: 1.5 }))).toEqual([
      'prod.yml: access.approvals_required: expected a whole number of 1 or more, got 1.5',
    ]);
  });

  it('refuses malformed Slack and PagerDuty IDs', async () => {
    const workflow = withAccess({
      channel: '#approvals',
      approvers: { users: ['lead', 'U0LEAD'], groups: ['sre'] },
      auto_approve: { pagerduty: { escalation_policies: ['esc-1'], services: ['PSVC1'], max_duration: '1h' } },
    });
    expect(await problemsOf(workflow)).toEqual([
      'prod.yml: access.channel: "#approvals" is not a Slack channel ID (like C0123ABCD: channel details → About, at the bottom)',
      'prod.yml: access.approvers.users[0]: "lead" is not a Slack user ID (like U0123ABCD: profile → ⋮ → Copy member ID)',
      'prod.yml: access.approvers.groups[0]: "sre" is not a Slack user-group ID (like S0123ABCD)',
      'prod.yml: access.auto_approve.pagerduty.escalation_policies[0]: "esc-1" is not a PagerDuty ID ' +
        '(like PABC123, from the escalation policy or service URL)',
    ]);
  });

  it('refuses a ticket_pattern that is not a regular expression, with the reason', async () => {
    expect(await problemsOf(withAccess({ ticket_pattern: '^(INC-[0-9]+$' }))).toEqual([
      'prod.yml: access.ticket_pattern: "^(INC-[0-9]+$" is not a valid regular expression ' +
        '(Invalid regular expression: /^(INC-[0-9]+$/: Unterminated group)',
    ]);
  });

  it('refuses target names people could not type in a slash command', async () => {
    expect(await problemsOf(withTarget({ name: 'Prod DB', hosts: ['db-2'], principals: ['dbadmin'] }))).toEqual([
      'prod.yml: targets[1].name: "Prod DB" is not a valid target name ' +
        '(lowercase letters, digits, . _ -, starting with a letter or digit; people type it in /jump request)',
    ]);
  });

  it('refuses empty hosts and principals, and commas or whitespace that would split a principal list', async () => {
    const target = { name: 'prod-web', hosts: ['', 'web 1'], principals: ['web,admin', 'Admin', '1st'] };
    expect(await problemsOf(withTarget(target))).toEqual([
      'prod.yml: targets[1].hosts[0]: must not be empty',
      'prod.yml: targets[1].hosts[1]: "web 1" must not contain whitespace or commas (list each one separately)',
      'prod.yml: targets[1].principals[0]: "web,admin" must not contain whitespace or commas (list each one separately)',
      'prod.yml: targets[1].principals[1]: "Admin" is not a Unix user name (lowercase letters, digits, _ . -, starting with a letter or _)',
      'prod.yml: targets[1].principals[2]: "1st" is not a Unix user name (lowercase letters, digits, _ . -, starting with a letter or _)',
    ]);
  });

  it('refuses source addresses that are not IP addresses or CIDRs', async () => {
    const target = {
      name: 'prod-web',
      hosts: ['web-1'],
      principals: ['web'],
      source_address: ['10.0.0.0/8', '10.0.0.0/33', 'bastion.internal'],
    };
    const help = 'is not an IP address or CIDR (like 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32)';
    expect(await problemsOf(withTarget(target))).toEqual([
      `prod.yml: targets[1].source_address[1]: "10.0.0.0/33" ${help}`,
      `prod.yml: targets[1].source_address[2]: "bastion.internal" ${help}`,
    ]);
  });
});
