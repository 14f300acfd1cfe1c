import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTAGE_NOTICE } from '../../src/slack/outage-notice.js';
import { type LocalRedis, startLocalRedis } from '../../src/store/local-redis.js';
import { type BotProcess, startBotProcess } from '../bench/bot-process.js';
import { type Cleanup, createCleanup } from '../bench/cleanup.js';
import { sshKey } from '../integration/slack/bot-harness.js';
import { ONE_TARGET_WORKFLOW } from '../support/bot-flow.js';
import { type FakeSlack, type ResponseUrlPost, startFakeSlack } from '../support/fake-slack.js';
import { blockActionPayload, interactionBody, signedRequest, slashCommandBody } from '../support/slack-signing.js';

/**
 * A Redis outage as it happens: the bot (`node --import tsx src/main.ts`) on its own
 * redis-server (a free loopback port, its own folder, an append-only file), which the test stops
 * and starts again on the same port while a click and a command wait for it. Figures go to the
 * log; the bounds are generous (the machine is shared), the targets are in the README.
 */
const SIGNING_SECRET = '5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d';
const BOT_TOKEN = 'xoxb-0000-1111-redisoutage';
/** Figures go to the test's output, not into tight asserts (the machine is shared). */
const logFigure = (line: string) => void process.stdout.write(`${line}\n`);
const REPO = path.resolve(import.meta.dirname, '../..');
/** As long as the outage that was reported: long enough for ioredis's and BullMQ's back-off to grow. */
const OUTAGE_MS = 10_000;

let dir: string;
let slack: FakeSlack;
let cleanup: Cleanup;
let redis: LocalRedis;
let redisPort: number;
/** When each response_url post arrived (epoch ms), by id. */
const arrivals: { id: string; at: number; text: string; json: string }[] = [];
const prefix = `t-outage-${randomBytes(4).toString('hex')}`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-outage-'));
  await mkdir(path.join(dir, 'workflows'));
  await writeFile(path.join(dir, 'workflows', 'production.yml'), ONE_TARGET_WORKFLOW);
  slack = await startFakeSlack({
    users: [{ id: 'U0ALICE' }, { id: 'U0LEAD' }],
    token: BOT_TOKEN,
    onResponse: (post: ResponseUrlPost, at: number) =>
      arrivals.push({
        id: post.id,
        at,
        text: typeof post.body.text === 'string' ? post.body.text : '',
        json: JSON.stringify(post.body),
      }),
  });
  cleanup = createCleanup(() => undefined);
  redis = await startRedis();
  redisPort = redis.port;
}, 60_000);

afterAll(async () => {
  await cleanup?.run();
  await redis?.stop();
  await slack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The test's own redis-server: Jumpgate's settings, an AOF in its folder, the same port each time. */
function startRedis(port?: number): Promise<LocalRedis> {
  return startLocalRedis({ dir: path.join(dir, 'redis'), persist: true, ...(port ? { port } : {}) });
}

function startBot(name = 'bot', redisUrl = redis.url): Promise<BotProcess> {
  return startBotProcess(
    {
      repoDir: REPO,
      dataDir: path.join(dir, `data-${name}`),
      workflowsDir: path.join(dir, 'workflows'),
      redisUrl,
      prefix,
      slackApiUrl: slack.url,
      botToken: BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
      logFile: path.join(dir, `${name}.log`),
    },
    cleanup,
  );
}

/** Posts a signed request to /slack/events; answers the HTTP status and how long the ack took. */
async function post(bot: BotProcess, body: string): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${bot.base}/slack/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...signedRequest(SIGNING_SECRET, body) },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  await res.text();
  return { status: res.status, ms: Date.now() - started };
}

function command(bot: BotProcess, userId: string, text: string, id: string) {
  return post(bot, slashCommandBody({ text, userId, responseUrl: slack.responseUrl(id) }));
}

function click(bot: BotProcess, userId: string, actionId: string, value: string, id: string) {
  return post(
    bot,
    interactionBody(blockActionPayload({ userId, actionId, value, responseUrl: slack.responseUrl(id) })),
  );
}

