import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AuditRecord } from '../../../src/service/ports/audit.js';
import { verifyChain } from '../../../src/store/audit-chain.js';
import { plainTextValue, selectValue, signedRequest } from '../../support/slack-signing.js';
import { readCertificate } from '../broker/harness.js';
import { SIGNING_SECRET, sshKey, startBot } from './bot-harness.js';

const WORKFLOWS = {
  production: `
name: production
targets:
  - name: prod-db
    hosts: [db-1.internal]
    principals: [dbadmin]
access:
  channel: C0APPROVALS
  approvers: { users: [U0LEAD], groups: [S0SRE] }
  default_duration: 30m
  max_duration: 4h
  require_reason: true
  request_timeout: 30m
`,
  vault: `
name: vault
targets:
  - name: vault
    hosts: [vault-1.internal]
    principals: [vaultops]
access:
  channel: C0VAULT
  approvers: { users: [U0LEAD, U0BOB, U0CAROL] }
  approvals_required: 2
  max_duration: 1h
  request_timeout: 2s
`,
};

const USERS = ['U0ALICE', 'U0LEAD', 'U0BOB', 'U0CAROL', 'U0SRE1', 'U0SRE2', 'U0RANDOM'].map((id) => ({
  id,
  email: `${id.slice(2).toLowerCase()}@example.com`,
}));
let bot: Awaited<ReturnType<typeof startBot>>;

beforeAll(async () => {
  bot = await startBot({
    label: 'slack-flow',
    workflows: WORKFLOWS,
    users: USERS,
    groups: { S0SRE: ['U0SRE1', 'U0SRE2'] },
  });
  const key = await sshKey(bot.dir, 'alice');
  const registered = await bot.command('U0ALICE', `key ${key}`);
  expect(await registered.reply()).toContain('SHA256:');
});
afterAll(() => bot.stop());

/** The approval message for a request as the channel shows it now: its post, or its latest chat.update. */
function approvalMessage(id: string): string {
  const versions = bot.slack
    .calls()
    .filter(
      (call) =>
        (call.method === 'chat.postMessage' || call.method === 'chat.update') &&
        String(call.args.channel).startsWith('C') &&
        JSON.stringify(call.args).includes(id),
    );
  const last = versions[versions.length - 1];
  if (!last) throw new Error(`no approval message for ${id}`);
  return JSON.stringify({ text: last.args.text, blocks: last.args.blocks });
}

/** Waits until the approval message of `id` shows `text`. */
async function approvalShows(id: string, text: string): Promise<string> {
  await bot.slack.waitFor(
    'chat.update',
    (call) => JSON.stringify(call.args).includes(id) && JSON.stringify(call.args).includes(text),
    15_000,
  );
  return approvalMessage(id);
}

/** The DMs a person received (chat.postMessage to their user id), as text and blocks. */
function dms(userId: string): string[] {
  return bot.slack
    .calls('chat.postMessage')
    .filter((call) => call.args.channel === userId)
    .map((call) => JSON.stringify({ text: call.args.text, blocks: call.args.blocks }));
}

/** Error replies start with a warning sign and a capital letter; the sentence is what counts. */
function says(reply: string, sentence: string): void {
  expect(reply.toLowerCase()).toContain(sentence.toLowerCase());
}

async function requestId(replyText: string): Promise<string> {
  const match = /req_[a-z0-9]+/.exec(replyText);
  if (!match) throw new Error(`no request id in: ${replyText}`);
  return match[0];
}

async function auditOf(id: string): Promise<AuditRecord[]> {
  const lines = (await readFile(bot.auditFile, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as AuditRecord);
  return lines.filter((record) => record.requestId === id);
}

describe('signature verification', () => {
  it('answers a forged signature and a ten-minute-old timestamp with 401 and does nothing', async () => {
    const before = bot.slack.calls().length;
    const body = new URLSearchParams({
      command: '/jump',
      text: 'request prod-db 30m sneaky',
      user_id: 'U0ALICE',
      response_url: bot.slack.responseUrl('forged'),
    }).toString();
    const forged = await bot.post(body, {
      'x-slack-signature': 'v0=' + 'ab'.repeat(32),
      'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
    });
    expect(forged.status).toBe(401);
    const stale = await bot.signedPost(body, Math.floor(Date.now() / 1000) - 600);
    expect(stale.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 300)); // anything the bot would do happens within ms
    expect(bot.slack.calls().length).toBe(before);
    expect(bot.slack.responses('forged')).toEqual([]);
  });
});

