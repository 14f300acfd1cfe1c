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
import { readBrokerGrant } from '../../support/broker-journal.js';
import { type FakeSlack, type SlackCall, startFakeSlack } from '../../support/fake-slack.js';
import { logFigures } from '../../support/figures-log.js';
import { blockActionPayload, interactionBody, signedRequest, slashCommandBody } from '../../support/slack-signing.js';
import { botSigningKey, type StandaloneBroker, startStandaloneBroker } from '../../support/standalone-broker.js';
import { sshKey } from '../slack/bot-harness.js';

/**
 * A broker outage as it happens: a real bot process (`node --import tsx src/main.ts`) on its own
 * Redis prefix, a fake Slack speaking the real wire format, and the standalone broker
 * (`npm run broker`) SIGKILLed and started again on the same port and data dir. One outage
 * covers the three faults: an approval during it waits and is granted by itself once the broker
 * is back; a grant whose end falls in it is revoked at the broker within seconds of its return;
 * an approval on a workflow with a short grant_retry_window fails with a Retry button, which
 * grants it without new approvals once the broker is back (and refuses anyone else).
 */
const SIGNING_SECRET = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const BOT_TOKEN = 'xoxb-0000-1111-brokeroutage';
const REPO = path.resolve(import.meta.dirname, '../../..');
const workflowFile = (name: string, target: string, extra = '') => `name: ${name}
targets:
  - name: ${target}
    hosts: [db-1.internal]
    principals: [dbadmin]
access:
  channel: C0APPROVALS
  approvers: { users: [U0LEAD] }
  max_duration: 1h
  require_reason: false
${extra}`;

let dir: string;
let slack: FakeSlack;
let cleanup: Cleanup;
let broker: StandaloneBroker;
let bot: BotProcess;
const prefix = `t-outage-${randomBytes(4).toString('hex')}`;
const redis = new Redis(inject('redisUrl'));
let responses = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-outage-'));
  await mkdir(path.join(dir, 'workflows'));
  await writeFile(path.join(dir, 'workflows', 'production.yml'), workflowFile('production', 'prod-db'));
  await writeFile(
    path.join(dir, 'workflows', 'quick.yml'),
    workflowFile('quick', 'quick-db', '  grant_retry_window: 3s\n'),
  );
  slack = await startFakeSlack({
    users: [{ id: 'U0ALICE' }, { id: 'U0LEAD' }, { id: 'U0MALLORY' }],
    token: BOT_TOKEN,
  });
  cleanup = createCleanup(() => undefined);
  const key = await botSigningKey();
  broker = await startStandaloneBroker({ dataDir: path.join(dir, 'broker'), jwks: key.jwks, cleanup });
  bot = await startBotProcess(
    {
      repoDir: REPO,
      dataDir: path.join(dir, 'data'),
      workflowsDir: path.join(dir, 'workflows'),
      redisUrl: inject('redisUrl'),
      prefix,
      slackApiUrl: slack.url,
      botToken: BOT_TOKEN,
      signingSecret: SIGNING_SECRET,
      logFile: path.join(dir, 'bot.log'),
      env: { BROKER_URL: broker.url, JUMPGATE_SIGNING_KEY: key.signingKey },
    },
    cleanup,
  );
}, 90_000);

afterAll(async () => {
  await cleanup?.run();
  await slack?.close();
  await redis.quit();
  if (dir) await rm(dir, { recursive: true, force: true });
});

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

/** Clicks a button as `userId`; returns the response_url id its ephemeral reply goes to. */
async function click(userId: string, actionId: string, value: string, blockId?: string): Promise<string> {
  responses += 1;
  const id = `outage-${responses}`;
  const payload = blockActionPayload({ userId, actionId, value, responseUrl: slack.responseUrl(id), blockId });
  await post(interactionBody(payload));
  return id;
}

async function requestOf(userId: string, text: string): Promise<string> {
  const match = /req_[a-z0-9]+/.exec(await command(userId, text));
  if (!match) throw new Error(`no request id in the answer to ${text}`);
  return match[0];
}

