import { describe, expect, it } from 'vitest';
import { describeConfig, loadConfig } from '../../src/config.js';
import { JumpgateError } from '../../src/domain/errors.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(JumpgateError);
    expect((error as JumpgateError).code).toBe('config_invalid');
    return (error as JumpgateError).message.split('\n');
  }
  throw new Error('expected loadConfig to refuse the environment');
}

const SENTINELS = '10.0.0.1:26379,10.0.0.2:26379,sentinel-3.internal:26379';
const NODES = '10.0.0.1:6379,10.0.0.2:6379,[::1]:6381';

describe('Redis Sentinel settings', () => {
  it('REDIS_SENTINELS with REDIS_SENTINEL_NAME and passwords give a sentinel topology and no REDIS_URL', () => {
    const config = loadConfig({
      REDIS_SENTINELS: SENTINELS,
      REDIS_SENTINEL_NAME: 'mymaster',
      REDIS_PASSWORD: 'data-secret',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
    });
    expect(config.redisUrl).toBeUndefined();
    expect(config.prefix).toBe('jumpgate');
    expect(config.redisTopology).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26379 },
        { host: 'sentinel-3.internal', port: 26379 },
      ],
      name: 'mymaster',
      password: 'data-secret',
      sentinelPassword: 'sentinel-secret',
      tls: false,
    });
    const described = JSON.stringify(describeConfig(config));
    expect(described).toContain('master \\"mymaster\\" of the sentinels 10.0.0.1:26379');
    expect(described).not.toContain('secret');
  });

  it('a redis+sentinel:// REDIS_URL gives the same, with user, password, db, sentinel password and TLS', () => {
    const config = loadConfig({
      REDIS_URL: 'rediss+sentinel://app:p%40ss@10.0.0.1:26379,10.0.0.2:26380/mymaster?db=2&sentinelPassword=s3',
    });
    expect(config.redisUrl).toBeUndefined();
    expect(config.redisTopology).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '10.0.0.2', port: 26380 },
      ],
      name: 'mymaster',
      username: 'app',
      password: 'p@ss',
      sentinelPassword: 's3',
      db: 2,
      tls: true,
    });
    expect(JSON.stringify(describeConfig(config))).not.toContain('p@ss');
  });

  it.each([
    [
      { REDIS_SENTINELS: SENTINELS },
      'REDIS_SENTINEL_NAME is required with REDIS_SENTINELS (the master name of `sentinel monitor <name> …`, e.g. mymaster)',
    ],
    [
      { REDIS_SENTINEL_NAME: 'mymaster' },
      'REDIS_SENTINEL_NAME is set without sentinels (set REDIS_SENTINELS=host:port,… too, or unset it)',
    ],
    [
      { REDIS_URL: 'redis+sentinel://h:26379/mymaster', REDIS_SENTINEL_NAME: 'other' },
      'REDIS_SENTINEL_NAME is set but REDIS_URL names the master already (redis+sentinel://…/<name>): unset REDIS_SENTINEL_NAME',
    ],
    [
      { REDIS_URL: 'redis+sentinel://h:26379/mymaster', REDIS_SENTINEL_PASSWORD: 'x' },
      'REDIS_SENTINEL_PASSWORD is only read with REDIS_SENTINELS (with a redis+sentinel:// REDIS_URL, add ?sentinelPassword=… to it)',
    ],
    [
      { REDIS_SENTINEL_PASSWORD: 'x' },
      'REDIS_SENTINEL_PASSWORD is set without sentinels (set REDIS_SENTINELS and REDIS_SENTINEL_NAME, or unset it)',
    ],
    [
      { REDIS_URL: 'redis://h:6379', REDIS_SENTINELS: SENTINELS, REDIS_SENTINEL_NAME: 'm' },
      'REDIS_URL and REDIS_SENTINELS are both set (use one: REDIS_SENTINELS with REDIS_SENTINEL_NAME, or a redis+sentinel:// REDIS_URL)',
    ],
    [
      { REDIS_SENTINELS: '10.0.0.1', REDIS_SENTINEL_NAME: 'm' },
      'REDIS_SENTINELS is not a list of sentinels (use host:port,host:port, e.g. 10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379)',
    ],
    [
      { REDIS_SENTINELS: SENTINELS, REDIS_SENTINEL_NAME: 'my master' },
      'REDIS_SENTINEL_NAME is not a master name (the name of `sentinel monitor <name> …`: letters, digits, _ . -)',
    ],
    [
      { REDIS_URL: 'redis+sentinel://h:26379' },
      'REDIS_URL is not a Sentinel URL (use redis+sentinel://[user:password@]host:26379,host:26379/<master-name>[?db=0&sentinelPassword=…], rediss+sentinel:// for TLS)',
    ],
    [
      { REDIS_URL: 'redis+sentinel://h:26379/m?role=slave' },
      'REDIS_URL has an unknown parameter role (a Sentinel URL takes db and sentinelPassword)',
    ],
    [
      { REDIS_URL: 'redis+sentinel://h:26379/m?db=x' },
      'REDIS_URL has a db that is not a database number (use db=0 to db=15)',
    ],
  ])('refuses %j with one line naming the fix', (env, message) => {
    expect(problemsOf(env)).toEqual([message]);
  });
});

