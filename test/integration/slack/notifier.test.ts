import type { KnownBlock } from '@slack/types';
import { LogLevel, type RetryOptions, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Directory } from '../../../src/service/ports/directory.js';
import { createSlackDirectory } from '../../../src/slack/slack-directory.js';
import { createSlackNotifier, type SlackSender } from '../../../src/slack/slack-notifier.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { memoryLogger } from '../../support/service-fakes.js';
import { grant, HOSTILE, MINUTE, requestView, T0, textsOf, unescapedControls } from '../../support/slack-builders.js';

const TOKEN = 'xoxb-0000-1111-notifiertest';

let fake: FakeSlack;
let clock = T0;
const now = () => clock;

function client(retryConfig: RetryOptions = { retries: 0 }): WebClient {
  return new WebClient(TOKEN, { slackApiUrl: fake.url, retryConfig, logLevel: LogLevel.ERROR });
}

beforeAll(async () => {
  fake = await startFakeSlack({
    token: TOKEN,
    users: [
      { id: 'U0ALICE', name: 'alice', realName: 'Alice Liddell', displayName: 'alice.l', email: 'alice@example.com' },
      { id: 'U0BOB', name: 'bob', realName: 'Bob Builder' },
      { id: 'U0GONE', name: 'gone', deleted: true },
      { id: 'U0ROBOT', name: 'robot', isBot: true },
    ],
    groups: { S0SRE: ['U0LEAD', 'U0BOB'] },
  });
});
afterAll(async () => fake.close());
beforeEach(() => {
  fake.reset();
  clock = T0;
});

