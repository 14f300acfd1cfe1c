import { isIP } from 'node:net';
import { z } from 'zod';
import { DURATION_HELP, parseDuration } from '../domain/duration.js';
import { isJumpgateError } from '../domain/errors.js';

/**
 * The leaf values of a workflow file, each with messages in the words of the person editing the
 * YAML (zod's own texts name JavaScript types, which a policy author should never have to read).
 */

/** A YAML value as a message shows it: `"db-1"`, `30`, `a list`, `a mapping`. */
export function describeValue(input: unknown): string {
  if (input === null) return 'an empty value';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'string') return JSON.stringify(input.length > 60 ? `${input.slice(0, 57)}...` : input);
  if (typeof input === 'number' || typeof input === 'boolean') return String(input);
  return typeof input === 'object' ? 'a mapping' : `a ${typeof input}`;
}

/** Error map for a wrong or missing value: `required: a list of host names` / `expected …, got "x"`. */
export function expected(what: string) {
  return (issue: { readonly input?: unknown }): string => {
    if (issue.input === undefined) return `required: ${what}`;
    const hint =
      what.startsWith('a list') && typeof issue.input === 'string' ? ` (write it as a list: [${issue.input}])` : '';
    return `expected ${what}, got ${describeValue(issue.input)}${hint}`;
  };
}

/**
 * A mapping whose unknown keys are errors: a misspelt key must never silently drop a rule and
 * weaken a policy. The message lists the keys that are allowed there.
 */
export function strictMapping<T extends z.core.$ZodLooseShape>(shape: T, what: string) {
  const allowed = Object.keys(shape).join(', ');
  const wrongType = expected(what);
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown key (allowed: ${allowed})` : wrongType(issue)),
  });
}

export const DURATION_WHAT = `a duration (${DURATION_HELP})`;

/** A duration string, turned into milliseconds. */
export const duration = z.string({ error: expected(DURATION_WHAT) }).transform((text, ctx) => {
  try {
    return parseDuration(text);
  } catch (error) {
    if (!isJumpgateError(error, 'invalid_duration')) throw error;
    ctx.addIssue({ code: 'custom', message: error.message, input: text });
    return z.NEVER;
  }
});

export const count = z
  .int({ error: expected('a whole number of 1 or more') })
  .min(1, { error: (issue) => `must be 1 or more, got ${describeValue(issue.input)}` });

export const flag = z.boolean({ error: expected('true or false') });

/** A string that must match `pattern`; otherwise `"x" is not <what> (<help>)`. */
function matching(pattern: RegExp, what: string, help: string) {
  return z.string({ error: expected(what) }).refine((text) => pattern.test(text), {
    error: (issue) => `${describeValue(issue.input)} is not ${what} (${help})`,
  });
}

export const userId = matching(/^[UW][A-Z0-9]{2,}$/, 'a Slack user ID', 'like U0123ABCD: profile → ⋮ → Copy member ID');
export const groupId = matching(/^S[A-Z0-9]{2,}$/, 'a Slack user-group ID', 'like S0123ABCD');
export const channelId = matching(
  /^[CG][A-Z0-9]{2,}$/,
  'a Slack channel ID',
  'like C0123ABCD: channel details → About, at the bottom',
);
export const pagerDutyId = matching(
  /^P[A-Z0-9]{2,}$/,
  'a PagerDuty ID',
  'like PABC123, from the escalation policy or service URL',
);

export const targetName = matching(
  /^[a-z0-9][a-z0-9._-]*$/,
  'a valid target name',
  'lowercase letters, digits, . _ -, starting with a letter or digit; people type it in /jump request',
);

/** Non-empty, and without whitespace or commas: a comma would split an `ssh-keygen -n` list. */
function listEntry(what: string, pattern?: { readonly regex: RegExp; readonly help: string }) {
  return z.string({ error: expected(what) }).superRefine((text, ctx) => {
    if (text === '') ctx.addIssue({ code: 'custom', message: 'must not be empty', input: text });
    else if (/[\s,]/.test(text)) {
      ctx.addIssue({
        code: 'custom',
        message: `${describeValue(text)} must not contain whitespace or commas (list each one separately)`,
        input: text,
      });
    } else if (pattern !== undefined && !pattern.regex.test(text)) {
      ctx.addIssue({ code: 'custom', message: `${describeValue(text)} is not ${what} (${pattern.help})`, input: text });
    }
  });
}

export const hostName = listEntry('a host name');
export const principal = listEntry('a Unix user name', {
  regex: /^[a-z_][a-z0-9_.-]*$/,
  help: 'lowercase letters, digits, _ . -, starting with a letter or _',
});

/** An IPv4/IPv6 address or CIDR, as OpenSSH's `source-address` certificate option takes it. */
export function isAddressOrCidr(text: string): boolean {
  const [address = '', prefix, ...rest] = text.split('/');
  const version = address.includes('%') ? 0 : isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (version === 4 ? 32 : 128);
}

export const addressOrCidr = z.string({ error: expected('an IP address or CIDR') }).refine(isAddressOrCidr, {
  error: (issue) =>
    `${describeValue(issue.input)} is not an IP address or CIDR (like 10.0.0.0/8, 192.0.2.7 or 2001:db8::/32)`,
});

export const regularExpression = z.string({ error: expected('a regular expression') }).superRefine((text, ctx) => {
  try {
    new RegExp(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    ctx.addIssue({
      code: 'custom',
      message: `${describeValue(text)} is not a valid regular expression (${why})`,
      input: text,
    });
  }
});

/** A non-empty list of `item`; `what` names the list for messages, `one` a single entry. */
export function listOf<T extends z.ZodType>(item: T, what: string, one: string) {
  return z.array(item, { error: expected(what) }).min(1, { error: `list at least one ${one}` });
}

/**
 * `{users, groups}`, either may be left out, but not both (nobody would be in the set).
 * `role` names the set in messages; `ifEmpty` adds what leaving the whole set out would mean.
 */
export function peopleSet(role: string, ifEmpty = '') {
  return strictMapping(
    {
      users: z.array(userId, { error: expected('a list of Slack user IDs') }).optional(),
      groups: z.array(groupId, { error: expected('a list of Slack user-group IDs') }).optional(),
    },
    `a mapping with users and/or groups (the ${role})`,
  ).refine((set) => (set.users?.length ?? 0) + (set.groups?.length ?? 0) > 0, {
    error: `list at least one user (users: [U0123ABCD]) or user group (groups: [S0123ABCD]) as ${role}${ifEmpty}`,
    // An empty set would also fail every rule that counts approvers; one message is enough.
    abort: true,
  });
}
