import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BotProcess, metricValue, startBotProcess } from '../../bench/bot-process.js';
import { type Cleanup, createCleanup } from '../../bench/cleanup.js';
import { type BenchRedis, startBenchRedis } from '../../bench/redis-server.js';
import { ONE_TARGET_WORKFLOW } from '../../support/bot-flow.js';
import { type FakeSlack, type SlackCall, startFakeSlack } from '../../support/fake-slack.js';
import { blockActionPayload, interactionBody, signedRequest, slashCommandBody } from '../../support/slack-signing.js';
import { sshKey } from '../slack/bot-harness.js';

/**
 * A 20 s Slack outage spanning a grant's end, with real processes: the bot (`src/main.ts`) on its
 * own redis-server, with its embedded broker, against a fake Slack that answers every
 * chat.postMessage and chat.update with HTTP 500 for 20 s. The expiry warning, the "ended" DM and
 * the approval message's update to "expired" all fall inside the outage; once Slack answers again
 * each arrives, exactly once, and the outbox empties.
 */
const SIGNING_SECRET = '1f2e3d4c5b6a79888796a5b4c3d2e1f0';
const BOT_TOKEN = 'xoxb-0000-1111-slackoutage';
const REPO = path.resolve(import.meta.dirname, '../../..');
const OUTAGE_MS = 20_000;
const GRANT = '10s';

let dir: string;
let slack: FakeSlack;
let cleanup: Cleanup;
let redis: BenchRedis;
let bot: BotProcess;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-outage-'));
  await mkdir(path.join(dir, 'workflows'));
  await writeFile(path.join(dir, 'workflows', 'production.yml'), ONE_TARGET_WORKFLOW);
  cleanup = createCleanup(() => undefined);
  redis = await startBenchRedis(dir, cleanup);
  slack = await startFakeSlack({ users: [{ id: 'U0ALICE' }, { id: 'U0LEAD' }], token: BOT_TOKEN });
  bot = await startBotProcess(
    {
      repoDir: REPO,
      dataDir: path.join(dir, 'data'),
      workflowsDir: path.join(dir, 'workflows'),
      redisUrl: redis.url,
      prefix: 'jumpgate',
      slackApiUrl: slack.url,
      botToken: BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
      logFile: path.join(dir, 'bot.log'),
    },
    cleanup,
  );
}, 90_000);

afterAll(async () => {
  await cleanup?.run();
  await slack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

let responses = 0;
async function post(body: string): Promise<void> {
  const res = await fetch(`${bot.base}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...signedRequest(SIGNING_SECRET, body) },
    body,
  });
  expect(res.status).toBe(200);
}
async function command(userId: string, text: string): Promise<string> {
  responses += 1;
  const id = `outage-${responses}`;
  await post(slashCommandBody({ text, userId, responseUrl: slack.responseUrl(id) }));
  return JSON.stringify((await slack.waitForResponse(id, undefined, 15_000)).body);
}

const toAlice = (call: SlackCall) => call.args.channel === 'U0ALICE';
const text = (call: SlackCall) => (typeof call.args.text === 'string' ? call.args.text : '');
const taken = () => ({
  expiring: slack.accepted('chat.postMessage').filter((c) => toAlice(c) && / ends /.test(text(c))),
  ended: slack.accepted('chat.postMessage').filter((c) => toAlice(c) && /has ended/.test(text(c))),
  expiredUpdate: slack.accepted('chat.update').filter((c) => /\(expired\)/.test(text(c))),
});

describe('a Slack outage spanning a grant’s end', () => {
  it('delivers the expiry warning, the ended DM and the approval message update once Slack is back, each once', async () => {
    await command('U0ALICE', `key ${await sshKey(dir, 'alice')}`);
    const requestId = /req_[a-z0-9]+/.exec(await command('U0ALICE', `request prod-db ${GRANT}`))![0];
    const approval = await slack.waitFor(
      'chat.postMessage',
      (c) => c.args.channel === 'C0APPROVALS' && JSON.stringify(c.args).includes(requestId),
      15_000,
    );
    expect(approval).toBeDefined();
    responses += 1;
    await post(
      interactionBody(
        blockActionPayload({
          userId: 'U0LEAD',
          actionId: 'jump_approve',
          value: requestId,
          responseUrl: slack.responseUrl(`outage-${responses}`),
        }),
      ),
    );
    await expect
      .poll(
        () => slack.accepted('chat.postMessage').some((c) => toAlice(c) && JSON.stringify(c.args).includes('cert-v01')),
        { timeout: 20_000, interval: 100 },
      )
      .toBe(true);

    // Slack goes down: every post and update answers 500, through the warning and the end.
    const down = Date.now();
    slack.failAlways('chat.postMessage', { status: 500 });
    slack.failAlways('chat.update', { status: 500 });
    let peakDepth = 0;
    let peakAge = 0;
    while (Date.now() - down < OUTAGE_MS) {
      const metrics = await bot.metrics();
      peakDepth = Math.max(peakDepth, metricValue(metrics, 'outbox_depth') ?? 0);
      peakAge = Math.max(peakAge, metricValue(metrics, 'outbox_oldest_age_seconds') ?? 0);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const failedTries = slack.calls('chat.postMessage').length + slack.calls('chat.update').length;
    expect(taken().ended).toEqual([]);
    expect(taken().expiring).toEqual([]);
    slack.failAlways('chat.postMessage', undefined);
    slack.failAlways('chat.update', undefined);
    const back = Date.now();

    await expect
      .poll(() => Object.values(taken()).map((calls) => calls.length), { timeout: 45_000, interval: 200 })
      .toEqual([1, 1, 1]);
    const arrivedMs = Date.now() - back;
    // Nothing more comes: each was sent once (a retry never posts twice).
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(Object.values(taken()).map((calls) => calls.length)).toEqual([1, 1, 1]);
    // In order in Alice's DM: the warning before the end.
    const dms = slack.accepted('chat.postMessage').filter(toAlice).map(text);
    expect(dms.findIndex((t) => / ends /.test(t))).toBeLessThan(dms.findIndex((t) => /has ended/.test(t)));
    const metrics = await bot.metrics();
    expect(metricValue(metrics, 'outbox_depth')).toBe(0);
    expect(metricValue(metrics, 'outbox_oldest_age_seconds')).toBe(0);
    expect(peakDepth).toBeGreaterThanOrEqual(2);
    process.stdout.write(
      `slack outage: ${OUTAGE_MS / 1000} s down, ${failedTries} calls answered 500; outbox peak depth ${peakDepth}, ` +
        `oldest ${peakAge.toFixed(1)} s; all three arrived ${arrivedMs} ms after Slack came back\n`,
    );
  }, 120_000);
});
