import { z } from 'zod';
import type { HostPort, RedisTopology } from './store/redis-topology.js';

/**
 * The Redis high-availability part of the environment table (Sentinel, Cluster, replica
 * acknowledgement): the fields, and the rules across them and REDIS_URL / JUMPGATE_PREFIX.
 * Each message is the fix a person reads.
 */
type Env = Readonly<Record<string, string | undefined>>;

const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9][A-Za-z0-9.-]*)):(\d{1,5})$/;

function hostPorts(value: string): HostPort[] | undefined {
  const parts = value.split(',').map((part) => part.trim());
  const parsed = parts.map((part) => {
    const match = HOST_PORT.exec(part);
    const port = Number(match?.[3]);
    return match && port > 0 && port <= 65_535 ? { host: match[1] ?? match[2] ?? '', port } : undefined;
  });
  return parsed.every((entry) => entry !== undefined) ? parsed : undefined;
}

const hostPortList = (fix: string) =>
  z
    .string()
    .refine((value) => hostPorts(value) !== undefined, fix)
    .transform((value) => hostPorts(value) ?? []);

const count = (fix: string, max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, fix)
    .transform(Number)
    .refine((value) => value <= max, fix);

export const redisFields = {
  REDIS_SENTINELS: hostPortList(
    'is not a list of sentinels (use host:port,host:port, e.g. 10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379)',
  ),
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(
      /^[A-Za-z0-9_.-]{1,64}$/,
      'is not a master name (the name of `sentinel monitor <name> …`: letters, digits, _ . -)',
    ),
  REDIS_SENTINEL_PASSWORD: z.string().min(1),
  REDIS_CLUSTER_NODES: hostPortList(
    'is not a list of cluster nodes (use host:port,host:port, e.g. 10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379)',
  ),
  REDIS_USERNAME: z.string().regex(/^\S+$/, 'is not a Redis user name (no spaces)'),
  REDIS_PASSWORD: z.string().min(1),
  REDIS_TLS: z.enum(['on', 'off'], 'is not on or off (on: TLS to every Redis node and sentinel)'),
  REDIS_WAIT_REPLICAS: count('is not a number of replicas (use 0 to 16; 0 turns the wait off)', 16),
  REDIS_WAIT_TIMEOUT_MS: count('is not a time in milliseconds (use 1 to 60000)', 60_000).refine(
    (value) => value >= 1,
    'is not a time in milliseconds (use 1 to 60000)',
  ),
} as const;

export type RedisField = keyof typeof redisFields;
export type RedisParsed = { [K in RedisField]?: z.output<(typeof redisFields)[K]> };

/** `redis+sentinel://…` or `rediss+sentinel://…` (TLS). */
export const isSentinelUrl = (value: string) => /^rediss?\+sentinel:\/\//i.test(value);

const SENTINEL_URL = /^(rediss?)\+sentinel:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#@]+)\/([^/?#]+)\/?(?:\?([^#]*))?$/i;
const SENTINEL_URL_FIX =
  'is not a Sentinel URL (use redis+sentinel://[user:password@]host:26379,host:26379/<master-name>[?db=0&sentinelPassword=…], rediss+sentinel:// for TLS)';

/** The sentinel topology of a redis+sentinel:// URL, or the message saying what is wrong with it. */
export function parseSentinelUrl(value: string): RedisTopology | string {
  const match = SENTINEL_URL.exec(value);
  const sentinels = match?.[4] === undefined ? undefined : hostPorts(match[4]);
  const name = match?.[5];
  if (!match || !sentinels || !name || !/^[A-Za-z0-9_.-]{1,64}$/.test(name)) return SENTINEL_URL_FIX;
  const query = new URLSearchParams(match[6] ?? '');
  const unknown = [...query.keys()].filter((key) => key !== 'db' && key !== 'sentinelPassword');
  if (unknown.length > 0)
    return `has an unknown parameter ${unknown[0]} (a Sentinel URL takes db and sentinelPassword)`;
  const db = query.get('db');
  if (db !== null && !/^\d{1,2}$/.test(db)) return 'has a db that is not a database number (use db=0 to db=15)';
  const decode = (part: string | undefined) => (part ? decodeURIComponent(part) : undefined);
  const username = decode(match[2]);
  const password = decode(match[3]);
  const sentinelPassword = query.get('sentinelPassword') || undefined;
  return {
    kind: 'sentinel',
    sentinels,
    name,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(sentinelPassword ? { sentinelPassword } : {}),
    ...(db === null ? {} : { db: Number(db) }),
    tls: match[1]?.toLowerCase() === 'rediss',
  };
}

/** A key prefix with a `{hash tag}`: every key under it is in one Cluster slot. */
export const isHashTagged = (prefix: string) => /\{[^{}]+\}/.test(prefix);

export interface RedisHa {
  readonly topology?: RedisTopology;
  /** REDIS_WAIT_REPLICAS (> 0) and REDIS_WAIT_TIMEOUT_MS: writes wait for replicas to have them. */
  readonly waitReplicas?: { readonly replicas: number; readonly timeoutMs: number };
  /** The prefix when JUMPGATE_PREFIX is unset: hash-tagged for a Cluster. */
  readonly defaultPrefix: string;
}

const LISTS_ONLY = 'is only read with REDIS_SENTINELS or REDIS_CLUSTER_NODES';

/**
 * The topology the settings describe, pushing a problem for each conflict. `redisUrl` and `prefix`
 * are REDIS_URL and JUMPGATE_PREFIX as validated (undefined when unset or invalid).
 */
