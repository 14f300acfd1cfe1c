import { DURATION_HELP, isDuration } from '../domain/duration.js';
import { JumpgateError } from '../domain/errors.js';

/** What `/jump …` asked for (the slash command grammar in the README). Durations stay as typed. */
export type SlashCommand =
  | { readonly name: 'help' }
  /** `/jump request` with nothing after it: open the request modal. */
  | { readonly name: 'request-modal' }
  | { readonly name: 'request'; readonly target: string; readonly duration?: string; readonly reason: string }
  | { readonly name: 'breakglass'; readonly target: string; readonly duration?: string; readonly reason: string }
  | {
      readonly name: 'vendor';
      readonly vendorEmail: string;
      readonly target: string;
      readonly duration: string;
      readonly reason: string;
    }
  | { readonly name: 'key'; readonly key: string }
  | { readonly name: 'list' }
  | { readonly name: 'targets' }
  | { readonly name: 'extend'; readonly grantId: string; readonly duration: string }
  | { readonly name: 'revoke'; readonly grantId: string };

export const SUBCOMMANDS = [
  'request',
  'breakglass',
  'vendor',
  'key',
  'list',
  'extend',
  'revoke',
  'targets',
  'help',
] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

/** The usage line of each subcommand, as errors and `/jump help` show it. */
export const USAGE: Readonly<Record<Subcommand, string>> = {
  request: '/jump request <target> [<duration>] [<reason…>]',
  breakglass: '/jump breakglass <target> [<duration>] <reason…>',
  vendor: '/jump vendor <vendor-email> <target> <duration> <reason…>',
  key: '/jump key <ssh-public-key>',
  list: '/jump list',
  extend: '/jump extend <grant-id> <duration>',
  revoke: '/jump revoke <grant-id>',
  targets: '/jump targets',
  help: '/jump help',
};

// Deliberately loose: the vendor's mail system is the judge; this only catches a target or a
// duration typed where the email belongs.
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>.]+$/;

/**
 * Parses the text after `/jump`. Subcommands are case-insensitive and extra whitespace is
 * ignored. Throws `bad_command` saying what was wrong, with the usage line of the subcommand,
 * and `invalid_duration` when a duration is malformed (see `durationOrReason`).
 */
export function parseCommand(text: string): SlashCommand {
  const plain = fromSlackText(text).trim();
  const [word = '', ...args] = plain === '' ? [] : plain.split(/\s+/);
  const subcommand = word.toLowerCase();
  switch (subcommand) {
    case '':
    case 'help':
      return { name: 'help' };
    case 'list':
    case 'targets':
      noMore(subcommand, args, 0, 'takes nothing after it');
      return { name: subcommand };
    case 'key': {
      // A key line has spaces inside it (type, data, comment): keep everything after the word.
      const key = plain.slice(word.length).trim();
      if (key === '') fail('key', 'needs your SSH public key (the one line of ~/.ssh/id_ed25519.pub)');
      return { name: 'key', key };
    }
    case 'request':
      return args.length === 0 ? { name: 'request-modal' } : targetDurationReason('request', args);
    case 'breakglass': {
      if (args.length === 0) fail('breakglass', 'needs a target and a reason');
      const parsed = targetDurationReason('breakglass', args);
      if (parsed.reason === '')
        fail('breakglass', 'needs a reason (say why it is needed: the review afterwards starts from it)');
      return parsed;
    }
    case 'vendor':
      return vendor(args);
    case 'extend': {
      const [grantId, duration] = args;
      if (grantId === undefined) fail('extend', 'needs a grant id and a duration');
      if (duration === undefined) fail('extend', 'needs a duration after the grant id');
      if (!isDuration(duration)) throw notADuration('extend', duration, '');
      noMore('extend', args, 2, 'takes only a grant id and a duration');
      return { name: 'extend', grantId, duration };
    }
    case 'revoke': {
      const [grantId] = args;
      if (grantId === undefined) fail('revoke', 'needs a grant id');
      noMore('revoke', args, 1, 'takes only a grant id');
      return { name: 'revoke', grantId };
    }
    default:
      throw new JumpgateError('bad_command', `unknown subcommand "${word}" (try: ${SUBCOMMANDS.join(', ')})`, {
        details: { subcommand: word },
      });
  }
}

