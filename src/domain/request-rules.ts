import { type DurationMs, formatDuration, parseDuration } from './duration.js';
import { JumpgateError } from './errors.js';
import { type KindLimits, kindLimits, type RequestKind } from './request-kind.js';
import type { Workflow } from './workflow.js';

export interface RequestInput {
  readonly workflow: Workflow;
  readonly target: string;
  readonly kind: RequestKind;
  /** As typed, e.g. `1h30m`; absent or blank = the kind's default duration. */
  readonly duration?: string;
  /** As typed; may be empty. */
  readonly reason: string;
  /** From the request modal's ticket field; absent or blank = look in the reason. */
  readonly ticket?: string;
}

export interface CheckedRequest {
  readonly durationMs: DurationMs;
  /** The reason, trimmed. */
  readonly reason: string;
  /** The ticket found (explicit first, then in the reason), or the explicit one when no pattern is set. */
  readonly ticket?: string;
}

/**
 * The longest reason a request takes. Approvers read it in a message, it is kept in every audit
 * record, and the broker refuses a grant whose reason is over 4,000 characters: a long reason
 * must be refused when it is typed, not after the approvals.
 */
export const MAX_REASON_LENGTH = 1_000;

// A ticket is often written "(INC-42)" or "INC-42," inside a sentence; these never belong to it.
const EDGE_PUNCTUATION = /^[,.;:()[\]"'!?]+|[,.;:()[\]"'!?]+$/g;

/**
 * Applies a workflow's rules to what a person asked for. Every error says what was wrong and
 * what is allowed. Throws, in this order:
 * - `breakglass_not_allowed` / `vendor_not_allowed` when the workflow does not allow the kind;
 * - `invalid_duration` when the duration does not parse;
 * - `duration_over_max` / `duration_under_min` (details `requested`, `max` / `min` in ms) —
 *   a duration is refused, never clamped;
 * - `reason_required` when the workflow (or the kind: breakglass, vendor) needs a reason;
 * - `reason_too_long` when the reason is over MAX_REASON_LENGTH characters;
 * - `ticket_required` when the workflow has a ticket pattern and no ticket matches it;
 * - `workflow_invalid` when that pattern is not a regular expression (policy/ should have
 *   refused the workflow already).
 */
export function checkRequest(input: RequestInput): CheckedRequest {
  const { workflow, target } = input;
  const limits = kindLimits(workflow, input.kind, target);
  const durationMs = checkDuration(input.duration, limits, workflow.access.minDuration, target);
  const reason = input.reason.trim();
  if (limits.requireReason && reason === '') {
    throw new JumpgateError('reason_required', `a reason is required for ${limits.description}; say why it is needed`, {
      details: { target, kind: input.kind },
    });
  }
  checkReasonLength(reason);
  const explicit = input.ticket?.trim() || undefined;
  const pattern = workflow.access.ticketPattern;
  if (pattern === undefined)
    return explicit === undefined ? { durationMs, reason } : { durationMs, reason, ticket: explicit };
  const ticket = findTicket(ticketRegExp(pattern, workflow), explicit, reason);
  if (ticket === undefined) {
    const wrong = explicit === undefined ? '' : ` ("${explicit}" does not match)`;
    throw new JumpgateError(
      'ticket_required',
      `a ticket matching ${pattern} is required for ${limits.description}${wrong}; put it in the reason`,
      { details: { target, pattern, ...(explicit === undefined ? {} : { ticket: explicit }) } },
    );
  }
  return { durationMs, reason, ticket };
}

/** Throws `reason_too_long` when the (trimmed) reason is over MAX_REASON_LENGTH characters. */
export function checkReasonLength(reason: string): void {
  // Characters as a person counts them (an emoji is one), not UTF-16 units.
  const length = [...reason.trim()].length;
  if (length > MAX_REASON_LENGTH) {
    throw new JumpgateError(
      'reason_too_long',
      `the reason is ${count(length)} characters long; at most ${count(MAX_REASON_LENGTH)} are allowed`,
      {
        details: { length, max: MAX_REASON_LENGTH },
      },
    );
  }
}

/** Auto-approved grants are capped by the workflow's auto-approve rule, silently: nobody asked for more than policy gives for free. */
export function autoApproveDuration(requestedMs: DurationMs, capMs: DurationMs): DurationMs {
  return Math.min(requestedMs, capMs);
}

function checkDuration(
  text: string | undefined,
  limits: KindLimits,
  minDuration: DurationMs | undefined,
  target: string,
): DurationMs {
  const requested = text === undefined || text.trim() === '' ? limits.defaultDuration : parseDuration(text);
  if (requested > limits.maxDuration) {
    const which =
      limits.kind === 'standard'
        ? 'maximum'
        : limits.kind === 'breakglass'
          ? 'breakglass maximum'
          : 'vendor session maximum';
    throw new JumpgateError(
      'duration_over_max',
      `${formatDuration(requested)} is longer than the ${which} for ${target} (${formatDuration(limits.maxDuration)})`,
      { details: { requested, max: limits.maxDuration } },
    );
  }
  if (minDuration !== undefined && requested < minDuration) {
    throw new JumpgateError(
      'duration_under_min',
      `${formatDuration(requested)} is shorter than the minimum for ${target} (${formatDuration(minDuration)})`,
      { details: { requested, min: minDuration } },
    );
  }
  return requested;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

function ticketRegExp(pattern: string, workflow: Workflow): RegExp {
  try {
    return new RegExp(pattern);
  } catch (cause) {
    throw new JumpgateError(
      'workflow_invalid',
      `${workflow.file}: access.ticket_pattern ${pattern} is not a regular expression`,
      {
        cause,
        details: { workflow: workflow.name, pattern },
      },
    );
  }
}

function findTicket(pattern: RegExp, explicit: string | undefined, reason: string): string | undefined {
  if (explicit !== undefined && pattern.test(explicit)) return explicit;
  for (const token of reason.split(/\s+/)) {
    const bare = token.replace(EDGE_PUNCTUATION, '');
    if (bare !== '' && pattern.test(bare)) return bare;
  }
  return undefined;
}
