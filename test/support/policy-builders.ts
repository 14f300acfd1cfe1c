import type { Member } from '../../src/domain/people.js';
import {
  type AccessPolicy,
  type BreakglassPolicy,
  buildPolicy,
  type ExtendPolicy,
  type Policy,
  type Target,
  type VendorPolicy,
  type Workflow,
} from '../../src/domain/workflow.js';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

/**
 * Overrides for `workflow()`. `access`, `breakglass` and `vendor` merge into the defaults;
 * `null` removes the breakglass or vendor section altogether.
 */
export interface WorkflowOverrides {
  readonly name?: string;
  readonly file?: string;
  readonly targets?: readonly (string | Target)[];
  readonly access?: Partial<AccessPolicy>;
  readonly breakglass?: Partial<BreakglassPolicy> | null;
  readonly vendor?: Partial<VendorPolicy> | null;
  /** The extend rules per kind; absent: no extension. */
  readonly extend?: ExtendPolicy;
}

/** The example workflow (`production`, target prod-db), with overrides. */
export function workflow(overrides: WorkflowOverrides = {}): Workflow {
  const access: AccessPolicy = {
    channel: 'C0APPROVALS',
    approvers: { users: ['U0LEAD'], groups: ['S0SRE'] },
    approvalsRequired: 1,
    allowSelfApproval: false,
    defaultDuration: 30 * MINUTE,
    maxDuration: 4 * HOUR,
    requireReason: true,
    requestTimeout: 30 * MINUTE,
    grantRetryWindow: 10 * MINUTE,
    ...overrides.access,
  };
  const breakglass: BreakglassPolicy = {
    allowed: true,
    requireIncident: false,
    maxDuration: HOUR,
    notifyChannel: 'C0SECURITY',
    reviewWithin: 24 * HOUR,
    // Tests take several breakglasses on one target; the one-at-a-time rule has its own tests.
    onePerTarget: false,
    ...overrides.breakglass,
  };
  const vendor: VendorPolicy = {
    allowed: true,
    sponsors: { users: [], groups: ['S0VENDORMGR'] },
    approvalsRequired: 2,
    maxDuration: 2 * HOUR,
    principals: ['vendor'],
    allowPty: false,
    ...overrides.vendor,
  };
  return {
    name: overrides.name ?? 'production',
    file: overrides.file ?? `workflows/${overrides.name ?? 'production'}.yml`,
    targets: (overrides.targets ?? ['prod-db']).map((t) => (typeof t === 'string' ? target(t) : t)),
    access,
    ...(overrides.breakglass === null ? {} : { breakglass }),
    ...(overrides.vendor === null ? {} : { vendor }),
    ...(overrides.extend === undefined ? {} : { extend: overrides.extend }),
  };
}

export function target(name: string): Target {
  return { name, hosts: [`${name}-1.internal`], principals: ['ops'] };
}

export function policy(...workflows: Workflow[]): Policy {
  return buildPolicy(workflows);
}

/** A person with their Slack user ID and the user groups they belong to. */
export function member(userId: string, ...groups: string[]): Member {
  return { userId, groups: new Set(groups) };
}
