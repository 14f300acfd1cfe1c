import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyChain } from '../../../src/store/audit-chain.js';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { type BotProcess, startBotProcess } from '../../bench/bot-process.js';
import { type Cleanup, createCleanup } from '../../bench/cleanup.js';
import { type BotFlow, botFlow, ONE_TARGET_WORKFLOW } from '../../support/bot-flow.js';
import { readBrokerGrant } from '../../support/broker-journal.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { botSigningKey, type StandaloneBroker, startStandaloneBroker } from '../../support/standalone-broker.js';
import { sshKey } from '../slack/bot-harness.js';

/**
 * Crashes as they happen: bot processes (`node --import tsx src/main.ts`) SIGKILLed in the middle
 * of their work, against a standalone broker (`npm run broker`) that the test freezes with
 * SIGSTOP, so the crash lands exactly where it should: after the approval was committed and
 * before the certificate was issued, or while a revocation job is running.
 */
const SIGNING_SECRET = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const BOT_TOKEN = 'xoxb-0000-1111-crashrecovery';
/** Figures go to the test's output, not into tight asserts (the machine is shared). */
const logFigure = (line: string) => void process.stdout.write(`${line}\n`);
const REPO = path.resolve(import.meta.dirname, '../../..');

let dir: string;
let slack: FakeSlack;
let cleanup: Cleanup;
let broker: StandaloneBroker;
let brokerUrl: string;
let signingKey: string;
const prefix = `t-crash-${randomBytes(4).toString('hex')}`;
const redis = new Redis(inject('redisUrl'));
let bots = 0;
let flow: BotFlow;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-crash-'));
  await mkdir(path.join(dir, 'workflows'));
  await writeFile(path.join(dir, 'workflows', 'production.yml'), ONE_TARGET_WORKFLOW);
  slack = await startFakeSlack({ users: [{ id: 'U0ALICE' }, { id: 'U0LEAD' }], token: BOT_TOKEN });
  flow = botFlow(slack, SIGNING_SECRET, 'crash');
  cleanup = createCleanup(() => undefined);

  const key = await botSigningKey();
  signingKey = key.signingKey;
  broker = await startStandaloneBroker({ dataDir: path.join(dir, 'broker'), jwks: key.jwks, cleanup });
  brokerUrl = broker.url;
}, 60_000);