describe('Slack notifier', () => {
  let notifier: SlackSender;
  beforeEach(() => {
    notifier = createSlackNotifier({ client: client(), now, logger: memoryLogger() });
  });

  it('posts the approval message in the workflow’s channel, with the bot token, and returns where it is', async () => {
    const ref = await notifier.postApprovalMessage(requestView({ id: 'req_abc' }));
    const [call] = fake.calls('chat.postMessage');
    expect(call!.token).toBe(TOKEN);
    expect(call!.args).toMatchObject({ channel: 'C0APPROVALS', unfurl_links: 'false', unfurl_media: 'false' });
    expect(String(call!.args.text)).toMatch(/^Access request from <@U0ALICE> for prod-db \(30m\)/);
    const blocks = call!.args.blocks as KnownBlock[];
    expect(blocks.find((block) => block.type === 'actions')).toMatchObject({
      elements: [
        { action_id: 'jump_approve', value: 'req_abc' },
        { action_id: 'jump_deny', value: 'req_abc' },
      ],
    });
    expect(ref).toEqual({ channel: 'C0APPROVALS', ts: expect.stringMatching(/^\d{10}\.\d{6}$/) as string });
  });

  it('updates the approval message in place from the request’s state', async () => {
    const ref = await notifier.postApprovalMessage(requestView({ id: 'req_abc' }));
    clock = T0 + 5 * MINUTE;
    await notifier.updateApprovalMessage(ref, requestView({ id: 'req_abc', status: 'active', grant: grant() }));
    const [update] = fake.calls('chat.update');
    expect(update!.args).toMatchObject({ channel: ref.channel, ts: ref.ts });
    const blocks = update!.args.blocks as KnownBlock[];
    expect(blocks.some((block) => block.type === 'actions')).toBe(false);
    expect(textsOf(blocks)).toContain(
      ':large_green_circle: Active until <!date^1800001860^{date_short_pretty} {time}|2027-01-15 08:31 UTC>',
    );
    expect(fake.message(ref.channel, ref.ts)).toMatchObject({ blocks });
  });

  it('sends a DM by posting to the user’s ID', async () => {
    clock = T0 + 26 * MINUTE;
    await notifier.tell('U0ALICE', { type: 'expiring', view: requestView({ status: 'active', grant: grant() }) });
    const [dm] = fake.calls('chat.postMessage');
    expect(dm!.args).toMatchObject({
      channel: 'U0ALICE',
      text: 'Your access to prod-db ends in 5 minutes',
      unfurl_links: 'false',
    });
  });

  it('posts a reminder in the approval message’s thread', async () => {
    const ref = await notifier.postApprovalMessage(requestView({ id: 'req_abc' }));
    await notifier.remind(ref, requestView({ id: 'req_abc' }, { access: { escalateAfter: 10 * MINUTE } }));
    const reminder = fake.calls('chat.postMessage')[1]!;
    expect(reminder.args).toMatchObject({
      channel: ref.channel,
      thread_ts: ref.ts,
      text: 'Reminder: request req_abc for prod-db is waiting for approval',
    });
  });

  it('announces a breakglass loudly in the workflow’s security channel, escaped', async () => {
    const view = requestView(
      {
        id: 'req_abc',
        kind: 'breakglass',
        status: 'approved',
        durationMs: 60 * MINUTE,
        reason: HOSTILE,
        grant: grant(),
        review: { dueAt: T0 + 24 * 60 * MINUTE },
      },
      { breakglass: { notifyChannel: 'C0SECOPS' } },
    );
    await notifier.announceBreakglass(view);
    const [call] = fake.calls('chat.postMessage');
    expect(call!.args).toMatchObject({
      channel: 'C0SECOPS',
      text: '<!here> Breakglass: <@U0ALICE> took access to prod-db for 1h',
      unfurl_links: 'false',
      unfurl_media: 'false',
    });
    const texts = textsOf(call!.args.blocks as KnownBlock[]);
    expect(texts[0]).toMatch(
      /^<!here> :rotating_light: Breakglass: <@U0ALICE> took access to \*prod-db\* \(dbadmin on db-1\.internal, db-2\.internal\) for 1h at /,
    );
    expect(texts).toContain(
      'Review due by <!date^1800086400^{date_short_pretty} {time}|2027-01-16 08:00 UTC> in <#C0APPROVALS>.',
    );
    expect(unescapedControls(JSON.stringify(call!.args))).toEqual([]);
  });

  it('refuses to announce a breakglass under a workflow with no breakglass section, without calling Slack', async () => {
    const view = requestView({ id: 'req_abc', kind: 'breakglass', status: 'approved' }, { breakglass: null });
    await expect(notifier.announceBreakglass(view)).rejects.toThrow(
      'workflow production has no breakglass section, so no security channel to alert about req_abc',
    );
    expect(fake.calls()).toHaveLength(0);
  });

  it('throws when Slack refuses the breakglass alert', async () => {
    fake.failNext('chat.postMessage', { error: 'not_in_channel' });
    await expect(
      notifier.announceBreakglass(requestView({ kind: 'breakglass', status: 'approved', grant: grant() })),
    ).rejects.toThrow(/not_in_channel/);
  });

  it('posts an overdue review reminder in the breakglass message’s thread', async () => {
    const view = requestView({
      id: 'req_abc',
      kind: 'breakglass',
      status: 'expired',
      grant: grant(),
      review: { dueAt: T0 + 60 * MINUTE },
    });
    const ref = await notifier.postApprovalMessage(view);
    clock = T0 + 2 * 60 * MINUTE;
    await notifier.remind(ref, view);
    const reminder = fake.calls('chat.postMessage')[1]!;
    expect(reminder.args).toMatchObject({
      channel: ref.channel,
      thread_ts: ref.ts,
      text: 'Review overdue: breakglass req_abc on prod-db needs its post-hoc review',
    });
    expect(textsOf(reminder.args.blocks as KnownBlock[])[0]).toBe(
      ':warning: Review overdue: <@U0LEAD>, <!subteam^S0SRE> please review this breakglass (due <!date^1800003600^{date_short_pretty} {time}|2027-01-15 09:00 UTC>).',
    );
  });

  it('posts alerts escaped, in the channel named', async () => {
    await notifier.alert({ channel: 'C0SECURITY', text: `revocation failed ${HOSTILE}`, requestId: 'req_abc' });
    const [call] = fake.calls('chat.postMessage');
    expect(call!.args.channel).toBe('C0SECURITY');
    expect(unescapedControls(JSON.stringify(call!.args))).toEqual([]);
  });

  it('throws when Slack answers ok:false, with Slack’s error', async () => {
    fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    await expect(notifier.postApprovalMessage(requestView())).rejects.toMatchObject({
      data: { ok: false, error: 'channel_not_found' },
    });
    fake.failNext('chat.postMessage', { error: 'not_in_channel' });
    await expect(notifier.alert({ channel: 'C0X', text: 'x' })).rejects.toThrow(/not_in_channel/);
  });

  it('throws when updating a message Slack does not know', async () => {
    await expect(
      notifier.updateApprovalMessage({ channel: 'C0APPROVALS', ts: '1.000001' }, requestView()),
    ).rejects.toThrow(/message_not_found/);
  });

  it('throws on an HTTP 500 without retrying when retries are off', async () => {
    fake.failNext('chat.postMessage', { status: 500 });
    await expect(
      notifier.tell('U0ALICE', { type: 'closed', view: requestView({ status: 'timed_out' }) }),
    ).rejects.toMatchObject({ statusCode: 500 });
    expect(fake.calls('chat.postMessage')).toHaveLength(1);
  });

  it('retries a 500 exactly as often as the client is configured to, then throws', async () => {
    const bounded = createSlackNotifier({
      client: client({ retries: 2, minTimeout: 5, maxTimeout: 5, factor: 1 }),
      now,
      logger: memoryLogger(),
    });
    fake.failAlways('chat.postMessage', { status: 500 });
    await expect(bounded.alert({ channel: 'C0X', text: 'x' })).rejects.toMatchObject({ statusCode: 500 });
    expect(fake.calls('chat.postMessage')).toHaveLength(3);
  });

  it('delivers after a transient 500 when the client may retry', async () => {
    const bounded = createSlackNotifier({
      client: client({ retries: 1, minTimeout: 5, maxTimeout: 5, factor: 1 }),
      now,
      logger: memoryLogger(),
    });
    fake.failNext('chat.postMessage', { status: 500 });
    await expect(bounded.postApprovalMessage(requestView())).resolves.toMatchObject({ channel: 'C0APPROVALS' });
    expect(fake.calls('chat.postMessage')).toHaveLength(2);
  });

  it('never retries an ok:false answer: it is Slack’s decision, not an outage', async () => {
    const bounded = createSlackNotifier({
      client: client({ retries: 3, minTimeout: 5, maxTimeout: 5, factor: 1 }),
      now,
      logger: memoryLogger(),
    });
    fake.failAlways('chat.postMessage', { error: 'channel_not_found' });
    await expect(bounded.alert({ channel: 'C0X', text: 'x' })).rejects.toThrow(/channel_not_found/);
    expect(fake.calls('chat.postMessage')).toHaveLength(1);
  });
});

