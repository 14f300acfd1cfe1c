import { randomBytes } from 'node:crypto';
import { isJumpgateError, type JumpgateError } from '../domain/errors.js';
import { escapeClipped, mentionChannel, mentionGroup, mentionUser } from './mrkdwn.js';
import { withoutInternals } from './public-text.js';

/** What a person reads when their command or click failed, and the reference to log with it. */
export interface ErrorReply {
  /** Ephemeral mrkdwn text: escaped, never a stack trace. */
  readonly text: string;
  /** Set for unexpected errors: the caller logs the error with it, the person quotes it. */
  readonly reference?: string;
}

/** Codes whose message may carry words from another system (a broker's address, its error text). */
const FROM_OUTSIDE: ReadonlySet<string> = new Set(['broker_unavailable', 'broker_rejected']);

/** Messages quote what people typed; an ephemeral reply stays one readable section. */
const MAX_MESSAGE = 2_500;

/**
 * Turns an error into the reply a person reads; no stack trace ever reaches Slack. A
 * JumpgateError already says what was wrong and what is allowed; anything else is our fault,
 * shown only as a reference into the bot's log, because its message may carry internals
 * (hosts, tokens, stack frames).
 */
export function errorReply(error: unknown): ErrorReply {
  if (!isJumpgateError(error)) {
    const reference = randomBytes(4).toString('hex');
    return {
      text: `:boom: Something went wrong on our side (reference ${reference}); the details are in the bot's log.`,
      reference,
    };
  }
  const message = escapeClipped(
    capitalize(FROM_OUTSIDE.has(error.code) ? withoutInternals(error.message) : error.message),
    MAX_MESSAGE,
  );
  const extra = extraFor(error);
  return { text: `:warning: ${message}${extra === '' ? '' : `\n${extra}`}` };
}

function extraFor(error: JumpgateError): string {
  if (error.code === 'not_an_approver') {
    const who = approversIn(error.details.approvers);
    return who === '' ? '' : `Approvers of this request: ${who}`;
  }
  if (error.code === 'not_a_sponsor') {
    const who = approversIn(error.details.sponsors);
    return who === '' ? 'Its workflow names no sponsors.' : `Who may sponsor vendors there: ${who}`;
  }
  if (error.code === 'target_retired' && typeof error.details.channel === 'string') {
    return `Ask in ${mentionChannel(error.details.channel)} what replaces it.`;
  }
  if (error.code === 'broker_unavailable') {
    return 'Nothing was changed. Try again in a minute; if it keeps failing, tell the people who run Jumpgate.';
  }
  return '';
}

/** Mentions of the people in a `{users, groups}` detail, read defensively: details are loosely typed. */
function approversIn(approvers: unknown): string {
  if (typeof approvers !== 'object' || approvers === null) return '';
  const { users, groups } = approvers as { users?: unknown; groups?: unknown };
  const ids = (list: unknown): string[] =>
    Array.isArray(list) ? list.filter((id): id is string => typeof id === 'string') : [];
  return [...ids(users).map(mentionUser), ...ids(groups).map(mentionGroup)].join(', ');
}

/** Only a plain first word is capitalised: `grant_x is not active` must keep the id as typed. */
function capitalize(text: string): string {
  return /^[a-z]+(?=[\s,;:]|$)/.test(text) ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}