/** Polls /readyz until it answers `status`; answers when (epoch ms), or undefined after `timeoutMs`. */
async function readyzTurns(bot: BotProcess, status: number, timeoutMs: number): Promise<number | undefined> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    const got = await fetch(`${bot.base}/readyz`, { signal: AbortSignal.timeout(3_000) }).then(
      (res) => res.status,
      () => 0,
    );
    if (got === status) return Date.now();
    // 50 ms: fine enough for a figure in the hundreds of ms, light enough for a shared machine.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

/** The first post to `id` matching `test`, waited for up to `timeoutMs`; undefined when none came. */
async function arrival(id: string, test: (text: string) => boolean, timeoutMs: number) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    const found = arrivals.find((a) => a.id === id && test(a.text));
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

describe('a Redis outage', () => {
  it('commands and clicks made during it are acknowledged, told once, and answered soon after Redis returns', async () => {
    const bot = await startBot();
    expect((await command(bot, 'U0ALICE', `key ${await sshKey(dir, 'alice')}`, 'key')).status).toBe(200);
    await arrival('key', (text) => text.length > 0, 15_000);
    expect((await command(bot, 'U0ALICE', 'request prod-db 30m', 'request')).status).toBe(200);
    const sent = await arrival('request', (text) => /req_[a-z0-9]+/.test(text), 15_000);
    const requestId = /req_[a-z0-9]+/.exec(sent?.text ?? '')?.[0] ?? '';
    expect(requestId).not.toBe('');

    const downAt = Date.now();
    await redis.stop();
    const notReadyAt = await readyzTurns(bot, 503, 5_000);
    const clickAck = await click(bot, 'U0LEAD', 'jump_approve', requestId, 'approve');
    const commandAck = await command(bot, 'U0ALICE', 'list', 'list');
    const clickedAt = Date.now();
    const notice = (text: string) => text === OUTAGE_NOTICE;
    const clickNotice = await arrival('approve', notice, 8_000);
    const listNotice = await arrival('list', notice, 8_000);

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, downAt + OUTAGE_MS - Date.now())));
    redis = await startRedis(redisPort);
    const upAt = Date.now();
    const readyAt = await readyzTurns(bot, 200, 10_000);
    const approved = await arrival('approve', (text) => text.startsWith('You approved'), 15_000);
    const listed = await arrival('list', (text) => !notice(text), 15_000);
    const dm = await slack
      .waitFor(
        'chat.postMessage',
        (call) => call.args.channel === 'U0ALICE' && JSON.stringify(call.args).includes('cert-v01'),
        20_000,
      )
      .catch(() => undefined);
    const dmAt = Date.now();

    const figures = {
      readyzDownMs: notReadyAt === undefined ? 'never' : notReadyAt - downAt,
      clickAckMs: clickAck.ms,
      commandAckMs: commandAck.ms,
      clickNoticeMs: clickNotice ? clickNotice.at - clickedAt : 'none',
      commandNoticeMs: listNotice ? listNotice.at - clickedAt : 'none',
      readyzUpMs: readyAt === undefined ? 'never' : readyAt - upAt,
      clickAnsweredAfterReturnMs: approved ? approved.at - upAt : 'never',
      commandAnsweredAfterReturnMs: listed ? listed.at - upAt : 'never',
      certificateDmAfterReturnMs: dm ? dmAt - upAt : 'missing',
    };
    logFigure(`redis outage of ${OUTAGE_MS} ms: ${JSON.stringify(figures)}`);

    expect(clickAck.status).toBe(200);
    expect(commandAck.status).toBe(200);
    // Slack's window is 3 s; the ack depends on nothing but the bot.
    expect(clickAck.ms).toBeLessThan(3_000);
    expect(commandAck.ms).toBeLessThan(3_000);
    // Targets: within 1 s both ways; bounds: 3 s (a shared, busy machine).
    expect(notReadyAt).toBeDefined();
    expect(notReadyAt! - downAt).toBeLessThan(3_000);
    expect(readyAt).toBeDefined();
    expect(readyAt! - upAt).toBeLessThan(3_000);
    // One notice each, whatever the outage's length, then the real answer: target 2 s, bound 6 s.
    expect(clickNotice).toBeDefined();
    expect(listNotice).toBeDefined();
    expect(arrivals.filter((a) => a.id === 'approve' && notice(a.text))).toHaveLength(1);
    expect(arrivals.filter((a) => a.id === 'list' && notice(a.text))).toHaveLength(1);
    expect(approved).toBeDefined();
    expect(approved!.at - upAt).toBeLessThan(6_000);
    expect(listed).toBeDefined();
    expect(listed!.at - upAt).toBeLessThan(6_000);
    expect(listed!.json).toContain(requestId.slice('req_'.length));
    // Nothing acknowledged was dropped: the approval went through and the grant was issued.
    expect(dm).toBeDefined();
  }, 90_000);
});