function targetDurationReason(name: 'request' | 'breakglass', args: readonly string[]) {
  const [target = '', ...rest] = args;
  if (isDuration(target) && rest.length > 0)
    fail(name, `needs the target first, then the duration ("${target}" is a duration)`);
  const { duration, reason } = durationOrReason(name, rest);
  return { name, target, ...(duration === undefined ? {} : { duration }), reason };
}

/**
 * The token after the target is the duration when it parses as one, and begins the reason when
 * it does not start with a digit. A token that starts with a digit but is no duration (`30`,
 * `2hours`) is refused: guessing would either grant a different length than meant or turn a
 * mistyped duration into the first word of the reason.
 */
function durationOrReason(name: Subcommand, rest: readonly string[]): { duration?: string; reason: string } {
  const [first, ...more] = rest;
  if (first === undefined) return { reason: '' };
  if (isDuration(first)) return { duration: first, reason: more.join(' ') };
  if (/^\d/.test(first)) throw notADuration(name, first, '; a reason goes after the duration');
  return { reason: rest.join(' ') };
}

function vendor(args: readonly string[]): SlashCommand {
  const [vendorEmail, target, duration, ...reason] = args;
  if (vendorEmail === undefined) fail('vendor', 'needs the vendor’s email, a target, a duration and a reason');
  if (!EMAIL.test(vendorEmail))
    fail('vendor', `needs the vendor’s email first, and "${vendorEmail}" is not an email address`);
  if (target === undefined) fail('vendor', 'needs a target after the vendor’s email');
  if (duration === undefined) fail('vendor', 'needs a duration after the target');
  if (!isDuration(duration)) {
    if (/^\d/.test(duration)) throw notADuration('vendor', duration, '');
    fail('vendor', `needs a duration after the target, and "${duration}" is not one (${DURATION_HELP})`);
  }
  if (reason.length === 0) fail('vendor', 'needs a reason (say why the vendor needs access)');
  return { name: 'vendor', vendorEmail, target, duration, reason: reason.join(' ') };
}

function notADuration(name: Subcommand, token: string, hint: string): JumpgateError {
  return new JumpgateError(
    'invalid_duration',
    `"${token}" is not a duration (${DURATION_HELP})${hint}: ${USAGE[name]}`,
    {
      details: { input: token, subcommand: name },
    },
  );
}

function noMore(name: Subcommand, args: readonly string[], allowed: number, what: string): void {
  const extra = args.slice(allowed);
  if (extra.length > 0) fail(name, `${what}, but "${extra.join(' ')}" followed`);
}

function fail(name: Subcommand, what: string): never {
  throw new JumpgateError('bad_command', `/jump ${name} ${what}: ${USAGE[name]}`, { details: { subcommand: name } });
}

/**
 * Slack sends `&`, `<`, `>` typed by a person as entities, and may send what it recognised
 * (an email, a link, a mention) as `<target|label>` markup. The command is about what the person
 * typed, so markup becomes its label (an email its address) and entities their characters.
 */
function fromSlackText(text: string): string {
  return text
    .replace(/<([^<>|]*)(?:\|([^<>]*))?>/g, (_, inner: string, label: string | undefined) => unwrap(inner, label))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function unwrap(inner: string, label: string | undefined): string {
  const sigil = /^[@#]/.exec(inner)?.[0] ?? '';
  if (label !== undefined && label !== '') return sigil + label.replace(/^[@#]/, '');
  return inner.replace(/^mailto:/, '');
}
