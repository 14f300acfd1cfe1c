import { describe, expect, it } from 'vitest';
import { describeTopology, sentinelOptions } from '../../../src/store/redis-topology.js';

describe('sentinelOptions', () => {
  it('gives the store and BullMQ the sentinels, the master name, both passwords and TLS for both', () => {
    const options = sentinelOptions({
      kind: 'sentinel',
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'mymaster',
      username: 'app',
      password: 'data-pw',
      sentinelPassword: 'sentinel-pw',
      db: 3,
      tls: true,
    });
    expect(options).toMatchObject({
      sentinels: [
        { host: '10.0.0.1', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'mymaster',
      role: 'master',
      username: 'app',
      password: 'data-pw',
      sentinelPassword: 'sentinel-pw',
      db: 3,
      tls: {},
      sentinelTLS: {},
      enableTLSForSentinelMode: true,
      maxRetriesPerRequest: null,
    });
  });

  it('reconnects (and resends) on READONLY, the answer of a master demoted under a client', () => {
    const { reconnectOnError } = sentinelOptions({
      kind: 'sentinel',
      sentinels: [{ host: 'h', port: 1 }],
      name: 'm',
      tls: false,
    });
    expect(reconnectOnError(new Error("READONLY You can't write against a read only replica."))).toBe(2);
    expect(reconnectOnError(new Error('ERR unknown command'))).toBe(false);
  });

  it('leaves TLS and passwords out when not set', () => {
    const options = sentinelOptions({ kind: 'sentinel', sentinels: [{ host: 'h', port: 1 }], name: 'm', tls: false });
    expect(Object.keys(options).sort()).toEqual([
      'maxRetriesPerRequest',
      'name',
      'reconnectOnError',
      'role',
      'sentinels',
    ]);
  });
});

describe('describeTopology', () => {
  it('names where, never a password', () => {
    expect(
      describeTopology({
        kind: 'sentinel',
        sentinels: [{ host: 'h1', port: 26379 }],
        name: 'm',
        password: 'pw',
        tls: false,
      }),
    ).toBe('master "m" of the sentinels h1:26379');
    expect(describeTopology({ kind: 'cluster', nodes: [{ host: '::1', port: 7000 }], password: 'pw', tls: true })).toBe(
      'Redis Cluster via [::1]:7000 (TLS)',
    );
  });
});
