import { describe, expect, it } from 'vitest';
import { buildPolicy, type Workflow } from '../../../src/domain/workflow.js';
import { describePolicy, formatTable } from '../../../src/policy/describe-policy.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function workflow(overrides: Partial<Workflow> = {}): Workflow {
  return {
    name: 'staging',
    file: 'workflows/staging.yml',
    targets: [{ name: 'staging', hosts: ['staging-1.internal'], principals: ['deploy'] }],
    access: {
      channel: 'C0STAGING',
      approvers: { users: [], groups: ['S0ENG'] },
      approvalsRequired: 1,
      allowSelfApproval: true,
      defaultDuration: 30 * MINUTE,
      maxDuration: 2 * HOUR,
      requireReason: false,
      requestTimeout: 30 * MINUTE,
      grantRetryWindow: 10 * MINUTE,
    },
    ...overrides,
  };
}

const production = workflow({
  name: 'production',
  file: 'workflows/production.yml',
  targets: [
    { name: 'prod-db', hosts: ['db-1.internal', 'db-2.internal'], principals: ['dbadmin'] },
    { name: 'prod-web', hosts: ['web-1.internal'], principals: ['webops', 'deploy'] },
  ],
  access: {
    ...workflow().access,
    approvers: { users: ['U0LEAD'], groups: ['S0SRE'] },
    allowSelfApproval: false,
    maxDuration: 4 * HOUR,
    autoApprove: {
      pagerduty: {
        escalationPolicies: ['PESC1'],
        services: ['PSVC1'],
        maxDuration: HOUR,
        requireAssigned: false,
        endWithIncident: false,
      },
    },
  },
  breakglass: {
    allowed: true,
    requireIncident: false,
    maxDuration: HOUR,
    notifyChannel: 'C0SECURITY',
    reviewWithin: 24 * HOUR,
    onePerTarget: true,
  },
  vendor: {
    allowed: true,
    sponsors: { users: [], groups: ['S0VENDORMGR'] },
    approvalsRequired: 2,
    maxDuration: 2 * HOUR + 30 * MINUTE,
    principals: ['vendor'],
    allowPty: false,
  },
  extend: {
    standard: { allowed: true, maxTotal: 8 * HOUR, autoWithin: 2 * HOUR },
    breakglass: { allowed: false, maxTotal: HOUR },
    vendor: { allowed: true, maxTotal: 4 * HOUR },
  },
});

describe('describePolicy', () => {
  it('prints one aligned row per target with its rules, then the totals', () => {
    expect(describePolicy(buildPolicy([production, workflow()]))).toBe(
      [
        'target    workflow    hosts                         principals      approvers      approvals    max  extend                  breakglass            vendor              auto-approve',
        'prod-db   production  db-1.internal, db-2.internal  dbadmin         U0LEAD, S0SRE  1            4h   ≤8h total, at once ≤2h  yes ≤1h → C0SECURITY  2 approvals ≤2h30m  PagerDuty ≤1h',
        'prod-web  production  web-1.internal                webops, deploy  U0LEAD, S0SRE  1            4h   ≤8h total, at once ≤2h  yes ≤1h → C0SECURITY  2 approvals ≤2h30m  PagerDuty ≤1h',
        'staging   staging     staging-1.internal            deploy          S0ENG          1 (self ok)  2h   no                      no                    no                  no',
        '',
        '2 workflows, 3 targets: OK',
        '',
      ].join('\n'),
    );
  });

  it('marks breakglass that needs an incident and counts a single approval and workflow in the singular', () => {
    const incidentOnly = workflow({
      breakglass: {
        allowed: true,
        requireIncident: true,
        maxDuration: 30 * MINUTE,
        notifyChannel: 'C0SEC',
        reviewWithin: HOUR,
        onePerTarget: true,
      },
      vendor: { ...production.vendor!, approvalsRequired: 1, maxDuration: HOUR },
      extend: {
        standard: { allowed: true, maxTotal: 3 * HOUR },
        breakglass: { allowed: false, maxTotal: HOUR },
        vendor: { allowed: false, maxTotal: HOUR },
      },
    });
    const [, row, , summary] = describePolicy(buildPolicy([incidentOnly])).split('\n');
    expect(row).toBe(
      'staging  staging   staging-1.internal  deploy      S0ENG      1 (self ok)  2h   ≤3h total  yes ≤30m → C0SEC (incident only)  1 approval ≤1h  no',
    );
    expect(summary).toBe('1 workflow, 1 target: OK');
  });
});

describe('formatTable', () => {
  it('pads every column to its widest cell, two spaces apart, without trailing spaces', () => {
    expect(
      formatTable([
        ['a', 'bb', 'c'],
        ['ccc', 'd', ''],
      ]),
    ).toBe('a    bb  c\nccc  d');
  });
});
