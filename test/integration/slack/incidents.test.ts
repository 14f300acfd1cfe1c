import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { type FakePagerDuty, startFakePagerDuty } from '../../support/fake-pagerduty.js';
import { sshKey, startBot } from './bot-harness.js';

const WORKFLOWS = {
  production: `
name: production
targets:
  - name: prod-db
    hosts: [db-1.internal]
    principals: [dbadmin]
access:
  channel: C0APPROVALS
  approvers: { users: [U0LEAD] }
  max_duration: 4h
  request_timeout: 30m
  auto_approve:
    pagerduty:
      escalation_policies: [PESC1]
      services: [PSVC1]
      max_duration: 1h
      max_escalation_level: 2
      end_with_incident: true
breakglass:
  allowed: true
  max_duration: 1h
  notify_channel: C0SECURITY
  review_within: 3s
  max_per_day: 2
  one_per_target: false   # these tests take several breakglasses on prod-db in a row
`,
  staging: `
name: staging
targets:
  - name: staging
    hosts: [staging-1.internal]
    principals: [deploy]
access:
  channel: C0STAGING
  approvers: { users: [U0LEAD] }
  max_duration: 2h
`,
};

let pd: FakePagerDuty;
let bot: Awaited<ReturnType<typeof startBot>>;
const redis = new Redis(inject('redisUrl'));

beforeAll(async () => {
  pd = await startFakePagerDuty({ token: 'pd-test-token', pageSize: 1 });
  bot = await startBot({
    label: 'incidents',
    workflows: WORKFLOWS,
    users: [
      { id: 'U0ALICE', email: 'alice@example.com' },
      { id: 'U0LEAD', email: 'lead@example.com' },
      { id: 'U0RANDOM' },
    ],
    env: { PAGERDUTY_TOKEN: 'pd-test-token', PAGERDUTY_API_URL: pd.url, PAGERDUTY_FROM: 'jumpgate@example.com' },
    // PagerDuty's answers are not reused here: each test sets PagerDuty's state anew.
    tuning: { incidentWatchEveryMs: 500, pagerDutyCacheTtlMs: 0 },
  });
  await (await bot.command('U0ALICE', `key ${await sshKey(bot.dir, 'alice')}`)).reply();
});
afterAll(async () => {
  await bot.stop();
  await pd.close();
  await redis.quit();
});
beforeEach(() => {
  pd.reset();
  pd.setUsers([{ id: 'PUALICE', email: 'alice@example.com', name: 'Alice' }]);
  pd.setOnCalls([{ userId: 'PUALICE', escalationPolicyId: 'PESC1', level: 1 }]);
  pd.setIncidents([
    { id: 'PINC42', number: 42, title: 'Replication <lag> & errors', status: 'triggered', serviceId: 'PSVC1' },
  ]);
});

const idIn = (text: string) => /req_[a-z0-9]+/.exec(text)?.[0] ?? '';
/** The types of a request's audit records, read as `npm run audit` reads the trail (sealed first). */
async function auditOf(id: string): Promise<string[]> {
  return (await createRedisStore({ redis, prefix: bot.prefix, now: Date.now }).forRequest(id)).map((r) => r.type);
}
function channelMessages(channel: string, id: string): string[] {
  return bot.slack
    .calls()
    .filter(
      (c) =>
        (c.method === 'chat.postMessage' || c.method === 'chat.update') &&
        c.args.channel === channel &&
        JSON.stringify(c.args).includes(id),
    )
    .map((c) => JSON.stringify(c.args));
}

describe('auto-approval through Slack and PagerDuty', () => {
  it('on call during an active incident: granted without a click, capped, noted on the incident, approvers told why', async () => {
    const reply = await (await bot.command('U0ALICE', 'request prod-db 2h replication is down')).reply();
    const id = idIn(reply);
    expect(reply).toMatch(/auto-approved/i);
    await bot.slack.waitFor(
      'chat.postMessage',
      (c) => c.args.channel === 'U0ALICE' && JSON.stringify(c.args).includes('cert-v01'),
    );
    const posted = channelMessages('C0APPROVALS', id);
    expect(posted[0]).toMatch(/on call for PESC1/);
    expect(posted.join()).not.toContain('jump_approve');
    expect(posted.join()).toContain('Replication &lt;lag&gt; &amp; errors');
    expect(pd.notes('PINC42').some((note) => note.content.includes(id) && note.from === 'jumpgate@example.com')).toBe(
      true,
    );
    expect(await auditOf(id)).toEqual(['requested', 'auto_approved', 'granted']);
    const grant = JSON.parse((await redis.hget(`${bot.prefix}:req:${id}`, 'j'))!) as { durationMs: number };
    expect(grant.durationMs).toBe(3_600_000);
  });

  it('when the incident is resolved, the grant is revoked and the holder told why', async () => {
    const id = idIn(await (await bot.command('U0ALICE', 'request prod-db 30m failover')).reply());
    await bot.slack.waitFor(
      'chat.postMessage',
      (c) =>
        c.args.channel === 'U0ALICE' &&
        JSON.stringify(c.args).includes('cert-v01') &&
        JSON.stringify(c.args).includes(id.replace('req_', 'grant_')),
    );
    pd.resolve('PINC42');
    // The incident watch runs every 500 ms here (30 s in production).
    const grantId = id.replace('req_', 'grant_');
    await bot.slack.waitFor(
      'chat.postMessage',
      (c) =>
        c.args.channel === 'U0ALICE' &&
        JSON.stringify(c.args).includes('incident #42 was resolved') &&
        JSON.stringify(c.args).includes(grantId),
      15_000,
    );
    expect(await auditOf(id)).toContain('revoked');
  }, 30_000);

  it.each([
    ['a 500', { status: 500 }],
    ['a 401', { status: 401 }],
    ['a timeout', { delayMs: 4_000 }],
  ])(
    'PagerDuty answering with %s: normal approval, and the requester is told why',
    async (_, failure) => {
      pd.failAlways('/', failure);
      const reply = await (await bot.command('U0ALICE', 'request prod-db 30m replication is down')).reply();
      const id = idIn(reply);
      expect(reply).toMatch(/PagerDuty could not be asked/i);
      await bot.slack.waitFor(
        'chat.postMessage',
        (c) => c.args.channel === 'C0APPROVALS' && JSON.stringify(c.args).includes(id),
      );
      expect(channelMessages('C0APPROVALS', id)[0]).toContain('jump_approve');
      expect(await auditOf(id)).toEqual(['requested']);
    },
    20_000,
  );

  it('not on call: normal approval with the reason', async () => {
    pd.setOnCalls([]);
    const reply = await (await bot.command('U0ALICE', 'request prod-db 30m replication is down')).reply();
    expect(reply).toContain('you are not on call for PESC1');
  });
});

