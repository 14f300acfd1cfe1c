import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerClient } from '../../../src/broker/client.js';
import { startEmbeddedBroker } from '../../../src/broker/embedded.js';
import { createKrlStatusReader, krlStaleCheck } from '../../../src/broker/krl-status.js';
import { type RunningBroker, startBrokerServer } from '../../../src/broker/server/broker-server.js';
import { KRL_STALE_AFTER_MS } from '../../../src/broker/server/krl-fetches.js';
import { loadSigningKey, type SigningKey } from '../../../src/broker/signing-key.js';
import { type RunningHttpServer, startHttpServer } from '../../../src/http/http-server.js';
import { createMetrics } from '../../../src/http/metrics.js';
import { makeSigningKey } from '../../support/token-builder.js';
import { grantRequest, isRevoked, userKey } from './harness.js';

/**
 * How the KRL reaches a bastion that does not run the broker: served with ETag/Last-Modified and
 * 304s, each fetch remembered, and a revocation no bastion has fetched for 5 minutes reported
 * (GET /v1/krl/status, /metrics, /readyz). In embedded mode the bot's listener serves the same bytes.
 */
let dir: string;
let key: SigningKey;
let alice: string;
const closing: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-krl-serving-'));
  key = await makeSigningKey();
  alice = await userKey(dir, 'alice');
});

afterAll(async () => {
  for (const close of closing) await close();
  await rm(dir, { recursive: true, force: true });
});

let brokers = 0;
async function freshBroker(options: { krlPath?: string } = {}) {
  let nowMs = Date.parse('2031-03-01T10:00:00.250Z');
  const now = () => nowMs;
  const broker: RunningBroker = await startBrokerServer({
    dataDir: path.join(dir, `broker-${++brokers}`),
    trustedKeys: key.jwks,
    now,
    ...options,
  });
  closing.push(() => broker.close());
  const client = createBrokerClient({ baseUrl: broker.url, signingKey: key, now, retries: 0 });
  const grant = (id: string) => client.grant(grantRequest(alice, { id, requestId: `r-${id}` }, now()));
  return { broker, client, grant, advance: (ms: number) => (nowMs += ms) };
}

function krl(base: string, headers: Record<string, string> = {}, query = '') {
  return fetch(`${base}/v1/krl${query}`, { headers });
}

async function status(base: string) {
  return (await (await fetch(`${base}/v1/krl/status`)).json()) as Record<string, unknown>;
}

describe('GET /v1/krl', () => {
  it('answers 200 with an ETag and Last-Modified, then 304 to If-None-Match until a revocation changes it', async () => {
    const { broker, client, grant, advance } = await freshBroker();
    const issued = await grant('g-1');
    const first = await krl(broker.url);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{43}"$/);
    expect(first.headers.get('last-modified')).toBe('Sat, 01 Mar 2031 10:00:00 GMT');
    expect(first.headers.get('cache-control')).toBe('no-cache');

    const unchanged = await krl(broker.url, { 'if-none-match': etag }, '?bastion=bastion-1');
    expect([unchanged.status, await unchanged.text()]).toEqual([304, '']);
    expect(unchanged.headers.get('etag')).toBe(etag);

    advance(2_000);
    await client.revoke('g-1');
    const changed = await krl(broker.url, { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    const served = path.join(dir, 'served.krl');
    await writeFile(served, Buffer.from(await changed.arrayBuffer()));
    expect(await isRevoked(served, issued.credential.certificate)).toBe(true);
  });

  it('answers If-Modified-Since with 304 only when no other KRL was written in the same second', async () => {
    const { broker, client, grant, advance } = await freshBroker();
    await grant('g-1');
    await grant('g-2');
    advance(5_000);
    await client.revoke('g-1');
    const lastModified = (await krl(broker.url)).headers.get('last-modified')!;
    expect((await krl(broker.url, { 'if-modified-since': lastModified })).status).toBe(304);
    // A second write within the same second: a date cannot tell the two apart, so the full KRL is sent.
    await client.revoke('g-2');
    const sameSecond = await krl(broker.url, { 'if-modified-since': lastModified });
    expect(sameSecond.status).toBe(200);
    expect(sameSecond.headers.get('last-modified')).toBe(lastModified);
  });
});

describe('KRL fetches', () => {
  it('are remembered: status, metrics and /readyz say when a revocation has waited over 5 minutes for any fetch', async () => {
    const { broker, client, grant, advance } = await freshBroker();
    await grant('g-1');
    await grant('g-2');
    advance(30_000);
    expect(await status(broker.url)).toMatchObject({
      lastFetchAt: null,
      fetchAgeSeconds: 30,
      revokedSinceFetch: 0,
      stale: false,
      clients: 0,
    });
    await krl(broker.url, {}, '?bastion=bastion-1');
    advance(10_000);
    await krl(broker.url, {}, '?bastion=bastion-2');
    await client.revoke('g-1');
    advance(KRL_STALE_AFTER_MS);
    expect(await status(broker.url)).toMatchObject({
      revokedSinceFetch: 1,
      stale: false,
      clients: 2,
      fetchAgeSeconds: 300,
    });

    advance(1_000);
    expect(await status(broker.url)).toMatchObject({
      lastFetchAt: '2031-03-01T10:00:40.250Z',
      revokedSinceFetch: 1,
      stale: true,
      krlSerials: 1,
    });
    const reader = createKrlStatusReader({ baseUrl: broker.url });
    const http = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      isReady: () => true,
      readiness: {},
      advisories: { krl: krlStaleCheck(reader) },
      jwks: () => ({ keys: [] }),
      metrics: () => createMetrics({ countByStatus: () => Promise.resolve(0), krlStatus: reader }).render(),
      logger: pino({ level: 'silent' }),
    });
    closing.push(() => http.close());
    const bot = `http://127.0.0.1:${http.port}`;
    const readyz = await fetch(`${bot}/readyz`);
    // Reported, without taking the bot out of service: a bastion's timer is for people to fix.
    expect([readyz.status, await readyz.json()]).toEqual([200, { ok: true, checks: { krl: 'krl_stale' } }]);
    const metrics = await (await fetch(`${bot}/metrics`)).text();
    expect(metrics).toMatch(/^jumpgate_krl_fetch_age_seconds 301$/m);
    expect(metrics).toMatch(/^jumpgate_krl_revoked_since_fetch 1$/m);
    expect(metrics).toMatch(/^jumpgate_krl_bytes \d+$/m);

    await krl(broker.url, {}, '?bastion=bastion-1');
    expect(await status(broker.url)).toMatchObject({ revokedSinceFetch: 0, stale: false, fetchAgeSeconds: 0 });
    expect((await fetch(`${bot}/readyz`)).status).toBe(200);
  });

  it('are not needed when the broker writes the file sshd reads (BROKER_KRL_FILE): never stale', async () => {
    const { broker, client, grant, advance } = await freshBroker({ krlPath: path.join(dir, 'sshd', 'revoked.krl') });
    await grant('g-1');
    await client.revoke('g-1');
    advance(KRL_STALE_AFTER_MS * 3);
    expect(await status(broker.url)).toMatchObject({ revokedSinceFetch: 1, stale: false });
  });
});