describe('Redis Cluster settings', () => {
  it('REDIS_CLUSTER_NODES gives a cluster topology and the hash-tagged default prefix {jumpgate}', () => {
    const config = loadConfig({
      REDIS_CLUSTER_NODES: NODES,
      REDIS_USERNAME: 'app',
      REDIS_PASSWORD: 'pw',
      REDIS_TLS: 'on',
    });
    expect(config.prefix).toBe('{jumpgate}');
    expect(config.redisTopology).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 6379 },
        { host: '10.0.0.2', port: 6379 },
        { host: '::1', port: 6381 },
      ],
      username: 'app',
      password: 'pw',
      tls: true,
    });
    expect(describeConfig(config).redis).toBe('Redis Cluster via 10.0.0.1:6379,10.0.0.2:6379,[::1]:6381 (TLS)');
  });

  it('takes a hash-tagged JUMPGATE_PREFIX as it is', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: NODES, JUMPGATE_PREFIX: '{prod}' }).prefix).toBe('{prod}');
    expect(loadConfig({ REDIS_CLUSTER_NODES: NODES, JUMPGATE_PREFIX: 'jg-{prod}.a' }).prefix).toBe('jg-{prod}.a');
    // A hash tag is fine on one server too (moving to a Cluster later keeps the keys).
    expect(loadConfig({ JUMPGATE_PREFIX: '{prod}' }).prefix).toBe('{prod}');
  });

  it.each([
    [
      { REDIS_CLUSTER_NODES: NODES, JUMPGATE_PREFIX: 'prod' },
      'JUMPGATE_PREFIX needs a hash tag with REDIS_CLUSTER_NODES, so every key of Jumpgate and of its queues is in one slot (use {prod}, or unset it for {jumpgate})',
    ],
    [
      { REDIS_CLUSTER_NODES: NODES, REDIS_URL: 'redis://h:6379' },
      'REDIS_URL and REDIS_CLUSTER_NODES are both set (use one: REDIS_CLUSTER_NODES for a Redis Cluster, REDIS_URL for one server or redis+sentinel://)',
    ],
    [
      { REDIS_CLUSTER_NODES: NODES, REDIS_SENTINELS: SENTINELS, REDIS_SENTINEL_NAME: 'm' },
      'REDIS_SENTINELS and REDIS_CLUSTER_NODES are both set (Sentinel and Cluster are two ways to run Redis: set the one yours uses)',
    ],
    [
      { REDIS_CLUSTER_NODES: '10.0.0.1:6379,10.0.0.2:99999' },
      'REDIS_CLUSTER_NODES is not a list of cluster nodes (use host:port,host:port, e.g. 10.0.0.1:6379,10.0.0.2:6379,10.0.0.3:6379)',
    ],
    [
      { REDIS_CLUSTER_NODES: NODES, REDIS_WAIT_REPLICAS: '1' },
      'REDIS_WAIT_REPLICAS is not supported with REDIS_CLUSTER_NODES (set min-replicas-to-write on the masters instead, or unset it)',
    ],
    [
      { JUMPGATE_PREFIX: '{}x' },
      'JUMPGATE_PREFIX is not a valid prefix (letters, digits, _ . -, optionally one {hash tag}; at most 64 characters)',
    ],
    [
      { JUMPGATE_PREFIX: '{a}{b}' },
      'JUMPGATE_PREFIX is not a valid prefix (letters, digits, _ . -, optionally one {hash tag}; at most 64 characters)',
    ],
  ])('refuses %j with one line naming the fix', (env, message) => {
    expect(problemsOf(env)).toEqual([message]);
  });
});