describe('breakglass through Slack', () => {
  it('confirm, grant, alert, review by an approver only, overdue reminder', async () => {
    pd.setIncidents([]);
    const confirm = await (await bot.command('U0ALICE', 'breakglass prod-db 20m primary down, failing over')).reply();
    expect(confirm).toMatch(/breakglass/i);
    const asked = bot.slack.responses().at(-1)!.body;
    const button = JSON.stringify(asked);
    expect(button).toContain('jump_breakglass_confirm');
    const value =
      /"action_id":"jump_breakglass_confirm"[^}]*"value":"((?:[^"\\]|\\.)*)"/.exec(button)?.[1] ??
      /"value":"((?:[^"\\]|\\.)*)"[^}]*"action_id":"jump_breakglass_confirm"/.exec(button)?.[1];
    expect(value).toBeDefined();

    const granted = await (
      await bot.click('U0ALICE', 'jump_breakglass_confirm', JSON.parse(`"${value!}"`) as string)
    ).reply();
    const id = idIn(granted);
    expect(granted).toMatch(/breakglass granted/i);
    await bot.slack.waitFor(
      'chat.postMessage',
      (c) => c.args.channel === 'C0SECURITY' && JSON.stringify(c.args).includes(id),
    );
    await bot.slack.waitFor(
      'chat.postMessage',
      (c) =>
        c.args.channel === 'U0ALICE' &&
        JSON.stringify(c.args).includes('cert-v01') &&
        JSON.stringify(c.args).includes(id.replace('req_', 'grant_')),
    );
    expect(channelMessages('C0APPROVALS', id)[0]).toContain('jump_review_ok');

    // review_within is 3 s here: the real delayed job finds it overdue and reminds in the thread.
    await bot.slack.waitFor(
      'chat.postMessage',
      (c) =>
        c.args.channel === 'C0APPROVALS' &&
        typeof c.args.thread_ts === 'string' &&
        /overdue/i.test(JSON.stringify(c.args)),
      15_000,
    );
    expect(await (await bot.click('U0ALICE', 'jump_review_ok', id)).reply()).toMatch(/cannot review your own/i);
    expect(await (await bot.click('U0RANDOM', 'jump_review_ok', id)).reply()).toMatch(/not an approver/i);
    expect(await (await bot.click('U0LEAD', 'jump_review_ok', id)).reply()).toMatch(/Recorded/);
    expect(await auditOf(id)).toEqual(
      expect.arrayContaining(['requested', 'breakglass', 'granted', 'escalated', 'review_done']),
    );
  }, 30_000);

  it('is refused with a clear message where the workflow forbids it', async () => {
    const reply = await (await bot.command('U0ALICE', 'breakglass staging 10m urgent')).reply();
    expect(reply.toLowerCase()).toContain('breakglass access is not allowed for staging');
  });

  it('max_per_day: refused once the day’s allowance is used', async () => {
    // The first test used one of the two allowed today.
    const second = await (await bot.command('U0ALICE', 'breakglass prod-db 10m second emergency')).reply();
    const value =
      /"value":"((?:[^"\\]|\\.)*)"[^}]*"action_id":"jump_breakglass_confirm"|"action_id":"jump_breakglass_confirm"[^}]*"value":"((?:[^"\\]|\\.)*)"/.exec(
        JSON.stringify(bot.slack.responses().at(-1)!.body),
      );
    expect(second).toMatch(/breakglass/i);
    await (
      await bot.click('U0ALICE', 'jump_breakglass_confirm', JSON.parse(`"${value![1] ?? value![2]!}"`) as string)
    ).reply();
    const third = await (await bot.command('U0ALICE', 'breakglass prod-db 10m third')).reply();
    expect(third.toLowerCase()).toContain('you have used breakglass 2 times in the last 24 hours');
  }, 20_000);
});