describe('in embedded mode the bot listener', () => {
  it('serves the CA key, the KRL (same bytes, same ETag) and the status of the embedded broker, and counts its fetches', async () => {
    const dataDir = path.join(dir, 'embedded');
    const signingKey = await loadSigningKey({ dataDir });
    const embedded = await startEmbeddedBroker({ dataDir, jwks: signingKey.jwks });
    closing.push(() => embedded.close());
    const http: RunningHttpServer = await startHttpServer({
      port: 0,
      host: '127.0.0.1',
      bastion: embedded.bastion,
      isReady: () => true,
      readiness: {},
      jwks: () => signingKey.jwks,
      metrics: () => Promise.resolve({ contentType: 'text/plain', body: '' }),
      logger: pino({ level: 'silent' }),
    });
    closing.push(() => http.close());
    const bot = `http://127.0.0.1:${http.port}`;
    const client = createBrokerClient({ baseUrl: embedded.url, signingKey, retries: 0 });
    const issued = await client.grant(grantRequest(alice, { id: 'g-e' }));
    await client.revoke('g-e');

    const [fromBot, fromBroker] = await Promise.all([krl(bot, {}, '?bastion=bastion-1'), krl(embedded.url)]);
    expect(fromBot.status).toBe(200);
    const bytes = Buffer.from(await fromBot.arrayBuffer());
    expect(bytes).toEqual(Buffer.from(await fromBroker.arrayBuffer()));
    expect(bytes).toEqual(await readFile(path.join(dataDir, 'broker', 'revoked.krl')));
    expect(fromBot.headers.get('etag')).toBe(fromBroker.headers.get('etag'));
    expect((await krl(bot, { 'if-none-match': fromBot.headers.get('etag')! })).status).toBe(304);
    expect(await (await fetch(`${bot}/v1/ca.pub`)).text()).toBe(
      await readFile(path.join(dataDir, 'broker', 'ca.pub'), 'utf8'),
    );
    expect(await isRevoked(path.join(dataDir, 'broker', 'revoked.krl'), issued.credential.certificate)).toBe(true);
    expect(embedded.krlStatus()).toMatchObject({ revokedSinceFetch: 0, clients: 2, krlSerials: 1, krlRevocations: 1 });
    expect(await status(bot)).toMatchObject({ revokedSinceFetch: 0, clients: 2 });
    expect((await fetch(`${bot}/v1/krl`, { method: 'POST' })).status).toBe(405);
  });
});
