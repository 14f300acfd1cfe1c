import { Cluster, Redis } from 'ioredis';

/**
 * Redis run highly available: behind Sentinel (a master, its replicas, sentinels that promote a
 * replica when the master dies) or as a Redis Cluster. config.ts reads these from the environment
 * (REDIS_SENTINELS, REDIS_SENTINEL_NAME, a redis+sentinel:// REDIS_URL, REDIS_CLUSTER_NODES);
 * one server (REDIS_URL, or the bot's own redis-server) stays in redis-connection.ts, untouched.
 */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface SentinelTopology {
  readonly kind: 'sentinel';
  readonly sentinels: readonly HostPort[];
  /** The master name of `sentinel monitor <name> …`. */
  readonly name: string;
  /** Of the data nodes (master and replicas). */
  readonly username?: string;
  readonly password?: string;
  /** Of the sentinels themselves (`requirepass` in sentinel.conf), when they have one. */
  readonly sentinelPassword?: string;
  readonly db?: number;
  /** TLS to the sentinels and the data nodes. */
  readonly tls: boolean;
}

export interface ClusterTopology {
  readonly kind: 'cluster';
  /** Some of the cluster's nodes: the client learns the rest (and the slots) from them. */
  readonly nodes: readonly HostPort[];
  readonly username?: string;
  readonly password?: string;
  readonly tls: boolean;
}

export type RedisTopology = SentinelTopology | ClusterTopology;

/** What the store and BullMQ talk to: one server (or a Sentinel-managed master) or a Cluster. */
export type RedisClient = Redis | Cluster;

/**
 * What BullMQ is given: options (it opens its own connections) or, for a Cluster, a client it
 * shares between queues and duplicates for each worker's blocking connection (BullMQ builds no
 * Cluster from options).
 */
export type QueueConnection = SentinelOptions | Cluster;

/** The ioredis options of a connection to a Sentinel-managed master. */
export interface SentinelOptions {
  readonly sentinels: { host: string; port: number }[];
  readonly name: string;
  readonly role: 'master';
  readonly username?: string;
  readonly password?: string;
  readonly sentinelPassword?: string;
  readonly db?: number;
  readonly tls?: Record<string, never>;
  readonly sentinelTLS?: Record<string, never>;
  readonly enableTLSForSentinelMode?: boolean;
  readonly reconnectOnError: (error: Error) => 2 | false;
  readonly maxRetriesPerRequest: null;
}

export interface TopologyConnection {
  readonly redis: RedisClient;
  readonly connectionOptions: QueueConnection;
  readonly description: string;
  close(): Promise<void>;
}

const hostPort = ({ host, port }: HostPort) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** For the start-up log: where, never a password. */
export function describeTopology(topology: RedisTopology): string {
  if (topology.kind === 'cluster') {
    return `Redis Cluster via ${topology.nodes.map(hostPort).join(',')}${topology.tls ? ' (TLS)' : ''}`;
  }
  return `master "${topology.name}" of the sentinels ${topology.sentinels.map(hostPort).join(',')}${topology.tls ? ' (TLS)' : ''}`;
}

const credentials = (topology: RedisTopology) => ({
  ...(topology.username ? { username: topology.username } : {}),
  ...(topology.password ? { password: topology.password } : {}),
});

/**
 * A demoted master answers writes with READONLY (a client still connected to it after a
 * failover): reconnect, which asks the sentinels for the new master, and resend the command.
 */
const reconnectOnReadonly = (error: Error) => (error.message.startsWith('READONLY') ? 2 : false);

/** The options of every connection to a Sentinel-managed master (the store's and BullMQ's). */
export function sentinelOptions(topology: SentinelTopology): SentinelOptions {
  return {
    sentinels: topology.sentinels.map(({ host, port }) => ({ host, port })),
    name: topology.name,
    role: 'master',
    ...credentials(topology),
    ...(topology.sentinelPassword ? { sentinelPassword: topology.sentinelPassword } : {}),
    ...(topology.db === undefined ? {} : { db: topology.db }),
    ...(topology.tls ? { tls: {}, sentinelTLS: {}, enableTLSForSentinelMode: true } : {}),
    reconnectOnError: reconnectOnReadonly,
    // Commands wait for the new master instead of failing (BullMQ needs it too).
    maxRetriesPerRequest: null,
  };
}

/** Where connection errors go (pino's warn: an object, then the message). */
export type ErrorLog = (fields: { err: unknown }, message: string) => void;

export async function connectTopology(topology: RedisTopology, log?: ErrorLog): Promise<TopologyConnection> {
  const connection = topology.kind === 'cluster' ? await connectCluster(topology) : await connectSentinel(topology);
  if (log) logErrors(connection.redis, log);
  return connection;
}

/**
 * A client retries on its own (a master gone, a failover under way) and emits an error per try:
 * logged at most once a second, instead of ioredis printing each unhandled one to stderr.
 */
function logErrors(redis: RedisClient, log: ErrorLog): void {
  let last = 0;
  redis.on('error', (error: unknown) => {
    if (Date.now() - last < 1_000) return;
    last = Date.now();
    log({ err: error }, 'Redis connection error; reconnecting');
  });
}

async function connectSentinel(topology: SentinelTopology): Promise<TopologyConnection> {
  const connectionOptions = sentinelOptions(topology);
  // The store's connection also listens to the sentinels' +switch-master, so it moves to the new
  // master as soon as one is promoted rather than at its next reconnect attempt; BullMQ's many
  // connections find it on reconnect (each listening would mean a connection per sentinel each).
  const redis = new Redis({
    ...connectionOptions,
    lazyConnect: true,
    enableAutoPipelining: true,
    failoverDetector: true,
  });
  await redis.connect();
  return {
    redis,
    connectionOptions,
    description: describeTopology(topology),
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function clusterOf(topology: ClusterTopology, autoPipelining: boolean): Cluster {
  return new Cluster(
    topology.nodes.map(({ host, port }) => ({ host, port })),
    {
      redisOptions: { ...credentials(topology), ...(topology.tls ? { tls: {} } : {}), maxRetriesPerRequest: null },
      // Auto-pipelining groups the commands of one tick per node, as on one server.
      enableAutoPipelining: autoPipelining,
      lazyConnect: true,
    },
  );
}

async function connectCluster(topology: ClusterTopology): Promise<TopologyConnection> {
  const redis = clusterOf(topology, true);
  // BullMQ's own client, as it opens its own connections from options on one server.
  const queues = clusterOf(topology, false);
  await Promise.all([redis.connect(), queues.connect()]);
  return {
    redis,
    connectionOptions: queues,
    description: describeTopology(topology),
    async close() {
      await Promise.all([redis, queues].map((client) => client.quit().catch(() => client.disconnect())));
    },
  };
}

/** A second connection like `redis` (e.g. for a subscription), without auto-pipelining. */
export function duplicateClient(redis: RedisClient): RedisClient {
  const duplicate =
    redis instanceof Cluster
      ? redis.duplicate([], { enableAutoPipelining: false })
      : redis.duplicate({ enableAutoPipelining: false });
  // It reconnects on its own; the outage is logged once, by the connection it was made from.
  duplicate.on('error', () => undefined);
  return duplicate;
}