const store = () => createRedisStore({ redis, prefix, now: Date.now });
const statusOf = async (id: string) => (await store().get(id))?.status;
const grantIdOf = (requestId: string) => requestId.replace(/^req_/, 'grant_');
const says = (call: SlackCall, requestId: string, words: string) =>
  JSON.stringify(call.args).includes(requestId) && JSON.stringify(call.args).includes(words);
/** The certificate DM of a grant (it names the grant and carries the certificate). */
const certificateDm = (requestId: string, timeoutMs = 30_000) =>
  slack.waitFor(
    'chat.postMessage',
    (call) =>
      call.args.channel === 'U0ALICE' &&
      JSON.stringify(call.args).includes(grantIdOf(requestId)) &&
      JSON.stringify(call.args).includes('cert-v01'),
    timeoutMs,
  );
const revokedAtBroker = async (grantId: string) => (await readBrokerGrant(broker.dataDir, grantId))?.revokedAt;
const WAITING = 'waiting for the access broker; access is granted as soon as it answers';

describe('a broker outage, without re-approval', () => {
  it('waits, grants and revokes by itself within seconds of the broker’s return; Retry after grant_retry_window', async () => {
    await command('U0ALICE', `key ${await sshKey(dir, 'alice')}`);
    // A short grant, running when the broker goes down and ending during the outage.
    const ending = await requestOf('U0ALICE', 'request prod-db 6s');
    await click('U0LEAD', 'jump_approve', ending);
    await certificateDm(ending);
    const endsAt = (await store().get(ending))?.grant?.notAfter ?? 0;

    await broker.kill();
    const downAt = Date.now();
    const waiting = await requestOf('U0ALICE', 'request prod-db 30m');
    const quick = await requestOf('U0ALICE', 'request quick-db 30m');
    await click('U0LEAD', 'jump_approve', waiting);
    await click('U0LEAD', 'jump_approve', quick);

    // (1) Approved, waiting: said once on the approval message and to the requester.
    await slack.waitFor('chat.update', (call) => says(call, waiting, WAITING), 15_000);
    await slack.waitFor('chat.postMessage', (c) => c.args.channel === 'U0ALICE' && says(c, waiting, WAITING), 15_000);
    expect(await statusOf(waiting)).toBe('approved');

    // (3) Past the quick workflow's 3 s: failed, with a Retry button on both messages.
    await expect.poll(() => statusOf(quick), { timeout: 20_000, interval: 200 }).toBe('failed');
    const failedAfterMs = Date.now() - downAt;
    const retryButton = (call: SlackCall) => says(call, quick, 'jump_retry_grant');
    await slack.waitFor('chat.update', retryButton, 10_000);
    await slack.waitFor('chat.postMessage', (call) => call.args.channel === 'U0ALICE' && retryButton(call), 10_000);

    // (2) The short grant ends while the broker is down; its revocation keeps being tried.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, endsAt + 4_000 - Date.now())));
    expect(await statusOf(ending)).toBe('active');

    await broker.start();
    const backAt = Date.now();
    const outageMs = backAt - downAt;

    await certificateDm(waiting, 20_000);
    const grantedAfterMs = Date.now() - backAt;
    await expect.poll(() => revokedAtBroker(grantIdOf(ending)), { timeout: 20_000, interval: 100 }).toBeDefined();
    const revokedAfterMs = Date.now() - backAt;
    await expect.poll(() => statusOf(ending), { timeout: 10_000, interval: 200 }).toBe('expired');

    // Retry: refused for someone who is neither the requester nor an approver, with why.
    const refusal = await click('U0MALLORY', 'jump_retry_grant', quick, 'jump_retry');
    const refused = JSON.stringify((await slack.waitForResponse(refusal, undefined, 15_000)).body);
    expect(refused).toContain('nly the requester and the approvers of this request can retry its grant');
    expect(await statusOf(quick)).toBe('failed');
    const retriedAt = Date.now();
    const retry = await click('U0ALICE', 'jump_retry_grant', quick, 'jump_retry');
    await certificateDm(quick, 20_000);
    const retryMs = Date.now() - retriedAt;
    expect(JSON.stringify((await slack.waitForResponse(retry, undefined, 15_000)).body)).toContain('is granted');

    logFigures('broker outage (ms)', {
      'broker down for': outageMs,
      'quick-db (grant_retry_window 3s) failed after the broker went down': failedAfterMs,
      'waiting grant issued after the broker came back': grantedAfterMs,
      'ended grant revoked at the broker after it came back': revokedAfterMs,
      'Retry click to certificate': retryMs,
    });
    // Generous bounds: the retries are ≤ 5 s apart and a try takes ≤ ~3 s; the machine is busy.
    expect(grantedAfterMs).toBeLessThan(10_000);
    expect(revokedAfterMs).toBeLessThan(10_000);

    const types = async (id: string) => (await store().forRequest(id)).map((r) => r.type);
    expect(await types(waiting)).toEqual(['requested', 'approved', 'grant_waiting', 'granted']);
    expect(await types(quick)).toEqual([
      'requested',
      'approved',
      'grant_waiting',
      'grant_failed',
      'grant_retried',
      'granted',
    ]);
    const retried = (await store().forRequest(quick)).find((r) => r.type === 'grant_retried');
    expect(retried?.actor).toBe('U0ALICE');
    expect((await types(ending)).filter((t) => t === 'expired')).toHaveLength(1);
    // Once each: the waiting notice, and the certificate.
    const dms = (id: string, words: string) =>
      slack.calls('chat.postMessage').filter((c) => c.args.channel === 'U0ALICE' && says(c, id, words)).length;
    expect(dms(waiting, WAITING)).toBe(1);
    expect(dms(grantIdOf(waiting), 'cert-v01')).toBe(1);
    expect(verifyChain(await store().range(1))).toBeUndefined();
  }, 120_000);

  it('a frozen broker (SIGSTOP: every call times out) is waited for the same way', async () => {
    const ending = await requestOf('U0ALICE', 'request prod-db 5s');
    await click('U0LEAD', 'jump_approve', ending);
    await certificateDm(ending);
    const endsAt = (await store().get(ending))?.grant?.notAfter ?? 0;

    broker.child.kill('SIGSTOP');
    const frozenAt = Date.now();
    const waiting = await requestOf('U0ALICE', 'request prod-db 30m');
    await click('U0LEAD', 'jump_approve', waiting);
    // The first try times out (two attempts of 1.5 s), then the request waits.
    await slack.waitFor('chat.update', (call) => says(call, waiting, WAITING), 15_000);
    const waitingAfterMs = Date.now() - frozenAt;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, endsAt + 4_000 - Date.now())));
    expect(await statusOf(ending)).toBe('active');

    broker.child.kill('SIGCONT');
    const thawedAt = Date.now();
    await certificateDm(waiting, 20_000);
    const grantedAfterMs = Date.now() - thawedAt;
    await expect.poll(() => revokedAtBroker(grantIdOf(ending)), { timeout: 20_000, interval: 100 }).toBeDefined();
    const revokedAfterMs = Date.now() - thawedAt;
    logFigures('frozen broker (ms)', {
      'frozen for': thawedAt - frozenAt,
      'approval to the waiting message': waitingAfterMs,
      'waiting grant issued after the broker resumed': grantedAfterMs,
      'ended grant revoked at the broker after it resumed': revokedAfterMs,
    });
    expect(grantedAfterMs).toBeLessThan(10_000);
    expect(revokedAfterMs).toBeLessThan(10_000);
    const types = (await store().forRequest(waiting)).map((r) => r.type);
    expect(types).toEqual(['requested', 'approved', 'grant_waiting', 'granted']);
    await expect.poll(() => statusOf(ending), { timeout: 10_000, interval: 200 }).toBe('expired');
  }, 90_000);
});
