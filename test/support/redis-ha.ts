import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, REDIS_SETTINGS } from '../../src/store/local-redis.js';
import { type Cleanup, stopChild } from '../bench/cleanup.js';

/**
 * Real Redis topologies on loopback ports, each process in its own folder under `dir`, all
 * stopped by `cleanup`: a three-master Cluster, and a Sentinel set (a master, a replica, three
 * sentinels). Processes start in parallel; every wait polls what it waits for.
 */
const run = promisify(execFile);
const START_TIMEOUT_MS = 15_000;

export interface RedisProcess {
  readonly port: number;
  readonly child: ChildProcess;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = START_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs `use` on a short-lived connection to the server on `port` (authenticated when `password` is given). */
async function withClient<T>(
  port: number,
  password: string | undefined,
  use: (client: Redis) => Promise<T>,
): Promise<T> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    ...(password ? { password } : {}),
  });
  client.on('error', () => undefined); // a server not up yet: the caller polls again
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

/** One redis-server (or sentinel, with `--sentinel`) on a free port; resolves once it answers PING. */
async function startServer(
  name: string,
  args: (port: number) => string[],
  dir: string,
  cleanup: Cleanup,
  password?: string,
): Promise<RedisProcess> {
  const port = await freePort();
  const folder = path.join(dir, name);
  await mkdir(folder, { recursive: true });
  const child = spawn('redis-server', args(port), { cwd: folder, stdio: ['ignore', 'ignore', 'pipe'] });
  cleanup.child(child);
  cleanup.add(name, () => stopChild(child, 2_000));
  await waitFor(`${name} answering on port ${port}`, () =>
    withClient(port, password, async (client) => (await client.ping()) === 'PONG'),
  );
  return { port, child };
}

/** The arguments every data node takes: loopback, no persistence, Jumpgate's settings. */
const dataNode = (port: number, password?: string) => [
  ...(password ? ['--requirepass', password, '--masterauth', password] : []),
  '--port',
  String(port),
  '--bind',
  '127.0.0.1',
  '--save',
  '',
  '--appendonly',
  'no',
  '--loglevel',
  'warning',
  ...REDIS_SETTINGS,
];

const info = (port: number, section: string, password?: string) =>
  withClient(port, password, (client) => client.info(section));

export interface RedisCluster {
  readonly nodes: readonly RedisProcess[];
  /** REDIS_CLUSTER_NODES for them. */
  readonly nodesEnv: string;
}

export async function startRedisCluster(dir: string, cleanup: Cleanup, masters = 3): Promise<RedisCluster> {
  const nodes = await Promise.all(
    Array.from({ length: masters }, (_, i) =>
      startServer(
        `cluster-${i + 1}`,
        (port) => [
          ...dataNode(port),
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '2000',
        ],
        dir,
        cleanup,
      ),
    ),
  );
  const addresses = nodes.map(({ port }) => `127.0.0.1:${port}`);
  await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-yes'], { timeout: START_TIMEOUT_MS });
  // Every node agrees the slots are covered before a client asks for the slot map.
  await waitFor('the cluster state ok on every node', async () => {
    const states = await Promise.all(nodes.map(({ port }) => clusterInfo(port)));
    return states.every(
      (state) => /cluster_state:ok/.test(state) && /cluster_known_nodes:(\d+)/.exec(state)?.[1] === String(masters),
    );
  });
  return { nodes, nodesEnv: addresses.join(',') };
}

const clusterInfo = (port: number) =>
  withClient(port, undefined, async (client) => String(await client.call('CLUSTER', 'INFO')));

export interface SentinelSet {
  readonly master: RedisProcess;
  readonly replica: RedisProcess;
  readonly sentinels: readonly RedisProcess[];
  /** The master name the sentinels monitor. */
  readonly name: string;
  /** A redis+sentinel:// REDIS_URL for the set. */
  readonly url: string;
  /** The port of the master as the sentinels see it now. */
  masterPort(): Promise<number>;
}

/**
 * A master, a replica following it and three sentinels (quorum 2) that mark the master down
 * after 1 s without an answer and promote the replica. Resolves once the replica is in sync and
 * every sentinel knows the replica and the two other sentinels (so a failover can be agreed).
 */
export async function startSentinelSet(
  dir: string,
  cleanup: Cleanup,
  options: {
    readonly name?: string;
    /** `requirepass` (and `masterauth`) of the data nodes. */
    readonly password?: string;
    /** `requirepass` of the sentinels. */
    readonly sentinelPassword?: string;
  } = {},
): Promise<SentinelSet> {
  const { name = 'jumpgate', password, sentinelPassword } = options;
  const master = await startServer('master', (port) => dataNode(port, password), dir, cleanup, password);
  const [replica, ...sentinels] = await Promise.all([
    startServer(
      'replica',
      (port) => [...dataNode(port, password), '--replicaof', '127.0.0.1', String(master.port)],
      dir,
      cleanup,
      password,
    ),
    ...[1, 2, 3].map(async (i) => {
      const folder = path.join(dir, `sentinel-${i}`);
      await mkdir(folder, { recursive: true });
      const conf = path.join(folder, 'sentinel.conf');
      // The sentinel rewrites its file (what it learns): each one its own, writable.
      await writeFile(
        conf,
        [
          'bind 127.0.0.1',
          `sentinel monitor ${name} 127.0.0.1 ${master.port} 2`,
          `sentinel down-after-milliseconds ${name} 1000`,
          `sentinel failover-timeout ${name} 5000`,
          `sentinel parallel-syncs ${name} 1`,
          ...(password ? [`sentinel auth-pass ${name} ${password}`] : []),
          // A sentinel with a password talks to the others with it.
          ...(sentinelPassword
            ? [`requirepass ${sentinelPassword}`, `sentinel sentinel-pass ${sentinelPassword}`]
            : []),
          '',
        ].join('\n'),
      );
      return startServer(
        `sentinel-${i}`,
        (port) => [conf, '--sentinel', '--port', String(port)],
        dir,
        cleanup,
        sentinelPassword,
      );
    }),
  ]);
  if (!replica) throw new Error('no replica');
  await waitFor('the replica in sync with the master', async () =>
    /master_link_status:up/.test(await info(replica.port, 'replication', password)),
  );
  await waitFor(
    'every sentinel knowing the replica and the other sentinels',
    async () => {
      const views = await Promise.all(
        sentinels.map(({ port }) =>
          withClient(port, sentinelPassword, async (client) => {
            const [replicas, peers] = (await Promise.all([
              client.call('SENTINEL', 'REPLICAS', name),
              client.call('SENTINEL', 'SENTINELS', name),
            ])) as [unknown[], unknown[]];
            return replicas.length === 1 && peers.length === 2;
          }),
        ),
      );
      return views.every(Boolean);
    },
    // Sentinels find each other through hello messages, sent every 2 s.
    20_000,
  );
  const first = sentinels[0];
  return {
    master,
    replica,
    sentinels,
    name,
    url: `redis+sentinel://${sentinels.map(({ port }) => `127.0.0.1:${port}`).join(',')}/${name}`,
    masterPort() {
      return withClient(first?.port ?? 0, sentinelPassword, async (client) => {
        const [, port] = (await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as [string, string];
        return Number(port);
      });
    },
  };
}

/** A measured figure for the test's log (what a run measured, rather than a tight assert). */
export function figure(line: string): void {
  console.log(line);
}
