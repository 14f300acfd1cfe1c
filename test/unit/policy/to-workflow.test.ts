import { describe, expect, it } from 'vitest';
import type { Workflow } from '../../../src/domain/workflow.js';
import { toWorkflow } from '../../../src/policy/to-workflow.js';
import { workflowFileSchema } from '../../../src/policy/workflow-schema.js';
import { minimalWorkflow, withAccess, type Yaml } from './workflow-files.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function map(yaml: Yaml): Workflow {
  return toWorkflow('workflows/prod.yml', workflowFileSchema.parse(yaml));
}

describe('toWorkflow: defaults', () => {
  it('fills in the documented defaults and leaves optional settings absent', () => {
    expect(map(minimalWorkflow())).toStrictEqual({
      name: 'production',
      file: 'workflows/prod.yml',
      targets: [{ name: 'prod-db', hosts: ['db-1.internal'], principals: ['dbadmin'] }],
      access: {
        channel: 'C0APPROVALS',
        approvers: { users: ['U0LEAD'], groups: ['S0SRE'] },
        approvalsRequired: 1,
        allowSelfApproval: false,
        defaultDuration: 30 * MINUTE,
        maxDuration: 4 * HOUR,
        requireReason: true,
        requestTimeout: 30 * MINUTE,
        grantRetryWindow: 10 * MINUTE,
      },
    });
  });

  it('lowers the default duration to max_duration when that is under 30 minutes', () => {
    expect(map(withAccess({ max_duration: '20m' })).access.defaultDuration).toBe(20 * MINUTE);
  });

  it('raises the default duration to min_duration when that is over 30 minutes', () => {
    expect(map(withAccess({ min_duration: '1h' })).access.defaultDuration).toBe(HOUR);
  });

  it('gives vendor sessions the access approval count unless they set their own', () => {
    const vendor = { allowed: true, sponsors: { users: ['U0MGR'] }, max_duration: '2h', principals: ['vendor'] };
    const workflow = map({ ...withAccess({ approvals_required: 2 }), vendor });
    expect(workflow.vendor).toStrictEqual({
      allowed: true,
      sponsors: { users: ['U0MGR'], groups: [] },
      approvalsRequired: 2,
      maxDuration: 2 * HOUR,
      principals: ['vendor'],
      allowPty: false,
    });
  });

  it('keeps vendor.source_address for vendor certificates', () => {
    const vendor = {
      allowed: true,
      sponsors: { users: ['U0MGR'] },
      max_duration: '2h',
      principals: ['vendor'],
      source_address: ['203.0.113.0/24'],
    };
    expect(map({ ...minimalWorkflow(), vendor }).vendor?.sourceAddress).toEqual(['203.0.113.0/24']);
  });

  it('defaults breakglass to no incident requirement, no daily cap and one at a time per target', () => {
    const breakglass = { allowed: true, max_duration: '1h', notify_channel: 'C0SECURITY', review_within: '24h' };
    expect(map({ ...minimalWorkflow(), breakglass }).breakglass).toStrictEqual({
      allowed: true,
      requireIncident: false,
      maxDuration: HOUR,
      notifyChannel: 'C0SECURITY',
      reviewWithin: 24 * HOUR,
      onePerTarget: true,
    });
  });
});

describe('toWorkflow: every field', () => {
  it('maps each snake_case field to its domain property', () => {
    const yaml = {
      name: 'production',
      targets: [
        {
          name: 'prod-db',
          hosts: ['db-1', 'db-2'],
          principals: ['dbadmin', 'ro'],
          source_address: ['10.0.0.0/8', '2001:db8::/32'],
        },
      ],
      access: {
        channel: 'G0PRIVATE',
        approvers: { users: ['U0LEAD', 'W0ENTERPRISE'] },
        approvals_required: 2,
        allow_self_approval: true,
        requesters: { groups: ['S0DBA'] },
        default_duration: '45m',
        max_duration: '4h',
        min_duration: '15m',
        require_reason: false,
        ticket_pattern: '^INC-[0-9]+$',
        request_timeout: '1h',
        grant_retry_window: '2m',
        escalate_after: '10m',
        escalation_approvers: { users: ['U0BOSS'], groups: ['S0ONCALL'] },
        auto_approve: {
          pagerduty: {
            escalation_policies: ['PESC123'],
            services: ['PSVC456', 'PSVC789'],
            max_duration: '1h',
            max_escalation_level: 2,
            require_assigned: true,
            end_with_incident: true,
          },
        },
      },
      breakglass: {
        allowed: true,
        require_incident: true,
        max_duration: '1h',
        notify_channel: 'C0SECURITY',
        review_within: '1d',
        max_per_day: 3,
      },
      vendor: {
        allowed: true,
        sponsors: { groups: ['S0VENDORMGR'] },
        approvers: { users: ['U0SEC1', 'U0SEC2'] },
        approvals_required: 2,
        max_duration: '2h',
        principals: ['vendor'],
        allow_pty: true,
      },
    };
    expect(map(yaml)).toStrictEqual({
      name: 'production',
      file: 'workflows/prod.yml',
      targets: [
        {
          name: 'prod-db',
          hosts: ['db-1', 'db-2'],
          principals: ['dbadmin', 'ro'],
          sourceAddress: ['10.0.0.0/8', '2001:db8::/32'],
        },
      ],
      access: {
        channel: 'G0PRIVATE',
        approvers: { users: ['U0LEAD', 'W0ENTERPRISE'], groups: [] },
        approvalsRequired: 2,
        allowSelfApproval: true,
        requesters: { users: [], groups: ['S0DBA'] },
        defaultDuration: 45 * MINUTE,
        maxDuration: 4 * HOUR,
        minDuration: 15 * MINUTE,
        requireReason: false,
        ticketPattern: '^INC-[0-9]+$',
        requestTimeout: HOUR,
        grantRetryWindow: 2 * MINUTE,
        escalateAfter: 10 * MINUTE,
        escalationApprovers: { users: ['U0BOSS'], groups: ['S0ONCALL'] },
        autoApprove: {
          pagerduty: {
            escalationPolicies: ['PESC123'],
            services: ['PSVC456', 'PSVC789'],
            maxDuration: HOUR,
            maxEscalationLevel: 2,
            requireAssigned: true,
            endWithIncident: true,
          },
        },
      },
      breakglass: {
        allowed: true,
        requireIncident: true,
        maxDuration: HOUR,
        notifyChannel: 'C0SECURITY',
        reviewWithin: 24 * HOUR,
        onePerTarget: true,
        maxPerDay: 3,
      },
      vendor: {
        allowed: true,
        sponsors: { users: [], groups: ['S0VENDORMGR'] },
        approvers: { users: ['U0SEC1', 'U0SEC2'], groups: [] },
        approvalsRequired: 2,
        maxDuration: 2 * HOUR,
        principals: ['vendor'],
        allowPty: true,
      },
    });
  });

  it('maps a switched-off breakglass or vendor section to none at all', () => {
    const workflow = map({
      ...minimalWorkflow(),
      breakglass: { allowed: false, max_duration: '1h' },
      vendor: { allowed: false },
    });
    expect('breakglass' in workflow).toBe(false);
    expect('vendor' in workflow).toBe(false);
  });
});
