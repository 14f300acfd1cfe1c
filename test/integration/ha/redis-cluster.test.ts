import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../../../src/store/audit-chain.js';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { connectTopology, type TopologyConnection } from '../../../src/store/redis-topology.js';
import { type BotProcess, startBotProcess } from '../../bench/bot-process.js';
import { type Cleanup, createCleanup } from '../../bench/cleanup.js';
import { auditVerify, type BotFlow, botFlow, ONE_TARGET_WORKFLOW } from '../../support/bot-flow.js';
import { readBrokerGrant } from '../../support/broker-journal.js';
import { auditEntry, accessRequest as request } from '../../support/builders.js';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.js';
import { figure, type RedisCluster, startRedisCluster } from '../../support/redis-ha.js';
import { sshKey } from '../slack/bot-harness.js';

/**
 * A real three-master Redis Cluster (`redis-cli --cluster create`) and the bot as users run it
 * with REDIS_CLUSTER_NODES: the whole access flow, every key of the deployment (store and BullMQ)
 * in the one slot of the prefix's hash tag, the chain verified by `npm run audit -- verify`.
 */
const SIGNING_SECRET = '1f1e2d3c4b5a69788796a5b4c3d2e1f0';
const BOT_TOKEN = 'xoxb-0000-1111-cluster';
const REPO = path.resolve(import.meta.dirname, '../../..');
const prefix = `{t-cluster-${randomBytes(4).toString('hex')}}`;

let dir: string;
let cleanup: Cleanup;
let cluster: RedisCluster;
let slack: FakeSlack;
let flow: BotFlow;
let client: TopologyConnection;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-cluster-'));
  cleanup = createCleanup(() => undefined);
  await mkdir(path.join(dir, 'workflows'));
  await writeFile(path.join(dir, 'workflows', 'production.yml'), ONE_TARGET_WORKFLOW);
  [cluster, slack] = await Promise.all([
    startRedisCluster(path.join(dir, 'redis'), cleanup),
    startFakeSlack({ users: [{ id: 'U0ALICE' }, { id: 'U0LEAD' }], token: BOT_TOKEN }),
  ]);
  flow = botFlow(slack, SIGNING_SECRET, 'cluster');
  client = await connectTopology(
    {
      kind: 'cluster',
      nodes: cluster.nodes.map(({ port }) => ({ host: '127.0.0.1', port })),
      tls: false,
      // The test's own client: what the bot logs is looked at, not this one's reconnects.
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

/** Keys under the prefix on each master, by port. */
async function keysPerMaster(): Promise<Map<number, string[]>> {
  const masters = (client.redis as Cluster).nodes('master');
  const keys = await Promise.all(masters.map((node) => node.keys(`${prefix}*`)));
  return new Map(masters.map((node, i) => [Number(node.options.port), keys[i] ?? []]));
}

describe('Redis Cluster', () => {
  it('runs the whole access flow: request, approval, certificate, revocation on time, chain verified', async () => {
    const env = { REDIS_CLUSTER_NODES: cluster.nodesEnv };
    const bot: BotProcess = await startBotProcess(
      {
        repoDir: REPO,
        dataDir: path.join(dir, 'data'),
        workflowsDir: path.join(dir, 'workflows'),
        prefix,
        slackApiUrl: slack.url,
        botToken: BOT_TOKEN,
        signingSecret: SIGNING_SECRET,
        logFile: path.join(dir, 'bot.log'),
        env,
      },
      cleanup,
    );
    expect(await flow.command(bot, 'U0ALICE', `key ${await sshKey(dir, 'alice')}`)).toContain('ssh-ed25519');
    const answer = await flow.command(bot, 'U0ALICE', 'request prod-db 3s');
    const requestId = /req_[a-z0-9]+/.exec(answer)?.[0];
    expect(requestId, answer).toBeDefined();
    if (!requestId) return;
    await flow.approve(bot, requestId);
    const dm = await flow.certificateDm(requestId);
    expect(JSON.stringify(dm.args)).toContain('ssh-ed25519-cert-v01@openssh.com');
    const granted = await store().get(requestId);
    expect(granted?.status).toBe('active');
    const notAfter = granted?.grant?.notAfter ?? 0;

    // The expiry job (a BullMQ delayed job, in the same slot) revokes it at the broker.
    await expect
      .poll(async () => (await store().get(requestId))?.status, {
        timeout: notAfter - Date.now() + 15_000,
        interval: 200,
      })
      .toBe('expired');
    const record = await readBrokerGrant(path.join(dir, 'data', 'broker'), requestId.replace(/^req_/, 'grant_'));
    expect(record?.revokedAt).toBeDefined();
    const lagMs = Date.parse(record?.revokedAt ?? '') - notAfter;
    figure(`cluster: revoked ${lagMs} ms after notAfter`);
    expect(lagMs).toBeLessThan(10_000);

    const types = (await store().forRequest(requestId)).map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(['requested', 'approved', 'granted', 'expired']));
    const verified = await auditVerify(REPO, { ...env, JUMPGATE_PREFIX: prefix, DATA_DIR: path.join(dir, 'cli') });
    expect(verified.output).toMatch(/audit chain OK: \d+ records/);
    expect(verified.code).toBe(0);

    // One deployment, one slot: the store's keys and BullMQ's all sit on one master.
    const perMaster = [...(await keysPerMaster()).values()].filter((keys) => keys.length > 0);
    expect(perMaster).toHaveLength(1);
    const keys = perMaster[0] ?? [];
    expect(keys).toContain(`${prefix}:audit`);
    expect(keys.some((key) => key.startsWith(`${prefix}:expire:`))).toBe(true);
    const log = (await readFile(path.join(dir, 'bot.log'), 'utf8')).trim();
    figure(
      `cluster: the bot logged ${log ? log.split('\n').length : 0} warnings or errors${log ? `:\n${log.slice(0, 2_000)}` : ''}`,
    );
  }, 90_000);

  it('takes concurrent writes atomically and migrates old status sets through a script routed by its key', async () => {
    const legacy = `${prefix}:status:pending`;
    const old = request({ id: 'req_legacyone', status: 'pending', createdAt: 1_000, updatedAt: 1_000 });
    await client.redis.hset(`${prefix}:req:${old.id}`, 'v', '1', 'j', JSON.stringify(old));
    await client.redis.sadd(legacy, old.id);
    const s = store();
    expect(await s.migrate()).toBe(1);
    expect(await s.idsByStatus('pending')).toContain(old.id);

    const before = (await s.tail(1))[0]?.seq ?? 0;
    const created = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        s.create(request({ id: `req_cl${i}`, requester: `U0P${i % 5}` }), auditEntry({ requestId: `req_cl${i}` })),
      ),
    );
    expect(new Set(created.map((c) => c.seq)).size).toBe(40);
    // Entries about no request, and about a request with no hash: every key of the script in one slot.
    const aboutNothing = await s.appendAudit(auditEntry({ type: 'reconciled', requestId: null }));
    const aboutGone = await s.appendAudit(auditEntry({ type: 'reconciled', requestId: 'req_brokeronly' }));
    expect((await s.forRequest('req_brokeronly')).map((r) => r.seq)).toEqual([aboutGone.seq]);
    expect(aboutNothing.seq).toBeLessThan(aboutGone.seq);
    expect(await s.getMany(created.map((_, i) => `req_cl${i}`))).toHaveLength(40);
    const records = await s.range(1);
    expect(records.length).toBeGreaterThanOrEqual(before + 42);
    expect(verifyChain(records)).toBeUndefined();
    await s.close();
  });
});