describe('start-up and shutdown', () => {
  it('a SIGTERM during an outage still answers the command in flight once Redis is back, then exits 0', async () => {
    const bot = await startBot('stopping');
    await redis.stop();
    await readyzTurns(bot, 503, 5_000);
    expect((await command(bot, 'U0ALICE', 'list', 'stopping-list')).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => bot.child.once('exit', (code) => resolve(code)));
    const termAt = Date.now();
    bot.child.kill('SIGTERM');
    // New work is refused once the signal is handled: Slack retries an event on another replica.
    // The commands that came before are acknowledged (200) and must be answered like the first.
    let refused = 0;
    let taken = 0;
    for (const deadline = Date.now() + 2_000; refused !== 503 && Date.now() < deadline; ) {
      refused = (await command(bot, 'U0ALICE', 'list', `before-stop-${taken}`)).status;
      if (refused === 200) taken += 1;
    }
    // Redis comes back within the stop's 10 s: the command is carried out, then the bot exits.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    redis = await startRedis(redisPort);
    const upAt = Date.now();
    const code = await exited;
    const answered = await arrival('stopping-list', (text) => text !== OUTAGE_NOTICE, 1_000);
    const takenAnswered = arrivals.filter((a) => a.id.startsWith('before-stop-') && a.text !== OUTAGE_NOTICE).length;
    logFigure(
      `SIGTERM during an outage: /slack/events ${refused} (${taken} taken before the signal was handled, ${takenAnswered} of them answered), the command answered ${answered ? answered.at - upAt : 'never'} ms after Redis returned, exit ${String(code)} ${Date.now() - termAt} ms after the SIGTERM`,
    );
    expect(refused).toBe(503);
    expect(answered).toBeDefined();
    expect(code).toBe(0);
    expect(Date.now() - termAt).toBeLessThan(14_000);
    expect(takenAnswered).toBe(taken);
  }, 90_000);

  it('refuses a Redis that evicts keys, warns about one that keeps nothing on disk, and stops on SIGTERM with 0', async () => {
    // A second server, as the test run's own: no AOF, no RDB save points.
    const volatile = await startLocalRedis({ dir: path.join(dir, 'volatile'), persist: false });
    const client = new Redis(volatile.url);
    try {
      await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
      const refused = await startBot('evicting', volatile.url).then(
        () => 'started',
        (error: unknown) => String(error),
      );
      const refusedLog = await readFile(path.join(dir, 'evicting.log'), 'utf8');
      logFigure(`start-up on allkeys-lru: ${refusedLog.trim().split('\n').at(-1) ?? ''}`);
      expect(refused).not.toBe('started');
      expect(refusedLog).toContain(
        `jumpgate: Redis at ${volatile.url} (REDIS_URL) evicts keys (maxmemory-policy allkeys-lru): set maxmemory-policy noeviction (redis-cli CONFIG SET maxmemory-policy noeviction, and in redis.conf)`,
      );

      await client.config('SET', 'maxmemory-policy', 'noeviction');
      const bot = await startBot('volatile', volatile.url);
      const warned = (await readFile(path.join(dir, 'volatile.log'), 'utf8'))
        .split('\n')
        .filter((line) => line.includes('Redis keeps no data on disk'));
      expect(warned).toHaveLength(1);

      const exited = new Promise<number | null>((resolve) => bot.child.once('exit', (code) => resolve(code)));
      const termAt = Date.now();
      bot.child.kill('SIGTERM');
      const code = await exited;
      logFigure(`SIGTERM of an idle bot: exit ${String(code)} after ${Date.now() - termAt} ms`);
      expect(code).toBe(0);
    } finally {
      await client.quit();
      await volatile.stop();
    }
  }, 90_000);
});