afterAll(async () => {
  await cleanup?.run();
  await slack?.close();
  await redis.quit();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function startBot(): Promise<BotProcess> {
  bots += 1;
  return startBotProcess(
    {
      repoDir: REPO,
      dataDir: path.join(dir, `data-${bots}`),
      workflowsDir: path.join(dir, 'workflows'),
      redisUrl: inject('redisUrl'),
      prefix,
      slackApiUrl: slack.url,
      botToken: BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
      logFile: path.join(dir, `bot-${bots}.log`),
      env: { BROKER_URL: brokerUrl, JUMPGATE_SIGNING_KEY: signingKey },
    },
    cleanup,
  );
}

const store = () => createRedisStore({ redis, prefix, now: Date.now });
const statusOf = async (id: string) => (await store().get(id))?.status;
async function kill(bot: BotProcess): Promise<void> {
  const exited = new Promise((resolve) => bot.child.once('exit', resolve));
  bot.child.kill('SIGKILL');
  await exited;
}

describe('work a crash interrupted resumes within seconds', () => {
  it('an approval interrupted by a SIGKILL is granted within 10 s of the restart, once', async () => {
    const first = await startBot();
    await flow.command(first, 'U0ALICE', `key ${await sshKey(dir, 'alice')}`);
    const requestId = /req_[a-z0-9]+/.exec(await flow.command(first, 'U0ALICE', 'request prod-db 30m'))![0];

    // The broker freezes: the approval commits, the grant call hangs, and the bot dies there.
    broker.child.kill('SIGSTOP');
    await flow.approve(first, requestId);
    await expect.poll(() => statusOf(requestId), { timeout: 10_000 }).toBe('approved');
    await kill(first);
    broker.child.kill('SIGCONT');

    const second = await startBot();
    const restartedAt = Date.now();
    const dm = await flow.certificateDm(requestId);
    expect(Date.now() - restartedAt).toBeLessThan(10_000);
    expect(JSON.stringify(dm.args)).toContain('ssh-ed25519-cert-v01@openssh.com');
    expect(await statusOf(requestId)).toBe('active');
    const records = await store().forRequest(requestId);
    expect(records.filter((r) => r.type === 'granted')).toHaveLength(1);
    expect(verifyChain(await store().range(1))).toBeUndefined();
    await kill(second);
  }, 90_000);

  it('a revocation whose worker was SIGKILLed is carried out by another replica within 15 s', async () => {
    const doomed = await startBot();
    const requestId = /req_[a-z0-9]+/.exec(await flow.command(doomed, 'U0ALICE', 'request prod-db 4s'))![0];
    await flow.approve(doomed, requestId);
    await flow.certificateDm(requestId);
    const notAfter = (await store().get(requestId))?.grant?.notAfter ?? 0;

    // At the grant's end the broker is frozen: the revocation job starts and hangs in its call.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, notAfter - Date.now() - 1_000)));
    broker.child.kill('SIGSTOP');
    await expect
      .poll(() => redis.llen(`${prefix}:expire:active`), { timeout: 10_000, interval: 100 })
      .toBeGreaterThan(0);
    const survivor = await startBot();
    await kill(doomed);
    const killedAt = Date.now();
    broker.child.kill('SIGCONT');

    await expect.poll(() => statusOf(requestId), { timeout: 15_000, interval: 200 }).toBe('expired');
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    // Revoked at the broker too: its grant record says so (and the serial went into its KRL first).
    const grantId = `grant_${requestId.slice('req_'.length)}`;
    expect((await readBrokerGrant(broker.dataDir, grantId))?.revokedAt).toBeDefined();
    const records = await store().forRequest(requestId);
    expect(records.filter((r) => r.type === 'expired')).toHaveLength(1);
    expect(verifyChain(await store().range(1))).toBeUndefined();
    await kill(survivor);
  }, 90_000);

  it('a SIGTERM while a revocation hangs exits 0 within ~12 s, and another replica completes the revocation', async () => {
    const stopping = await startBot();
    const requestId = /req_[a-z0-9]+/.exec(await flow.command(stopping, 'U0ALICE', 'request prod-db 4s'))![0];
    await flow.approve(stopping, requestId);
    await flow.certificateDm(requestId);
    const notAfter = (await store().get(requestId))?.grant?.notAfter ?? 0;

    // As above: the broker freezes at the grant's end, so the revocation job is running and hangs.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, notAfter - Date.now() - 1_000)));
    broker.child.kill('SIGSTOP');
    await expect
      .poll(() => redis.llen(`${prefix}:expire:active`), { timeout: 10_000, interval: 100 })
      .toBeGreaterThan(0);
    const survivor = await startBot();

    const exited = new Promise<number | null>((resolve) => stopping.child.once('exit', (code) => resolve(code)));
    const termAt = Date.now();
    stopping.child.kill('SIGTERM');
    // At once, long before the hung job lets go: a load balancer moves traffic, Slack goes elsewhere.
    let readyz = 0;
    for (const deadline = Date.now() + 2_000; readyz !== 503 && Date.now() < deadline; ) {
      readyz = await fetch(`${stopping.base}/readyz`).then(
        (res) => res.status,
        () => 0,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const readyzMs = Date.now() - termAt;
    const code = await exited;
    const stopMs = Date.now() - termAt;
    broker.child.kill('SIGCONT');
    await expect.poll(() => statusOf(requestId), { timeout: 20_000, interval: 200 }).toBe('expired');
    logFigure(
      `SIGTERM during a hung revocation: /readyz ${readyz} after ${readyzMs} ms, exit ${String(code)} after ${stopMs} ms; revoked by the other replica ${Date.now() - termAt} ms after the SIGTERM`,
    );
    expect(readyz).toBe(503);
    expect(code).toBe(0);
    expect(stopMs).toBeLessThan(14_000);
    const records = await store().forRequest(requestId);
    expect(records.filter((r) => r.type === 'expired')).toHaveLength(1);
    expect(verifyChain(await store().range(1))).toBeUndefined();
    await kill(survivor);
  }, 90_000);
});