describe('Slack directory', () => {
  let directory: Directory;
  beforeEach(() => {
    directory = createSlackDirectory({ client: client(), ttlMs: 60_000, now });
  });

  it('lists a user group’s members', async () => {
    expect(await directory.membersOf('S0SRE')).toEqual(['U0LEAD', 'U0BOB']);
    expect(fake.calls('usergroups.users.list')[0]!.args).toMatchObject({ usergroup: 'S0SRE' });
  });

  it('caches members for the ttl, then asks Slack again', async () => {
    fake.setGroup('S0TTL', ['U0LEAD', 'U0BOB']);
    await directory.membersOf('S0TTL');
    clock += 59_999;
    await directory.membersOf('S0TTL');
    expect(fake.calls('usergroups.users.list')).toHaveLength(1);
    fake.setGroup('S0TTL', ['U0LEAD']);
    clock += 1;
    expect(await directory.membersOf('S0TTL')).toEqual(['U0LEAD']);
    expect(fake.calls('usergroups.users.list')).toHaveLength(2);
  });

  it('shares one Slack call between concurrent lookups', async () => {
    const [a, b] = await Promise.all([directory.membersOf('S0SRE'), directory.membersOf('S0SRE')]);
    expect(a).toEqual(b);
    expect(fake.calls('usergroups.users.list')).toHaveLength(1);
  });

  it('throws when the group cannot be read, and does not cache the failure', async () => {
    fake.failNext('usergroups.users.list', { status: 500 });
    await expect(directory.membersOf('S0SRE')).rejects.toMatchObject({ statusCode: 500 });
    await expect(directory.membersOf('S0NOSUCH')).rejects.toThrow(/no_such_subteam/);
    expect(await directory.membersOf('S0SRE')).toEqual(['U0LEAD', 'U0BOB']);
  });

  it('reads a user: display name first, then real name, with email, deleted and bot flags', async () => {
    expect(await directory.user('U0ALICE')).toEqual({
      id: 'U0ALICE',
      name: 'alice.l',
      email: 'alice@example.com',
      deleted: false,
      isBot: false,
    });
    expect(await directory.user('U0BOB')).toEqual({ id: 'U0BOB', name: 'Bob Builder', deleted: false, isBot: false });
    expect(await directory.user('U0GONE')).toMatchObject({ deleted: true, isBot: false });
    expect(await directory.user('U0ROBOT')).toMatchObject({ deleted: false, isBot: true });
  });

  it('answers undefined for a user Slack does not know, and caches users', async () => {
    expect(await directory.user('U0NOBODY')).toBeUndefined();
    await directory.user('U0ALICE');
    await directory.user('U0ALICE');
    expect(fake.calls('users.info').map((call) => call.args.user)).toEqual(['U0NOBODY', 'U0ALICE']);
  });

  it('throws on any other failure to read a user', async () => {
    fake.failNext('users.info', { error: 'ratelimited' });
    await expect(directory.user('U0ALICE')).rejects.toThrow(/ratelimited/);
    await expect(directory.user('U0ALICE')).resolves.toMatchObject({ id: 'U0ALICE' });
  });
});

