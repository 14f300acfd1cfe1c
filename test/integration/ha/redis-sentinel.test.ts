import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { connectTopology, type TopologyConnection } from '../../../src/store/redis-topology.js';
import { type BotProcess, startBotProcess } from '../../bench/bot-process.js';
import { type Cleanup, createCleanup } from '../../bench/cleanup.js';
import { auditVerify, type BotFlow, botFlow, ONE_TARGET_WORKFLOW } from '../../support/bot-flow.js';
import { readBrokerGrants } from '../../support/broker-journal.js';
import { accessRequest, auditEntry } from '../../support/builders.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { figure, type SentinelSet, startSentinelSet } from '../../support/redis-ha.js';
import { sshKey } from '../slack/bot-harness.js';

/**
 * A real Sentinel set (a master, its replica, three sentinels) and the bot as users run it with a
 * redis+sentinel:// REDIS_URL and REDIS_WAIT_REPLICAS=1. The master is SIGKILLed in the middle of
 * traffic: after the failover requests keep working, grants end on time at the broker, the chain
 * verifies, and every request the bot acknowledged is still there.
 */
const SIGNING_SECRET = '2f1e2d3c4b5a69788796a5b4c3d2e1f0';
const BOT_TOKEN = 'xoxb-0000-1111-sentinel';
const REPO = path.resolve(import.meta.dirname, '../../..');
const USERS = ['U0ALICE', 'U0BOB', 'U0CAROL'];
const prefix = `t-sentinel-${randomBytes(4).toString('hex')}`;

let dir: string;
let cleanup: Cleanup;
let set: SentinelSet;
let slack: FakeSlack;
let flow: BotFlow;
let client: TopologyConnection;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-sentinel-'));
  cleanup = createCleanup(() => undefined);
  await mkdir(path.join(dir, 'workflows'));
  await writeFile(path.join(dir, 'workflows', 'production.yml'), ONE_TARGET_WORKFLOW);
  [set, slack] = await Promise.all([
    startSentinelSet(path.join(dir, 'redis'), cleanup),
    startFakeSlack({ users: [...USERS, 'U0LEAD'].map((id) => ({ id })), token: BOT_TOKEN }),
  ]);
  flow = botFlow(slack, SIGNING_SECRET, 'sentinel');
  client = await connectTopology(
    {
      kind: 'sentinel',
      sentinels: set.sentinels.map(({ port }) => ({ host: '127.0.0.1', port })),
      name: set.name,
      tls: false,
      // The master killed: this client's reconnect errors are expected (the bot's log shows its own).
    },
    () => undefined,
  );
}, 60_000);

