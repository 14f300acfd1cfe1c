import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../src/domain/errors.js';
import { parseCommand, type SlashCommand, SUBCOMMANDS, USAGE } from '../../../src/slack/parse-command.js';
import { thrown } from '../domain/thrown.js';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGy8kC8ex5zG6hZ0Ok3bJkS4w7O3XnE9tP1rJw2m8Q1a alice@laptop';

describe('parseCommand: what each form of /jump means', () => {
  it.each<[string, SlashCommand]>([
    ['', { name: 'help' }],
    ['   ', { name: 'help' }],
    ['help', { name: 'help' }],
    ['HELP', { name: 'help' }],
    ['help request', { name: 'help' }],
    ['list', { name: 'list' }],
    ['targets', { name: 'targets' }],
    ['Targets', { name: 'targets' }],
    ['request', { name: 'request-modal' }],
    ['  request  ', { name: 'request-modal' }],
    ['request prod-db', { name: 'request', target: 'prod-db', reason: '' }],
    ['request prod-db 30m', { name: 'request', target: 'prod-db', duration: '30m', reason: '' }],
    [
      'request prod-db 30m fix replication INC-42',
      { name: 'request', target: 'prod-db', duration: '30m', reason: 'fix replication INC-42' },
    ],
    [
      'request prod-db fix replication INC-42',
      { name: 'request', target: 'prod-db', reason: 'fix replication INC-42' },
    ],
    ['request prod-db 1h30m fix', { name: 'request', target: 'prod-db', duration: '1h30m', reason: 'fix' }],
    ['request prod-db 90s x', { name: 'request', target: 'prod-db', duration: '90s', reason: 'x' }],
    ['request prod-db 1d x', { name: 'request', target: 'prod-db', duration: '1d', reason: 'x' }],
    ['request prod-db 2H x', { name: 'request', target: 'prod-db', duration: '2H', reason: 'x' }],
    ['REQUEST prod-db 2h x', { name: 'request', target: 'prod-db', duration: '2h', reason: 'x' }],
    [
      '  request   prod-db \t 30m   fix   the  thing  ',
      { name: 'request', target: 'prod-db', duration: '30m', reason: 'fix the thing' },
    ],
    [
      'request prod-db 30m 3 replicas down',
      { name: 'request', target: 'prod-db', duration: '30m', reason: '3 replicas down' },
    ],
    ['request prod-db hours of fun', { name: 'request', target: 'prod-db', reason: 'hours of fun' }],
    ['breakglass prod-db db on fire', { name: 'breakglass', target: 'prod-db', reason: 'db on fire' }],
    [
      'breakglass prod-db 1h db on fire',
      { name: 'breakglass', target: 'prod-db', duration: '1h', reason: 'db on fire' },
    ],
    ['Breakglass prod-db 15m x', { name: 'breakglass', target: 'prod-db', duration: '15m', reason: 'x' }],
    [
      'vendor bob@vendor.example prod-db 2h upgrade the firmware',
      {
        name: 'vendor',
        vendorEmail: 'bob@vendor.example',
        target: 'prod-db',
        duration: '2h',
        reason: 'upgrade the firmware',
      },
    ],
    [
      'vendor <mailto:bob@vendor.example|bob@vendor.example> prod-db 2h upgrade',
      { name: 'vendor', vendorEmail: 'bob@vendor.example', target: 'prod-db', duration: '2h', reason: 'upgrade' },
    ],
    [`key ${KEY}`, { name: 'key', key: KEY }],
    [`KEY    ${KEY}   `, { name: 'key', key: KEY }],
    ['extend grant_abc 30m', { name: 'extend', grantId: 'grant_abc', duration: '30m' }],
    ['revoke grant_abc', { name: 'revoke', grantId: 'grant_abc' }],
    ['Revoke   req_abc  ', { name: 'revoke', grantId: 'req_abc' }],
  ])('%j', (text, expected) => {
    expect(parseCommand(text)).toEqual(expected);
  });
});

describe('parseCommand: what a person typed is what the command carries', () => {
  it('turns the entities Slack sends back into the characters typed', () => {
    expect(parseCommand('request prod-db 30m a &lt; b &amp;&amp; c &gt; d')).toEqual({
      name: 'request',
      target: 'prod-db',
      duration: '30m',
      reason: 'a < b && c > d',
    });
  });

  it('keeps a typed entity-looking text as typed (Slack escapes its ampersand)', () => {
    expect(parseCommand('request prod-db x &amp;lt;')).toMatchObject({ reason: 'x &lt;' });
  });

  it('turns what Slack linked back into what was typed', () => {
    expect(parseCommand('request prod-db see <https://wiki.example/x|wiki.example/x> and <@U0BOB|bob>')).toMatchObject({
      reason: 'see wiki.example/x and @bob',
    });
    expect(parseCommand('request prod-db see <https://wiki.example/x>')).toMatchObject({
      reason: 'see https://wiki.example/x',
    });
  });

  it('keeps the whole key line, inner spaces and comment included', () => {
    expect(parseCommand('key ssh-rsa AAAAB3 my  laptop key')).toEqual({
      name: 'key',
      key: 'ssh-rsa AAAAB3 my  laptop key',
    });
  });
});

