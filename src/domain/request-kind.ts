import type { DurationMs } from './duration.js';
import { JumpgateError } from './errors.js';
import type { BreakglassPolicy, Workflow } from './workflow.js';

/**
 * The three ways to ask for access: a standard request (approved in Slack or automatically
 * during an incident), breakglass (granted at once, reviewed afterwards) and a vendor session
 * (requested by an internal sponsor on a vendor's behalf).
 */
export const REQUEST_KINDS = ['standard', 'breakglass', 'vendor'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

/** What a workflow lets one kind of request do. */
export interface KindLimits {
  readonly kind: RequestKind;
  /** The longest duration that may be requested; longer requests are refused, never clamped. */
  readonly maxDuration: DurationMs;
  /** What a request that names no duration gets. */
  readonly defaultDuration: DurationMs;
  readonly requireReason: boolean;
  /** How messages name what is asked for, e.g. `breakglass access to prod-db`. */
  readonly description: string;
}

/**
 * The limits that apply to `kind` under `workflow`. Throws `breakglass_not_allowed` or
 * `vendor_not_allowed` when the workflow has no such rules or switches them off; the message
 * names the target and says what to do instead.
 */
export function kindLimits(workflow: Workflow, kind: RequestKind, targetName: string): KindLimits {
  const { access, vendor } = workflow;
  switch (kind) {
    case 'standard':
      return {
        kind,
        maxDuration: access.maxDuration,
        defaultDuration: access.defaultDuration,
        requireReason: access.requireReason,
        description: `access to ${targetName}`,
      };
    case 'breakglass': {
      const breakglass = breakglassPolicyOf(workflow, targetName);
      // Breakglass is for emergencies: whoever uses it gets the whole (short) window at once,
      // and must always say why, because the review afterwards starts from that reason.
      return {
        kind,
        maxDuration: breakglass.maxDuration,
        defaultDuration: breakglass.maxDuration,
        requireReason: true,
        description: `breakglass access to ${targetName}`,
      };
    }
    case 'vendor':
      if (!vendor?.allowed) {
        throw new JumpgateError(
          'vendor_not_allowed',
          `vendor sessions are not allowed for ${targetName}; only targets whose workflow allows vendors can take them`,
          { details: { target: targetName, workflow: workflow.name } },
        );
      }
      // A vendor is outside the company: the reason is the only record of why they were let in.
      return {
        kind,
        maxDuration: vendor.maxDuration,
        defaultDuration: Math.min(access.defaultDuration, vendor.maxDuration),
        requireReason: true,
        description: `a vendor session on ${targetName}`,
      };
  }
}

/**
 * The breakglass rules of `workflow`. Throws `breakglass_not_allowed` when it has none or switches
 * breakglass off; the message names the target and says what to do instead.
 */
export function breakglassPolicyOf(workflow: Workflow, targetName: string): BreakglassPolicy {
  const { breakglass } = workflow;
  if (!breakglass?.allowed) {
    throw new JumpgateError(
      'breakglass_not_allowed',
      `breakglass access is not allowed for ${targetName}; make a normal request and its approvers will be asked`,
      { details: { target: targetName, workflow: workflow.name } },
    );
  }
  return breakglass;
}
