import { z } from 'zod';
import {
  addressOrCidr,
  channelId,
  count,
  DURATION_WHAT,
  duration,
  expected,
  flag,
  hostName,
  listOf,
  pagerDutyId,
  peopleSet,
  principal,
  regularExpression,
  strictMapping,
  targetName,
} from './fields.js';

/**
 * The sections of a workflow file as written (snake_case), before the rules that relate one
 * field to another (workflow-rules.ts) and before mapping to the domain (to-workflow.ts).
 */

export const MINUTES_30 = 30 * 60_000;
/** How long an unreachable broker is waited for before an approved grant fails (grant_retry_window). */
export const MINUTES_10 = 10 * 60_000;

export const targetSchema = strictMapping(
  {
    name: targetName,
    hosts: listOf(hostName, 'a list of host names', 'host'),
    principals: listOf(principal, 'a list of Unix user names (certificate principals)', 'principal'),
    source_address: listOf(addressOrCidr, 'a list of IP addresses or CIDRs', 'address').optional(),
    retired: flag.default(false),
  },
  'a mapping with name, hosts, principals',
);

const pagerDutySchema = strictMapping(
  {
    escalation_policies: listOf(pagerDutyId, 'a list of PagerDuty escalation policy IDs', 'escalation policy'),
    services: listOf(pagerDutyId, 'a list of PagerDuty service IDs', 'service'),
    max_duration: duration,
    max_escalation_level: count.optional(),
    require_assigned: flag.default(false),
    end_with_incident: flag.default(false),
  },
  'a mapping with escalation_policies, services, max_duration',
);

export const accessSchema = strictMapping(
  {
    channel: channelId,
    approvers: peopleSet('approvers'),
    approvals_required: count.default(1),
    allow_self_approval: flag.default(false),
    requesters: peopleSet('requesters', ', or leave requesters out to let anyone request').optional(),
    default_duration: duration.optional(),
    max_duration: duration,
    min_duration: duration.optional(),
    require_reason: flag.default(true),
    ticket_pattern: regularExpression.optional(),
    request_timeout: duration.default(MINUTES_30),
    grant_retry_window: duration.default(MINUTES_10),
    escalate_after: duration.optional(),
    escalation_approvers: peopleSet('escalation approvers').optional(),
    auto_approve: strictMapping({ pagerduty: pagerDutySchema.optional() }, 'a mapping with pagerduty').optional(),
  },
  'a mapping with channel, approvers, max_duration',
);

/** Fields a section needs only when it is switched on; checked by `requireWhenAllowed`. */
function requireWhenAllowed(section: string, required: Readonly<Record<string, string>>) {
  return (value: { readonly allowed: boolean } & Readonly<Record<string, unknown>>, ctx: z.core.$RefinementCtx) => {
    if (!value.allowed) return;
    for (const [key, what] of Object.entries(required)) {
      if (value[key] === undefined)
        ctx.addIssue({ code: 'custom', path: [key], message: `required when ${section} is allowed: ${what}` });
    }
  };
}

export const breakglassSchema = strictMapping(
  {
    allowed: flag.default(false),
    require_incident: flag.default(false),
    max_duration: duration.optional(),
    notify_channel: channelId.optional(),
    review_within: duration.optional(),
    max_per_day: count.optional(),
    one_per_target: flag.default(true),
  },
  'a mapping with allowed, max_duration, notify_channel, review_within',
).superRefine(
  requireWhenAllowed('breakglass', {
    max_duration: DURATION_WHAT,
    notify_channel: 'a Slack channel ID (like C0123ABCD) where security is alerted',
    review_within: DURATION_WHAT,
  }),
);

export const vendorSchema = strictMapping(
  {
    allowed: flag.default(false),
    sponsors: peopleSet('sponsors').optional(),
    approvers: peopleSet('vendor approvers', ', or leave approvers out to use access.approvers').optional(),
    approvals_required: count.optional(),
    max_duration: duration.optional(),
    principals: listOf(principal, 'a list of Unix user names (certificate principals)', 'principal').optional(),
    allow_pty: flag.default(false),
    source_address: listOf(addressOrCidr, 'a list of IP addresses or CIDRs', 'address').optional(),
  },
  'a mapping with allowed, sponsors, max_duration, principals',
).superRefine(
  requireWhenAllowed('vendor', {
    sponsors: 'who may request for a vendor (users and/or groups)',
    max_duration: DURATION_WHAT,
    principals: 'a list of Unix user names (certificate principals)',
  }),
);

const extendKindShape = {
  allowed: flag.optional(),
  max_total: duration.optional(),
  auto_within: duration.optional(),
};

/**
 * `extend:`. The top level is the rule for standard grants; `breakglass:` and `vendor:` override
 * it for those kinds (a key left out there is taken from the top level, except `auto_within`,
 * which breakglass grants only get when their own mapping says so and vendor sessions never).
 */
export const extendSchema = strictMapping(
  {
    allowed: flag.default(false),
    max_total: duration.optional(),
    auto_within: duration.optional(),
    breakglass: strictMapping(extendKindShape, 'a mapping with allowed, max_total, auto_within').optional(),
    vendor: strictMapping(
      { allowed: extendKindShape.allowed, max_total: extendKindShape.max_total },
      'a mapping with allowed, max_total (vendor sessions are never extended at once)',
    ).optional(),
  },
  'a mapping with allowed, max_total, auto_within',
).superRefine(requireWhenAllowed('extend', { max_total: DURATION_WHAT }));

export const workflowName = z
  .string({ error: expected('a workflow name') })
  .refine((text) => text.trim() !== '', { error: 'must not be empty' });

export const targetsSchema = listOf(targetSchema, 'a list of targets (each with name, hosts, principals)', 'target');

export type TargetFile = z.output<typeof targetSchema>;
export type AccessFile = z.output<typeof accessSchema>;
export type BreakglassFile = z.output<typeof breakglassSchema>;
export type VendorFile = z.output<typeof vendorSchema>;
export type ExtendFile = z.output<typeof extendSchema>;