export function redisHa(
  env: Env,
  values: RedisParsed,
  redisUrl: string | undefined,
  prefix: string | undefined,
  problems: string[],
): RedisHa {
  const set = (name: string) => env[name] !== undefined && env[name] !== '';
  const sentinelUrl = redisUrl !== undefined && isSentinelUrl(redisUrl) ? parseSentinelUrl(redisUrl) : undefined;
  if (typeof sentinelUrl === 'string') problems.push(`REDIS_URL ${sentinelUrl}`);
  const lists = set('REDIS_SENTINELS') || set('REDIS_CLUSTER_NODES');

  if (set('REDIS_URL') && set('REDIS_CLUSTER_NODES')) {
    problems.push(
      'REDIS_URL and REDIS_CLUSTER_NODES are both set (use one: REDIS_CLUSTER_NODES for a Redis Cluster, REDIS_URL for one server or redis+sentinel://)',
    );
  }
  if (set('REDIS_URL') && set('REDIS_SENTINELS')) {
    problems.push(
      'REDIS_URL and REDIS_SENTINELS are both set (use one: REDIS_SENTINELS with REDIS_SENTINEL_NAME, or a redis+sentinel:// REDIS_URL)',
    );
  }
  if (set('REDIS_SENTINELS') && set('REDIS_CLUSTER_NODES')) {
    problems.push(
      'REDIS_SENTINELS and REDIS_CLUSTER_NODES are both set (Sentinel and Cluster are two ways to run Redis: set the one yours uses)',
    );
  }
  if (set('REDIS_SENTINELS') && !set('REDIS_SENTINEL_NAME')) {
    problems.push(
      'REDIS_SENTINEL_NAME is required with REDIS_SENTINELS (the master name of `sentinel monitor <name> …`, e.g. mymaster)',
    );
  }
  if (set('REDIS_SENTINEL_NAME') && !set('REDIS_SENTINELS')) {
    problems.push(
      sentinelUrl
        ? 'REDIS_SENTINEL_NAME is set but REDIS_URL names the master already (redis+sentinel://…/<name>): unset REDIS_SENTINEL_NAME'
        : 'REDIS_SENTINEL_NAME is set without sentinels (set REDIS_SENTINELS=host:port,… too, or unset it)',
    );
  }
  if (set('REDIS_SENTINEL_PASSWORD') && !set('REDIS_SENTINELS')) {
    problems.push(
      sentinelUrl
        ? 'REDIS_SENTINEL_PASSWORD is only read with REDIS_SENTINELS (with a redis+sentinel:// REDIS_URL, add ?sentinelPassword=… to it)'
        : 'REDIS_SENTINEL_PASSWORD is set without sentinels (set REDIS_SENTINELS and REDIS_SENTINEL_NAME, or unset it)',
    );
  }
  for (const name of ['REDIS_USERNAME', 'REDIS_PASSWORD'] as const) {
    if (set(name) && !lists) {
      problems.push(`${name} ${LISTS_ONLY} (put it in REDIS_URL instead: redis://user:password@host:6379)`);
    }
  }
  if (set('REDIS_TLS') && !lists) {
    problems.push(`REDIS_TLS ${LISTS_ONLY} (for TLS to one server use rediss:// in REDIS_URL)`);
  }

  const tls = values.REDIS_TLS === 'on';
  const credentials = {
    ...(values.REDIS_USERNAME ? { username: values.REDIS_USERNAME } : {}),
    ...(values.REDIS_PASSWORD ? { password: values.REDIS_PASSWORD } : {}),
  };
  let topology: RedisTopology | undefined;
  if (values.REDIS_CLUSTER_NODES && !set('REDIS_SENTINELS')) {
    topology = { kind: 'cluster', nodes: values.REDIS_CLUSTER_NODES, ...credentials, tls };
  } else if (values.REDIS_SENTINELS && values.REDIS_SENTINEL_NAME) {
    topology = {
      kind: 'sentinel',
      sentinels: values.REDIS_SENTINELS,
      name: values.REDIS_SENTINEL_NAME,
      ...credentials,
      ...(values.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: values.REDIS_SENTINEL_PASSWORD } : {}),
      tls,
    };
  } else if (typeof sentinelUrl === 'object') {
    topology = sentinelUrl;
  }

  const cluster = set('REDIS_CLUSTER_NODES');
  if (cluster && prefix !== undefined && !isHashTagged(prefix)) {
    problems.push(
      `JUMPGATE_PREFIX needs a hash tag with REDIS_CLUSTER_NODES, so every key of Jumpgate and of its queues is in one slot (use {${prefix}}, or unset it for {jumpgate})`,
    );
  }

  const replicas = values.REDIS_WAIT_REPLICAS ?? 0;
  if (replicas > 0 && cluster) {
    problems.push(
      'REDIS_WAIT_REPLICAS is not supported with REDIS_CLUSTER_NODES (set min-replicas-to-write on the masters instead, or unset it)',
    );
  } else if (replicas > 0 && !set('REDIS_URL') && !lists) {
    problems.push(
      'REDIS_WAIT_REPLICAS needs a Redis with replicas (set REDIS_URL or REDIS_SENTINELS: the local redis-server has none), or unset it',
    );
  }
  if (set('REDIS_WAIT_TIMEOUT_MS') && replicas === 0) {
    problems.push('REDIS_WAIT_TIMEOUT_MS is set but REDIS_WAIT_REPLICAS is not (set both, or unset it)');
  }

  return {
    ...(topology ? { topology } : {}),
    ...(replicas > 0 ? { waitReplicas: { replicas, timeoutMs: values.REDIS_WAIT_TIMEOUT_MS ?? 1_000 } } : {}),
    defaultPrefix: cluster ? '{jumpgate}' : 'jumpgate',
  };
}