describe('the happy path', () => {
  it('request → approval message → approve → certificate DM → warning → revocation → ended', async () => {
    // A 10-second grant: the warning comes at 80% (8 s) and the revocation at 10 s; these are
    // the real BullMQ delays this test exists to prove, so it waits for them.
    const asked = await bot.command('U0ALICE', 'request prod-db 10s fix replication INC-42');
    expect(asked.status).toBe(200);
    const reply = await asked.reply();
    const id = await requestId(reply);
    expect(reply).toContain('C0APPROVALS');

    const posted = await bot.slack.waitFor(
      'chat.postMessage',
      (call) => call.args.channel === 'C0APPROVALS' && JSON.stringify(call.args).includes(id),
    );
    const message = JSON.stringify(posted.args);
    for (const expected of [
      '<@U0ALICE>',
      'prod-db',
      'db-1.internal',
      'dbadmin',
      '10s',
      'fix replication INC-42',
      '0 of 1',
      'jump_approve',
      'jump_deny',
    ])
      expect(message).toContain(expected);

    const click = await bot.click('U0SRE1', 'jump_approve', id);
    expect(click.status).toBe(200);
    expect(await click.reply()).toContain('You approved');

    const grantDm = await bot.slack.waitFor(
      'chat.postMessage',
      (call) => call.args.channel === 'U0ALICE' && JSON.stringify(call.args).includes('-cert-v01@openssh.com'),
      10_000,
    );
    const certificate = /(ssh-ed25519-cert-v01@openssh\.com \S+)/.exec(
      JSON.stringify(grantDm.args).replace(/\\n/g, '\n'),
    )?.[1];
    expect(certificate).toBeDefined();
    const cert = await readCertificate(certificate!);
    expect(cert.principals).toEqual(['dbadmin']);
    const validTo = new Date(`${cert.validTo}Z`).getTime();
    const validFrom = new Date(`${cert.validFrom}Z`).getTime();
    expect(validTo - validFrom).toBeGreaterThanOrEqual(10_000);
    expect(validTo - validFrom).toBeLessThanOrEqual(72_000); // 10 s window + the broker's 60 s clock-skew backdate (+ rounding)
    expect(await approvalShows(id, 'Active until')).not.toContain('jump_approve');

    await bot.slack.waitFor(
      'chat.postMessage',
      (call) =>
        call.args.channel === 'U0ALICE' &&
        /ends|expir/i.test(JSON.stringify(call.args)) &&
        JSON.stringify(call.args).includes('prod-db') &&
        !JSON.stringify(call.args).includes('cert-v01'),
      15_000,
    );
    await approvalShows(id, 'Ended');
    // The message is updated first, then the DM goes out.
    await bot.slack.waitFor(
      'chat.postMessage',
      (call) =>
        call.args.channel === 'U0ALICE' &&
        /ended/i.test(JSON.stringify(call.args)) &&
        JSON.stringify(call.args).includes(id.replace('req_', 'grant_')),
    );
    expect(dms('U0ALICE').filter((dm) => /ended/i.test(dm) && dm.includes('prod-db')).length).toBeGreaterThanOrEqual(1);
    // The audit file is a copy written just after each seal: read it once it has caught up.
    await vi.waitFor(
      async () =>
        expect((await auditOf(id)).map((r) => r.type)).toEqual([
          'requested',
          'approved',
          'granted',
          'warned',
          'expired',
        ]),
      { timeout: 5_000 },
    );
  }, 40_000);
});

async function newRequest(text = 'request prod-db 30m fix replication INC-42', userId = 'U0ALICE'): Promise<string> {
  const asked = await bot.command(userId, text);
  const id = await requestId(await asked.reply());
  await bot.slack.waitFor(
    'chat.postMessage',
    (call) => String(call.args.channel).startsWith('C') && JSON.stringify(call.args).includes(id),
  );
  return id;
}

