import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../../src/policy/load-workflows.js';

const EXAMPLES = path.resolve(import.meta.dirname, '../../../workflows');
const HOUR = 3_600_000;

describe('the example workflows in workflows/', () => {
  it('all load, and define the documented targets', async () => {
    const policy = await loadPolicy(EXAMPLES);
    expect(policy.workflows.map((workflow) => workflow.name)).toEqual(['production', 'staging', 'vendor-support']);
    expect([...policy.targets].map(([name, { workflow }]) => [name, workflow.name])).toEqual([
      ['prod-db', 'production'],
      ['prod-web', 'production'],
      ['staging', 'staging'],
      ['vendor-gw', 'vendor-support'],
    ]);
  });

  it('production: one SRE-lead approval, PagerDuty auto-approval, capped breakglass, ticket required', async () => {
    const production = (await loadPolicy(EXAMPLES)).workflows[0]!;
    expect(production.access.approvers.users.length).toBeGreaterThan(0);
    expect(production.access.approvers.groups.length).toBeGreaterThan(0);
    expect(production.access.approvalsRequired).toBe(1);
    expect(production.access.ticketPattern).toBe('^(INC|CHG)-[0-9]+$');
    expect(production.access.autoApprove?.pagerduty?.maxDuration).toBe(HOUR);
    expect(production.breakglass).toMatchObject({ allowed: true, reviewWithin: 24 * HOUR, maxPerDay: 3 });
  });

  it('staging: self-approval allowed, short maximum, no reason needed', async () => {
    const staging = (await loadPolicy(EXAMPLES)).workflows[1]!;
    expect(staging.access).toMatchObject({ allowSelfApproval: true, maxDuration: 2 * HOUR, requireReason: false });
  });

  it('vendor-support: vendor sessions with two approvals, a sponsor group and their own principal', async () => {
    const vendor = (await loadPolicy(EXAMPLES)).workflows[2]!.vendor;
    expect(vendor).toMatchObject({
      allowed: true,
      approvalsRequired: 2,
      maxDuration: 2 * HOUR,
      principals: ['vendor'],
    });
    expect(vendor?.sponsors.groups.length).toBeGreaterThan(0);
  });
});