afterAll(async () => {
  await client?.close();
  await cleanup?.run();
  await slack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const store = () => createRedisStore({ redis: client.redis, prefix, now: Date.now });

/** Mean ms per create, `count` at a time, for `rounds` rounds. */
async function writeCost(waitReplicas: boolean, count: number, rounds: number): Promise<number> {
  const s = createRedisStore({
    redis: client.redis,
    prefix: `${prefix}-cost`,
    now: Date.now,
    ...(waitReplicas ? { waitReplicas: { replicas: 1, timeoutMs: 1_000 } } : {}),
  });
  const started = performance.now();
  for (let round = 0; round < rounds; round += 1) {
    await Promise.all(
      Array.from({ length: count }, () => {
        const request = accessRequest({ id: `req_${randomBytes(6).toString('hex')}` });
        return s.create(request, auditEntry({ requestId: request.id }));
      }),
    );
  }
  const perWrite = (performance.now() - started) / (count * rounds);
  await s.close();
  return perWrite;
}

/** The `msg` of a pino line, or the start of a line that is not one (a library writing to stderr). */
function messageOf(line: string): string {
  try {
    const { msg, err } = JSON.parse(line) as { msg?: string; err?: { message?: string } };
    return err?.message ? `${msg} (${err.message.slice(0, 200)})` : String(msg);
  } catch {
    return line.slice(0, 120);
  }
}

interface Cycle {
  readonly requestId: string;
  readonly requestedAt: number;
  grantedAt?: number;
}

describe('Redis Sentinel', () => {
  it('REDIS_WAIT_REPLICAS: what waiting for the replica costs a write (figures in the log)', async () => {
    await writeCost(false, 1, 20); // warm-up: scripts loaded, connection hot
    const figures = {
      alone: await writeCost(false, 1, 200),
      aloneWaited: await writeCost(true, 1, 200),
      burst: await writeCost(false, 50, 10),
      burstWaited: await writeCost(true, 50, 10),
    };
    figure(
      `sentinel: ms per write, one at a time ${figures.alone.toFixed(3)} → ${figures.aloneWaited.toFixed(3)} with WAIT 1; 50 at once ${figures.burst.toFixed(3)} → ${figures.burstWaited.toFixed(3)} with WAIT 1`,
    );
    // The replica has every one of them (sealed or still pending: one script moves them).
    const onReplica = new Redis({ port: set.replica.port, host: '127.0.0.1' });
    try {
      const entries = async () =>
        (await onReplica.llen(`${prefix}-cost:audit:pending`)) + (await onReplica.llen(`${prefix}-cost:audit`));
      await expect.poll(entries, { timeout: 5_000 }).toBe(20 + 200 + 200 + 500 + 500);
    } finally {
      onReplica.disconnect();
    }
  }, 60_000);

  it('REDIS_WAIT_REPLICAS: a write is acknowledged only once the replica has it (the replica frozen meanwhile)', async () => {
    const waited = createRedisStore({
      redis: client.redis,
      prefix: `${prefix}-frozen`,
      now: Date.now,
      waitReplicas: { replicas: 1, timeoutMs: 5_000 },
    });
    const onReplica = new Redis({ port: set.replica.port, host: '127.0.0.1' });
    try {
      await onReplica.ping();
      // Frozen (SIGSTOP), the replica takes nothing from the master until it is thawed.
      set.replica.child.kill('SIGSTOP');
      const thawAt = Date.now() + 400;
      const thawed = new Promise<void>((resolve) =>
        setTimeout(() => {
          set.replica.child.kill('SIGCONT');
          resolve();
        }, 400),
      );
      const request = accessRequest({ id: `req_${randomBytes(6).toString('hex')}` });
      await waited.create(request, auditEntry({ requestId: request.id }));
      const resolvedAt = Date.now();
      await thawed;
      // Resolved no earlier than the replica could have it, and it has it.
      expect(resolvedAt).toBeGreaterThanOrEqual(thawAt - 50);
      expect(await onReplica.hget(`${prefix}-frozen:req:${request.id}`, 'v')).toBe('1');
      figure(
        `sentinel: with the replica frozen for 400 ms, the waited write resolved after ${resolvedAt - (thawAt - 400)} ms`,
      );
    } finally {
      set.replica.child.kill('SIGCONT');
      onReplica.disconnect();
      await waited.close();
    }
  });

  it('survives the master SIGKILLed mid-traffic: requests go on, grants end on time, nothing acknowledged is lost', async () => {
    const bot: BotProcess = await startBotProcess(
      {
        repoDir: REPO,
        dataDir: path.join(dir, 'data'),
        workflowsDir: path.join(dir, 'workflows'),
        redisUrl: set.url,
        prefix,
        slackApiUrl: slack.url,
        botToken: BOT_TOKEN,
        signingSecret: SIGNING_SECRET,
        logFile: path.join(dir, 'bot.log'),
        env: { REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '500' },
      },
      cleanup,
    );
    await Promise.all(USERS.map(async (user) => flow.command(bot, user, `key ${await sshKey(dir, user)}`)));

    // Traffic: each person asks for an 8 s grant, it is approved, the certificate arrives; again.
    // Longer than the failover: the window is fixed at approval, and a grant approved just before
    // the master died must still have time left once the new master answers (else it is rightly
    // refused by the broker as over).
    const cycles: Cycle[] = [];
    const failures: string[] = [];
    let stop = false;
    const traffic = USERS.map(async (user) => {
      while (!stop) {
        const requestedAt = Date.now();
        try {
          const answer = await flow.command(bot, user, 'request prod-db 8s', 20_000);
          const requestId = /req_[a-z0-9]+/.exec(answer)?.[0];
          if (!requestId) throw new Error(`no request id in ${answer.slice(0, 200)}`);
          const cycle: Cycle = { requestId, requestedAt };
          cycles.push(cycle); // acknowledged: the person was told its id
          await flow.approve(bot, requestId);
          await flow.certificateDm(requestId, user, 30_000);
          cycle.grantedAt = Date.now();
        } catch (error) {
          failures.push(`${user} at ${requestedAt}: ${String(error)}`);
        }
      }
    });

    await expect
      .poll(() => cycles.filter((c) => c.grantedAt).length, { timeout: 30_000, interval: 100 })
      .toBeGreaterThanOrEqual(3);
    const oldMaster = set.master.port;
    const exited = new Promise((resolve) => set.master.child.once('exit', resolve));
    set.master.child.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    await expect.poll(() => set.masterPort(), { timeout: 30_000, interval: 100 }).toBe(set.replica.port);
    const promotedAt = Date.now();
    expect(set.replica.port).not.toBe(oldMaster);

    // Requests asked for after the failover are granted too.
    await expect
      .poll(() => cycles.filter((c) => c.requestedAt > promotedAt && c.grantedAt).length, {
        timeout: 40_000,
        interval: 200,
      })
      .toBeGreaterThanOrEqual(3);
    stop = true;
    await Promise.all(traffic);
    const granted = cycles.filter((c) => c.grantedAt);

    // Every acknowledged request is in Redis (the new master), and every grant ends at the broker.
    const s = store();
    const stored = await s.getMany(cycles.map((c) => c.requestId));
    expect(stored.map((r) => r.id).sort()).toEqual(cycles.map((c) => c.requestId).sort());
    const lastEnd = Math.max(...stored.map((r) => r.grant?.notAfter ?? 0));
    await expect
      .poll(
        async () => (await s.getMany(granted.map((c) => c.requestId))).filter((r) => r.status === 'active').length,
        {
          timeout: Math.max(0, lastEnd - Date.now()) + 20_000,
          interval: 250,
        },
      )
      .toBe(0);
    const brokerGrants = await readBrokerGrants(path.join(dir, 'data', 'broker'));
    const lags = granted.map(({ requestId }) => {
      const record = brokerGrants.get(requestId.replace(/^req_/, 'grant_'));
      const request = stored.find((r) => r.id === requestId);
      expect(record?.revokedAt, requestId).toBeDefined();
      return Date.parse(record?.revokedAt ?? '') - (request?.grant?.notAfter ?? 0);
    });
    for (const request of await s.getMany(granted.map((c) => c.requestId))) expect(request.status).toBe('expired');
    // On time: within a few seconds of notAfter, even for grants that ended during the failover.
    expect(Math.max(...lags)).toBeLessThan(15_000);

    const verified = await auditVerify(REPO, {
      REDIS_URL: set.url,
      JUMPGATE_PREFIX: prefix,
      DATA_DIR: path.join(dir, 'cli'),
    });
    expect(verified.output).toMatch(/audit chain OK: \d+ records/);
    expect(verified.code).toBe(0);
    await s.close();

    const log = (await readFile(path.join(dir, 'bot.log'), 'utf8')).trim().split('\n').filter(Boolean);
    const slowest = Math.max(...cycles.filter((c) => c.grantedAt).map((c) => (c.grantedAt ?? 0) - c.requestedAt));
    figure(
      [
        `sentinel: master killed; promoted after ${promotedAt - killedAt} ms (down-after 1000 ms)`,
        `${cycles.length} requests acknowledged, all found after the failover; ${granted.length} granted, ${cycles.filter((c) => c.requestedAt > promotedAt && c.grantedAt).length} of them asked after it`,
        `slowest request → certificate ${slowest} ms; revocation lag after notAfter: max ${Math.max(...lags)} ms, median ${lags.sort((a, b) => a - b)[Math.floor(lags.length / 2)]} ms`,
        `${failures.length} cycles failed${failures.length ? `: ${failures.slice(0, 5).join(' | ')}` : ''}`,
        `the bot logged ${log.length} warnings or errors: ${[...new Set(log.map(messageOf))].join(' | ').slice(0, 2_000)}`,
      ].join('\n'),
    );
    // Requests kept working: no cycle failed, before, during or after the failover.
    expect(failures).toEqual([]);
  }, 120_000);
});