describe('Redis passwords, TLS and replica acknowledgement', () => {
  it.each([
    [
      { REDIS_PASSWORD: 'x' },
      'REDIS_PASSWORD is only read with REDIS_SENTINELS or REDIS_CLUSTER_NODES (put it in REDIS_URL instead: redis://user:password@host:6379)',
    ],
    [
      { REDIS_URL: 'redis://h:6379', REDIS_USERNAME: 'app' },
      'REDIS_USERNAME is only read with REDIS_SENTINELS or REDIS_CLUSTER_NODES (put it in REDIS_URL instead: redis://user:password@host:6379)',
    ],
    [
      { REDIS_URL: 'redis://h:6379', REDIS_TLS: 'on' },
      'REDIS_TLS is only read with REDIS_SENTINELS or REDIS_CLUSTER_NODES (for TLS to one server use rediss:// in REDIS_URL)',
    ],
    [
      { REDIS_CLUSTER_NODES: NODES, REDIS_TLS: 'yes' },
      'REDIS_TLS is not on or off (on: TLS to every Redis node and sentinel)',
    ],
    [
      { REDIS_WAIT_REPLICAS: '1' },
      'REDIS_WAIT_REPLICAS needs a Redis with replicas (set REDIS_URL or REDIS_SENTINELS: the local redis-server has none), or unset it',
    ],
    [
      { REDIS_URL: 'redis://h:6379', REDIS_WAIT_REPLICAS: '17' },
      'REDIS_WAIT_REPLICAS is not a number of replicas (use 0 to 16; 0 turns the wait off)',
    ],
    [
      { REDIS_URL: 'redis://h:6379', REDIS_WAIT_TIMEOUT_MS: '500' },
      'REDIS_WAIT_TIMEOUT_MS is set but REDIS_WAIT_REPLICAS is not (set both, or unset it)',
    ],
    [
      { REDIS_URL: 'redis://h:6379', REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '0' },
      'REDIS_WAIT_TIMEOUT_MS is not a time in milliseconds (use 1 to 60000)',
    ],
  ])('refuses %j with one line naming the fix', (env, message) => {
    expect(problemsOf(env)).toEqual([message]);
  });

  it('REDIS_WAIT_REPLICAS with sentinels or one server: a wait of 1 s unless told', () => {
    expect(loadConfig({ REDIS_URL: 'redis+sentinel://h:26379/m', REDIS_WAIT_REPLICAS: '1' }).redisWait).toEqual({
      replicas: 1,
      timeoutMs: 1_000,
    });
    expect(
      loadConfig({ REDIS_URL: 'redis://h:6379', REDIS_WAIT_REPLICAS: '2', REDIS_WAIT_TIMEOUT_MS: '250' }).redisWait,
    ).toEqual({ replicas: 2, timeoutMs: 250 });
    expect(loadConfig({ REDIS_URL: 'redis://h:6379', REDIS_WAIT_REPLICAS: '0' }).redisWait).toBeUndefined();
  });

  it('one server keeps REDIS_URL as it is and no topology', () => {
    const config = loadConfig({ REDIS_URL: 'rediss://u:p@redis.internal:6380/1' });
    expect(config.redisUrl).toBe('rediss://u:p@redis.internal:6380/1');
    expect(config.redisTopology).toBeUndefined();
    expect(config.redisWait).toBeUndefined();
  });
});