describe('refused clicks get an ephemeral reason', () => {
  it('self-approval, a non-approver, the same approver twice, and clicks on decided requests', async () => {
    const id = await newRequest();
    says(await (await bot.click('U0ALICE', 'jump_approve', id)).reply(), 'you cannot approve your own request');
    says(await (await bot.click('U0RANDOM', 'jump_approve', id)).reply(), 'you are not an approver for this request');

    const vault = await newRequest('request vault 30m rotate keys');
    await (await bot.click('U0BOB', 'jump_approve', vault)).reply();
    expect(await approvalShows(vault, '1 of 2')).toContain('<@U0BOB>');
    says(
      await (await bot.click('U0BOB', 'jump_approve', vault)).reply(),
      'you already approved this request; it needs 1 more approval',
    );

    const denied = await newRequest();
    await bot.submitView({
      userId: 'U0LEAD',
      callbackId: 'jump_deny_modal',
      privateMetadata: denied,
      values: { jump_deny_reason: { reason: { type: 'plain_text_input', value: 'use staging' } } },
    });
    await approvalShows(denied, 'use staging');
    says(await (await bot.click('U0SRE1', 'jump_approve', denied)).reply(), 'this request was already denied');
  });

  it('a click on a timed-out request says so', async () => {
    // vault's request_timeout is 2 s: the real delayed job times it out.
    const id = await newRequest('request vault 30m rotate keys');
    await approvalShows(id, 'Timed out');
    says(await (await bot.click('U0LEAD', 'jump_approve', id)).reply(), 'this request has timed out');
    // The audit file is a copy written just after each seal: read it once it has caught up.
    await vi.waitFor(async () => expect((await auditOf(id)).map((r) => r.type)).toEqual(['requested', 'timed_out']), {
      timeout: 5_000,
    });
  });
});

describe('decisions', () => {
  it('two approvers clicking at once grant once, with one granted record', async () => {
    const id = await newRequest();
    const clicks = await Promise.all([
      bot.click('U0SRE1', 'jump_approve', id),
      bot.click('U0SRE2', 'jump_approve', id),
      bot.click('U0LEAD', 'jump_approve', id),
    ]);
    const replies = await Promise.all(clicks.map((click) => click.reply()));
    expect(replies.filter((reply) => reply.startsWith('You approved'))).toHaveLength(1);
    expect(replies.filter((reply) => reply.includes('already approved'))).toHaveLength(2);
    await approvalShows(id, 'Active until');
    // The audit file is a copy written just after each seal: read it once it has caught up.
    await vi.waitFor(
      async () => expect((await auditOf(id)).map((r) => r.type)).toEqual(['requested', 'approved', 'granted']),
      { timeout: 5_000 },
    );
  });

  it('Deny opens a modal for the reason; an empty reason is refused in the modal; the requester is told', async () => {
    const id = await newRequest();
    await bot.click('U0LEAD', 'jump_deny', id);
    const opened = await bot.slack.waitFor('views.open', (call) => JSON.stringify(call.args).includes(id));
    expect(JSON.stringify(opened.args)).toContain('jump_deny_modal');

    const empty = await bot.submitView({
      userId: 'U0LEAD',
      callbackId: 'jump_deny_modal',
      privateMetadata: id,
      values: { jump_deny_reason: { reason: { type: 'plain_text_input', value: '   ' } } },
    });
    expect(await empty.json()).toMatchObject({ response_action: 'errors' });

    await bot.submitView({
      userId: 'U0LEAD',
      callbackId: 'jump_deny_modal',
      privateMetadata: id,
      values: { jump_deny_reason: { reason: { type: 'plain_text_input', value: 'not during the freeze' } } },
    });
    const shown = await approvalShows(id, 'not during the freeze');
    expect(shown).toContain('<@U0LEAD>');
    await bot.slack.waitFor(
      'chat.postMessage',
      (call) => call.args.channel === 'U0ALICE' && JSON.stringify(call.args).includes('not during the freeze'),
    );
  });

  it('/jump revoke ends a grant early and says who did it', async () => {
    const id = await newRequest();
    await (await bot.click('U0SRE1', 'jump_approve', id)).reply();
    await approvalShows(id, 'Active until');
    const grantId = id.replace('req_', 'grant_');
    const revoked = await bot.command('U0ALICE', `revoke ${grantId}`);
    expect(await revoked.reply()).toContain(grantId);
    expect(await approvalShows(id, 'Revoked')).toContain('<@U0ALICE>');
    const refused = await bot.command('U0RANDOM', `revoke ${grantId}`);
    says(await refused.reply(), 'only the holder');
  });
});