describe('fake Slack', () => {
  it('refuses a wrong token and unknown methods as Slack does', async () => {
    await expect(
      new WebClient('xoxb-wrong', {
        slackApiUrl: fake.url,
        retryConfig: { retries: 0 },
        logLevel: LogLevel.ERROR,
      }).auth.test(),
    ).rejects.toThrow(/invalid_auth/);
    await expect(client().apiCall('no.such.method')).rejects.toThrow(/unknown_method/);
  });

  it('answers auth.test, conversations.open, chat.postEphemeral and views.open with Slack’s shapes', async () => {
    const web = client();
    expect(await web.auth.test()).toMatchObject({
      ok: true,
      user_id: 'U0JUMPGATE',
      team_id: 'T0TEAM',
      bot_id: 'B0JUMPGATE',
    });
    expect(await web.conversations.open({ users: 'U0ALICE' })).toMatchObject({ ok: true, channel: { id: 'D0ALICE' } });
    expect(await web.chat.postEphemeral({ channel: 'C0X', user: 'U0ALICE', text: 'hi' })).toMatchObject({
      ok: true,
      message_ts: expect.any(String) as string,
    });
    const opened = await web.views.open({
      trigger_id: 't',
      view: {
        type: 'modal',
        callback_id: 'cb',
        private_metadata: 'm',
        title: { type: 'plain_text', text: 'T' },
        blocks: [],
      },
    });
    expect(opened.view).toMatchObject({
      id: expect.stringMatching(/^V/) as string,
      callback_id: 'cb',
      private_metadata: 'm',
    });
    expect(fake.calls('views.open')[0]!.args.view).toMatchObject({ type: 'modal', callback_id: 'cb' });
  });

  it('gives every posted message a unique, increasing ts', async () => {
    const web = client();
    const a = await web.chat.postMessage({ channel: 'C0X', text: 'a' });
    const b = await web.chat.postMessage({ channel: 'C0X', text: 'b' });
    expect(Number(b.ts)).toBeGreaterThan(Number(a.ts));
  });

  it('records JSON posted to a response URL, and waits for it', async () => {
    const url = fake.responseUrl('cmd-1');
    setTimeout(
      () =>
        void fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: 'hello', response_type: 'ephemeral' }),
        }),
      20,
    );
    const post = await fake.waitForResponse('cmd-1');
    expect(post.body).toEqual({ text: 'hello', response_type: 'ephemeral' });
    expect(fake.responses('cmd-1')).toHaveLength(1);
  });

  it('waitFor fails with what was seen when nothing matches in time', async () => {
    await expect(fake.waitFor('chat.update', () => true, 50)).rejects.toThrow(
      'fake Slack: no a chat.update call (calls so far: none) within 50 ms',
    );
  });
});
