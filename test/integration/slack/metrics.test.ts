import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sshKey, startBot } from './bot-harness.js';

/**
 * The SLI series after a real grant and its real revocation (BullMQ's expiry job, the embedded
 * broker), scraped from the bot's /metrics as Prometheus would; Slack's failures are the fake
 * Slack's real `{ok:false,error}` answers.
 */
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
`,
};
const USERS = ['U0ALICE', 'U0LEAD'].map((id) => ({ id, email: `${id.slice(2).toLowerCase()}@example.com` }));
let bot: Awaited<ReturnType<typeof startBot>>;

beforeAll(async () => {
  bot = await startBot({ label: 'metrics', workflows: WORKFLOWS, users: USERS });
  const registered = await bot.command('U0ALICE', `key ${await sshKey(bot.dir, 'alice')}`);
  expect(await registered.reply()).toContain('SHA256:');
});
afterAll(() => bot.stop());

async function scrape(): Promise<string> {
  const res = await fetch(`${bot.base}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of one series, e.g. `jumpgate_requests_total{outcome="expired"}`; undefined when absent. */
function valueOf(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  it('counts the grant, its time to grant, the expiry with its lag, and Slack errors by method', async () => {
    const before = await scrape();
    expect(valueOf(before, 'jumpgate_requests_total{outcome="expired"}')).toBe(0);
    expect(valueOf(before, 'jumpgate_time_to_grant_seconds_count{kind="standard"}')).toBe(0);
    expect(valueOf(before, 'jumpgate_job_failures_total{queue="expire"}')).toBe(0);

    // Every approval-message update fails as Slack answers a removed channel: counted, and the
    // grant and its revocation happen anyway.
    bot.slack.failAlways('chat.update', { error: 'channel_not_found' });
    const asked = await bot.command('U0ALICE', 'request prod-db 3s fix replication');
    const id = /req_[a-z0-9]+/.exec(await asked.reply())?.[0];
    expect(id).toBeDefined();
    await bot.slack.waitFor(
      'chat.postMessage',
      (call) => call.args.channel === 'C0APPROVALS' && JSON.stringify(call.args).includes(id!),
    );
    await bot.click('U0LEAD', 'jump_approve', id!);
    // A 3 s grant: the real expiry job revokes it.
    await vi.waitFor(
      async () => expect(valueOf(await scrape(), 'jumpgate_requests_total{outcome="expired"}')).toBe(1),
      { timeout: 15_000, interval: 250 },
    );
    bot.slack.reset();

    const after = await scrape();
    expect(valueOf(after, 'jumpgate_time_to_grant_seconds_count{kind="standard"}')).toBe(1);
    expect(valueOf(after, 'jumpgate_revocation_lag_seconds_count')).toBe(1);
    expect(valueOf(after, 'jumpgate_requests_total{outcome="denied"}')).toBe(0);
    expect(valueOf(after, 'jumpgate_requests_active')).toBe(0);
    expect(valueOf(after, 'jumpgate_job_failures_total{queue="expire"}')).toBe(0);
    expect(
      valueOf(after, 'jumpgate_slack_api_errors_total{method="chat.update",error="channel_not_found"}'),
    ).toBeGreaterThanOrEqual(1);
    const grantSeconds = valueOf(after, 'jumpgate_time_to_grant_seconds_sum{kind="standard"}');
    const lagSeconds = valueOf(after, 'jumpgate_revocation_lag_seconds_sum');
    process.stdout.write(`time to grant ${grantSeconds} s, revocation lag ${lagSeconds} s\n`);
    // The grant's histogram has the bucket the target is read from.
    expect(after).toMatch(/^jumpgate_time_to_grant_seconds_bucket\{le="0.05",kind="standard"\} [01]$/m);
    expect(after).toMatch(/^jumpgate_revocation_lag_seconds_bucket\{le="0.25"\} [01]$/m);
  }, 40_000);
});
