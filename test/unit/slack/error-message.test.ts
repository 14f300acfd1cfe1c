import { describe, expect, it } from 'vitest';
import { JumpgateError } from '../../../src/domain/errors.js';
import { errorReply } from '../../../src/slack/error-message.js';
import { parseCommand } from '../../../src/slack/parse-command.js';
import { unescapedControls } from '../../support/slack-builders.js';

function replyTo(action: () => unknown) {
  try {
    action();
  } catch (error) {
    return errorReply(error);
  }
  throw new Error('expected the action to throw');
}

describe('errorReply', () => {
  it('shows a JumpgateError’s message, capitalised, escaped, with no reference', () => {
    expect(
      errorReply(
        new JumpgateError('reason_required', 'a reason is required for access to prod-db; say why it is needed'),
      ),
    ).toEqual({
      text: ':warning: A reason is required for access to prod-db; say why it is needed',
    });
  });

  it('keeps an id at the start of a message as typed', () => {
    expect(
      errorReply(new JumpgateError('request_decided', 'grant_abc is not active (it is expired); nothing to revoke'))
        .text,
    ).toBe(':warning: grant_abc is not active (it is expired); nothing to revoke');
  });

  it('escapes what the person typed, so a parse error cannot ping anyone', () => {
    const reply = replyTo(() => parseCommand('&lt;!channel&gt; now'));
    expect(reply.text).toBe(
      ':warning: Unknown subcommand "&lt;!channel&gt;" (try: request, breakglass, vendor, key, list, extend, revoke, targets, help)',
    );
    expect(unescapedControls(reply.text)).toEqual([]);
  });

  it('shows the usage line of a bad command, escaped', () => {
    expect(replyTo(() => parseCommand('revoke')).text).toBe(
      ':warning: /jump revoke needs a grant id: /jump revoke &lt;grant-id&gt;',
    );
  });

  it('lists the approvers as mentions when the clicker is not one', () => {
    const error = new JumpgateError('not_an_approver', 'you are not an approver for this request', {
      details: { approvers: { users: ['U0LEAD', 'not-an-id<!channel>'], groups: ['S0SRE'] } },
    });
    expect(errorReply(error).text).toBe(
      ':warning: You are not an approver for this request\nApprovers of this request: <@U0LEAD>, not-an-id&lt;!channel&gt;, <!subteam^S0SRE>',
    );
  });

  it('shows no approver line when the details carry none', () => {
    expect(errorReply(new JumpgateError('not_an_approver', 'you are not an approver for this request')).text).toBe(
      ':warning: You are not an approver for this request',
    );
  });

  it('says to retry later when the broker is unavailable', () => {
    expect(errorReply(new JumpgateError('broker_unavailable', 'the broker did not answer')).text).toBe(
      ':warning: The broker did not answer\nNothing was changed. Try again in a minute; if it keeps failing, tell the people who run Jumpgate.',
    );
  });

  it('names no internal address or path when a broker message carries one (a record from an older version)', () => {
    const old = new JumpgateError(
      'broker_unavailable',
      'the broker at http://10.0.0.7:8600/jg did not answer POST /v1/grants after 4 attempts (connect ECONNREFUSED 10.0.0.7:8600)',
    );
    const text = errorReply(old).text;
    expect(text).not.toMatch(/10\.0\.0\.7|http:|\/v1\/grants/);
    expect(text).toContain('did not answer');
    const rejected = errorReply(
      new JumpgateError('broker_rejected', 'ssh-keygen failed: /var/lib/jumpgate/ca/ca_key: Permission denied'),
    ).text;
    expect(rejected).toBe(':warning: ssh-keygen failed: a file on the server: Permission denied');
  });

  it('shows anything else only as a reference into the log, never its message or stack', () => {
    const secret = new Error('connect ECONNREFUSED 10.0.0.7:6379 token=xoxb-secret');
    const reply = errorReply(secret);
    expect(reply.reference).toMatch(/^[0-9a-f]{8}$/);
    expect(reply.text).toBe(
      `:boom: Something went wrong on our side (reference ${reply.reference}); the details are in the bot's log.`,
    );
    expect(reply.text).not.toContain('ECONNREFUSED');
    expect(reply.text).not.toContain('at ');
    expect(errorReply('a thrown string').reference).toMatch(/^[0-9a-f]{8}$/);
  });

  it('gives each unexpected error its own reference', () => {
    expect(errorReply(new Error('x')).reference).not.toBe(errorReply(new Error('x')).reference);
  });

  it('keeps a very long message within one section', () => {
    expect(errorReply(new JumpgateError('bad_command', 'x'.repeat(10_000))).text.length).toBeLessThan(3_000);
  });
});

describe('errorReply: a retired target', () => {
  it('says when it was retired (the target name as written) and links the channel to ask in', () => {
    const reply = errorReply(
      new JumpgateError('target_retired', 'prod-db was retired on 2026-12-01 09:30 UTC: it takes no new requests', {
        details: { target: 'prod-db', channel: 'C0APPROVALS' },
      }),
    );
    expect(reply.text).toBe(
      ':warning: prod-db was retired on 2026-12-01 09:30 UTC: it takes no new requests\nAsk in <#C0APPROVALS> what replaces it.',
    );
  });
});