describe('bad input is answered with what was wrong and what is allowed', () => {
  it.each([
    ['request prod-dbx 30m fix', 'there is no target "prod-dbx" (you may request: prod-db, vault)'],
    ['request prod-db 8h fix', '8h is longer than the maximum for prod-db (4h)'],
    ['request prod-db 30m', 'a reason is required'],
    ['request prod-db 4hours fix', 'use 90s, 30m, 2h, 1h30m, 1d'],
    ['reqest prod-db', 'unknown subcommand "reqest"'],
    ['key ssh-rsa AAAA', 'accepted: ssh-ed25519'],
  ])('/jump %s', async (text, expected) => {
    const answer = await (await bot.command('U0ALICE', text)).reply();
    says(answer, expected);
    expect(answer).not.toMatch(/at .*\.ts:\d+/); // never a stack trace
  });
});

describe('user text in Block Kit', () => {
  const reasonOf = (message: string) => /\*Reason\*\\n([^"]*)"/.exec(message)?.[1] ?? '';

  it('escapes <!channel>, mentions, & and links typed in the reason', async () => {
    // Slack sends the characters a person typed as entities: "<!channel>" arrives as "&lt;!channel&gt;".
    const id = await newRequest(
      'request prod-db 30m ping &lt;!channel&gt; and &lt;@U0LEAD&gt; &amp; see &lt;http://evil.example|docs&gt;',
    );
    expect(reasonOf(approvalMessage(id))).toBe(
      'ping &lt;!channel&gt; and &lt;@U0LEAD&gt; &amp; see &lt;http://evil.example|docs&gt;',
    );
  });

  it('never turns Slack markup in the reason into a ping or a link', async () => {
    const id = await newRequest(
      'request prod-db 30m ping <!channel> and <@U0LEAD|lead> see <http://evil.example|docs>',
    );
    const reason = reasonOf(approvalMessage(id));
    expect(reason).not.toMatch(/<[!@#]|<http/);
    expect(reason).toContain('channel');
  });
});

describe('Slack failing', () => {
  it('the grant and its revocation still happen when every message fails, and the audit chain verifies', async () => {
    const id = await newRequest('request prod-db 3s fix replication');
    bot.slack.failAlways('chat.postMessage', { status: 500 });
    bot.slack.failAlways('chat.update', { error: 'channel_not_found' });
    try {
      await bot.click('U0SRE1', 'jump_approve', id);
      // 3 s grant: wait for the real revocation job.
      const deadline = Date.now() + 15_000;
      let types: string[] = [];
      while (Date.now() < deadline) {
        types = (await auditOf(id)).map((r) => r.type);
        if (types.includes('expired')) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(types.filter((type) => type !== 'message_failed')).toEqual([
        'requested',
        'approved',
        'granted',
        'warned',
        'expired',
      ]);
      // channel_not_found cannot get better: each update of the approval message gives up at once,
      // on the record; the posts that got 500s wait in the outbox for Slack to come back.
      const failed = (await auditOf(id)).filter((r) => r.type === 'message_failed');
      expect(failed.length).toBeGreaterThanOrEqual(1);
      expect(failed[0]?.detail).toMatchObject({
        kind: 'update',
        error: 'channel_not_found',
        conversation: 'C0APPROVALS',
      });
    } finally {
      bot.slack.reset();
    }
    const all = (await readFile(bot.auditFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AuditRecord);
    expect(verifyChain(all)).toBeUndefined();
  }, 30_000);
});

describe('App Home', () => {
  it('publishes the Home tab with the person’s requests when they open it', async () => {
    const id = await newRequest();
    const body = JSON.stringify({
      token: 'verification-token-unused',
      team_id: 'T0TEAM',
      api_app_id: 'A0JUMPGATE',
      type: 'event_callback',
      event_id: 'Ev0HOME1',
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'app_home_opened',
        user: 'U0ALICE',
        channel: 'D0ALICE',
        tab: 'home',
        event_ts: `${Math.floor(Date.now() / 1000)}.000100`,
      },
    });
    const res = await fetch(`${bot.base}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signedRequest(SIGNING_SECRET, body) },
      body,
    });
    expect(res.status).toBe(200);
    const published = await bot.slack.waitFor(
      'views.publish',
      (call) => call.args.user_id === 'U0ALICE' && JSON.stringify(call.args).includes(id),
    );
    expect(JSON.stringify(published.args)).toContain('jump_open_request_modal');
  });
});

describe('the request form', () => {
  it('opens with the targets the person may request; a bad duration is refused in the form; a good one is requested', async () => {
    await bot.command('U0ALICE', 'request');
    const opened = await bot.slack.waitFor('views.open', (call) =>
      JSON.stringify(call.args).includes('jump_request_modal'),
    );
    const view = JSON.stringify(opened.args.view);
    expect(view).toContain('"value":"prod-db"');
    expect(view).toContain('"value":"vault"');

    const values = (duration: string) => ({
      jump_request_target: { target: selectValue('prod-db') },
      jump_request_duration: { duration: plainTextValue(duration) },
      jump_request_reason: { reason: plainTextValue('rotate credentials') },
      jump_request_ticket: { ticket: plainTextValue(null) },
    });
    const refused = await bot.submitView({
      userId: 'U0ALICE',
      callbackId: 'jump_request_modal',
      values: values('4 hours'),
    });
    expect(await refused.json()).toEqual({
      response_action: 'errors',
      errors: { jump_request_duration: '"4 hours" is not a duration: use 90s, 30m, 2h, 1h30m or 1d.' },
    });

    const accepted = await bot.submitView({
      userId: 'U0ALICE',
      callbackId: 'jump_request_modal',
      values: values('45m'),
    });
    expect(accepted.status).toBe(200);
    const sent = await bot.slack.waitFor(
      'chat.postMessage',
      (call) =>
        call.args.channel === 'U0ALICE' &&
        /req_[a-z0-9]+/.test(String(call.args.text)) &&
        String(call.args.text).includes('(45m)'),
    );
    const id = /req_[a-z0-9]+/.exec(String(sent.args.text))![0];
    await bot.slack.waitFor(
      'chat.postMessage',
      (call) =>
        call.args.channel === 'C0APPROVALS' &&
        JSON.stringify(call.args).includes(id) &&
        JSON.stringify(call.args).includes('rotate credentials'),
    );
  });
});

describe('cancelling', () => {
  it('the requester cancels a pending request from its confirmation; nobody can approve it afterwards', async () => {
    const asked = await bot.command('U0ALICE', 'request prod-db 30m fix replication');
    const id = await requestId(await asked.reply());
    const confirmation = JSON.stringify(bot.slack.responses(asked.responseId)[0]!.body);
    expect(confirmation).toContain('"action_id":"jump_cancel"');

    says(
      await (await bot.click('U0LEAD', 'jump_cancel', id)).reply(),
      'only the person who made this request can cancel it',
    );
    expect(await (await bot.click('U0ALICE', 'jump_cancel', id)).reply()).toBe(
      `Request ${id} for prod-db is cancelled; nothing was granted.`,
    );
    await approvalShows(id, 'Cancelled by the requester');
    says(await (await bot.click('U0SRE1', 'jump_approve', id)).reply(), 'this request was cancelled by its requester');
    // The audit file is a copy written just after each seal: read it once it has caught up.
    await vi.waitFor(async () => expect((await auditOf(id)).map((r) => r.type)).toEqual(['requested', 'cancelled']), {
      timeout: 5_000,
    });
  });
});