describe('parseCommand: what was wrong, and the usage line', () => {
  it.each<[string, ErrorCode, string]>([
    [
      'reqest prod-db',
      'bad_command',
      'unknown subcommand "reqest" (try: request, breakglass, vendor, key, list, extend, revoke, targets, help)',
    ],
    [
      'approve req_x',
      'bad_command',
      'unknown subcommand "approve" (try: request, breakglass, vendor, key, list, extend, revoke, targets, help)',
    ],
    ['revoke', 'bad_command', '/jump revoke needs a grant id: /jump revoke <grant-id>'],
    [
      'revoke grant_a grant_b',
      'bad_command',
      '/jump revoke takes only a grant id, but "grant_b" followed: /jump revoke <grant-id>',
    ],
    ['extend', 'bad_command', '/jump extend needs a grant id and a duration: /jump extend <grant-id> <duration>'],
    [
      'extend grant_a',
      'bad_command',
      '/jump extend needs a duration after the grant id: /jump extend <grant-id> <duration>',
    ],
    [
      'extend grant_a 30m more',
      'bad_command',
      '/jump extend takes only a grant id and a duration, but "more" followed: /jump extend <grant-id> <duration>',
    ],
    [
      'extend grant_a soon',
      'invalid_duration',
      '"soon" is not a duration (use 90s, 30m, 2h, 1h30m, 1d): /jump extend <grant-id> <duration>',
    ],
    ['list mine', 'bad_command', '/jump list takes nothing after it, but "mine" followed: /jump list'],
    [
      'targets all of them',
      'bad_command',
      '/jump targets takes nothing after it, but "all of them" followed: /jump targets',
    ],
    [
      'key',
      'bad_command',
      '/jump key needs your SSH public key (the one line of ~/.ssh/id_ed25519.pub): /jump key <ssh-public-key>',
    ],
    [
      'key    ',
      'bad_command',
      '/jump key needs your SSH public key (the one line of ~/.ssh/id_ed25519.pub): /jump key <ssh-public-key>',
    ],
    [
      'breakglass',
      'bad_command',
      '/jump breakglass needs a target and a reason: /jump breakglass <target> [<duration>] <reason…>',
    ],
    [
      'breakglass prod-db',
      'bad_command',
      '/jump breakglass needs a reason (say why it is needed: the review afterwards starts from it): /jump breakglass <target> [<duration>] <reason…>',
    ],
    [
      'breakglass prod-db 30m',
      'bad_command',
      '/jump breakglass needs a reason (say why it is needed: the review afterwards starts from it): /jump breakglass <target> [<duration>] <reason…>',
    ],
    [
      'request 30m prod-db',
      'bad_command',
      '/jump request needs the target first, then the duration ("30m" is a duration): /jump request <target> [<duration>] [<reason…>]',
    ],
    [
      'vendor',
      'bad_command',
      '/jump vendor needs the vendor’s email, a target, a duration and a reason: /jump vendor <vendor-email> <target> <duration> <reason…>',
    ],
    [
      'vendor prod-db 2h fix',
      'bad_command',
      '/jump vendor needs the vendor’s email first, and "prod-db" is not an email address: /jump vendor <vendor-email> <target> <duration> <reason…>',
    ],
    [
      'vendor bob@vendor prod-db 2h fix',
      'bad_command',
      '/jump vendor needs the vendor’s email first, and "bob@vendor" is not an email address: /jump vendor <vendor-email> <target> <duration> <reason…>',
    ],
    [
      'vendor bob@vendor.example',
      'bad_command',
      '/jump vendor needs a target after the vendor’s email: /jump vendor <vendor-email> <target> <duration> <reason…>',
    ],
    [
      'vendor bob@vendor.example prod-db',
      'bad_command',
      '/jump vendor needs a duration after the target: /jump vendor <vendor-email> <target> <duration> <reason…>',
    ],
    [
      'vendor bob@vendor.example prod-db firmware upgrade',
      'bad_command',
      '/jump vendor needs a duration after the target, and "firmware" is not one (use 90s, 30m, 2h, 1h30m, 1d): /jump vendor <vendor-email> <target> <duration> <reason…>',
    ],
    [
      'vendor bob@vendor.example prod-db 2',
      'invalid_duration',
      '"2" is not a duration (use 90s, 30m, 2h, 1h30m, 1d): /jump vendor <vendor-email> <target> <duration> <reason…>',
    ],
    [
      'vendor bob@vendor.example prod-db 2h',
      'bad_command',
      '/jump vendor needs a reason (say why the vendor needs access): /jump vendor <vendor-email> <target> <duration> <reason…>',
    ],
  ])('%j → %s', (text, code, message) => {
    const error = thrown(() => parseCommand(text));
    expect(error.code).toBe(code);
    expect(error.message).toBe(message);
  });
});

describe('parseCommand: a token after the target that starts with a digit must be a duration', () => {
  it.each(['30', '2hours', '1h30', '0m', '30m2h', '5xx', '500'])(
    'refuses %j and says a reason goes after a duration',
    (token) => {
      const error = thrown(() => parseCommand(`request prod-db ${token} errors on checkout`));
      expect(error.code).toBe('invalid_duration');
      expect(error.message).toBe(
        `"${token}" is not a duration (use 90s, 30m, 2h, 1h30m, 1d); a reason goes after the duration: /jump request <target> [<duration>] [<reason…>]`,
      );
      expect(error.details).toMatchObject({ input: token, subcommand: 'request' });
    },
  );

  it('applies the same rule to breakglass', () => {
    const error = thrown(() => parseCommand('breakglass prod-db 15 db down'));
    expect(error.code).toBe('invalid_duration');
    expect(error.message).toContain('/jump breakglass <target> [<duration>] <reason…>');
  });
});

describe('USAGE', () => {
  it('has a usage line for every subcommand, each starting with /jump and its name', () => {
    for (const name of SUBCOMMANDS) expect(USAGE[name].startsWith(`/jump ${name}`)).toBe(true);
  });
});
