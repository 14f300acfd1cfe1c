import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerClient } from '../../../src/broker/client.js';
import { type RunningBroker, startBrokerServer } from '../../../src/broker/server/broker-server.js';
import type { SigningKey } from '../../../src/broker/signing-key.js';
import { JumpgateError } from '../../../src/domain/errors.js';
import type { Broker } from '../../../src/service/ports/broker.js';
import { readBrokerGrants } from '../../support/broker-journal.js';
import { makeSigningKey, makeToken } from '../../support/token-builder.js';
import { fingerprint, grantRequest, isRevoked, rawCall, readCertificate, sshPrinted, userKey } from './harness.js';

/**
 * Broker API v1 end to end: the real reference broker, the real signed client, real ssh-keygen.
 * Each test that counts grants or serials gets its own broker (and data dir).
 */
let root: string;
let key: SigningKey;
let alice: string;
let bob: string;
const running: RunningBroker[] = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'jumpgate-broker-contract-'));
  key = await makeSigningKey();
  [alice, bob] = await Promise.all([userKey(root, 'alice'), userKey(root, 'bob')]);
});

afterAll(async () => {
  await Promise.all(running.map((broker) => broker.close()));
  await rm(root, { recursive: true, force: true });
});

let brokers = 0;
/**
 * A broker of its own, with a clock that stands still until the test moves it (shared with its
 * client, as in life), so times the test computes match the broker's to the second.
 */
async function freshBroker() {
  const dataDir = path.join(root, `broker-${++brokers}`);
  let nowMs = Date.now();
  const now = () => nowMs;
  const broker = await startBrokerServer({ dataDir, trustedKeys: key.jwks, now });
  running.push(broker);
  const client: Broker = createBrokerClient({ baseUrl: broker.url, signingKey: key, now, retries: 0 });
  const token = (method: string, url: string, body = '') => makeToken(key, { method, url, body, nowMs: now() });
  return { broker, client, dataDir, now, token, advance: (ms: number) => (nowMs += ms) };
}

async function rejection(promise: Promise<unknown>): Promise<JumpgateError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof JumpgateError) return error;
    throw error;
  }
  throw new Error('the broker accepted the call');
}

describe('POST /v1/grants issues an OpenSSH certificate', () => {
  it('whose key id, serial, principals and window are the grant, signed by the broker CA', async () => {
    const { broker, client, dataDir, now } = await freshBroker();
    const request = grantRequest(
      alice,
      { id: 'g-std', target: { name: 'prod-db', hosts: ['db-1'], principals: ['dbadmin', 'readonly'] } },
      now(),
    );
    const issued = await client.grant(request);
    expect(issued).toEqual({
      id: 'g-std',
      status: 'active',
      notBefore: new Date(Math.floor((now() - 60_000) / 1000) * 1000).toISOString(),
      notAfter: request.notAfter,
      credential: {
        type: 'ssh-certificate',
        certificate: issued.credential.certificate,
        serial: '1',
        principals: ['dbadmin', 'readonly'],
      },
    });
    expect(issued.credential.certificate).toMatch(/^ssh-ed25519-cert-v01@openssh\.com AAAA/);
    const cert = await readCertificate(issued.credential.certificate);
    expect(cert).toMatchObject({
      keyId: 'g-std',
      serial: '1',
      principals: ['dbadmin', 'readonly'],
      validFrom: sshPrinted(issued.notBefore!),
      validTo: sshPrinted(request.notAfter),
      criticalOptions: [],
      extensions: [
        'permit-X11-forwarding',
        'permit-agent-forwarding',
        'permit-port-forwarding',
        'permit-pty',
        'permit-user-rc',
      ],
    });
    const caPub = await readFile(path.join(dataDir, 'ca.pub'), 'utf8');
    expect(cert.signingCa).toContain(await fingerprint(caPub));
    expect((await rawCall(broker.url, 'GET', '/v1/ca.pub')).text).toBe(caPub);
  });

  it('for a vendor: no forwarding and no PTY, unless the PTY is allowed; source-address when the target has one', async () => {
    const { client, now } = await freshBroker();
    const vendorTarget = {
      name: 'prod-db',
      hosts: ['db-1'],
      principals: ['vendor'],
      sourceAddress: ['203.0.113.0/24', '198.51.100.7'],
    };
    const subject = { type: 'vendor' as const, email: 'ann@vendor.example', sponsor: 'U0SPONSOR', sshPublicKey: bob };
    const noPty = await client.grant(
      grantRequest(bob, { id: 'g-v1', kind: 'vendor', subject, target: vendorTarget }, now()),
    );
    const withPty = await client.grant(
      grantRequest(
        bob,
        { id: 'g-v2', kind: 'vendor', subject, target: vendorTarget, options: { allowPty: true } },
        now(),
      ),
    );
    expect(await readCertificate(noPty.credential.certificate)).toMatchObject({
      principals: ['vendor'],
      extensions: [],
      criticalOptions: ['source-address 203.0.113.0/24,198.51.100.7'],
    });
    expect((await readCertificate(withPty.credential.certificate)).extensions).toEqual(['permit-pty']);
  });

  it('refuses bad public keys with 400 invalid_ssh_key and the reason', async () => {
    const { broker, client, now, token } = await freshBroker();
    const rsa2048 = await userKey(root, 'rsa2048', ['-t', 'rsa', '-b', '2048']);
    const weak = await rejection(client.grant(grantRequest(rsa2048, { id: 'g-weak' }, now())));
    expect(weak.code).toBe('broker_rejected');
    expect(weak.message).toMatch(/^this RSA key has 2048 bits; RSA keys need at least 3072 bits — accepted: /);
    expect(weak.details).toEqual({ status: 400, code: 'invalid_ssh_key' });

    const body = JSON.stringify(grantRequest('-----BEGIN OPENSSH PRIVATE KEY-----', { id: 'g-priv' }, now()));
    const response = await rawCall(broker.url, 'POST', '/v1/grants', {
      token: await token('POST', '/v1/grants', body),
      body,
    });
    const { error } = response.json() as { error: { code: string; message: string } };
    expect([response.status, error.code]).toEqual([400, 'invalid_ssh_key']);
    expect(error.message).toMatch(/^this looks like a PRIVATE key — never share it; paste the \.pub file — accepted: /);
  });

  it('refuses a body missing a field with 400 naming it, a past notAfter with 410, and one over 7 days ahead with 400', async () => {
    const { broker, client, now, token } = await freshBroker();
    const { subject: _subject, ...noSubject } = grantRequest(alice, {}, now());
    const body = JSON.stringify({ ...noSubject, subject: { type: 'user' } });
    const response = await rawCall(broker.url, 'POST', '/v1/grants', {
      token: await token('POST', '/v1/grants', body),
      body,
    });
    expect([response.status, response.json()]).toEqual([
      400,
      {
        error: {
          code: 'invalid_request',
          message: 'subject.sshPublicKey: Invalid input: expected string, received undefined',
        },
      },
    ]);
    const past = await rejection(
      client.grant(grantRequest(alice, { notAfter: new Date(now() - 1_000).toISOString() }, now())),
    );
    expect(past.details).toEqual({ status: 410, code: 'grant_expired' });
    const far = await rejection(
      client.grant(grantRequest(alice, { notAfter: new Date(now() + 8 * 86_400_000).toISOString() }, now())),
    );
    expect(far.message).toMatch(/is more than 7 days ahead; grants are at most 7 days long$/);
  });
});

describe('grants are idempotent by id', () => {
  it('answers the same id and request with the same grant: 201 first, then 200 with an identical body', async () => {
    const { broker, client, now, token } = await freshBroker();
    const body = JSON.stringify(grantRequest(alice, { id: 'g-idem' }, now()));
    const first = await rawCall(broker.url, 'POST', '/v1/grants', {
      token: await token('POST', '/v1/grants', body),
      body,
    });
    const second = await rawCall(broker.url, 'POST', '/v1/grants', {
      token: await token('POST', '/v1/grants', body),
      body,
    });
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(second.text).toBe(first.text);
    expect(await client.grant(JSON.parse(body) as Parameters<Broker['grant']>[0])).toEqual(first.json());
  });

  it('refuses the same id with another key or notAfter with 409 conflict', async () => {
    const { client, now } = await freshBroker();
    await client.grant(grantRequest(alice, { id: 'g-c' }, now()));
    const otherKey = await rejection(client.grant(grantRequest(bob, { id: 'g-c' }, now())));
    expect([otherKey.code, otherKey.details]).toEqual(['broker_rejected', { status: 409, code: 'conflict' }]);
    const later = grantRequest(alice, { id: 'g-c', notAfter: new Date(now() + 3_600_000).toISOString() }, now());
    expect((await rejection(client.grant(later))).details).toEqual({ status: 409, code: 'conflict' });
  });

  it('makes one certificate for identical POSTs arriving at once', async () => {
    const { client, now, dataDir } = await freshBroker();
    const request = grantRequest(alice, { id: 'g-race' }, now());
    const results = await Promise.all(Array.from({ length: 8 }, () => client.grant(request)));
    expect(new Set(results.map((result) => result.credential.serial))).toEqual(new Set(['1']));
    expect(new Set(results.map((result) => result.credential.certificate)).size).toBe(1);
    expect([...(await readBrokerGrants(dataDir)).keys()]).toEqual(['g-race']);
    expect((await client.grant(grantRequest(alice, { id: 'g-next' }, now()))).credential.serial).toBe('2');
  });
});

describe('DELETE /v1/grants/{id} revokes through the KRL', () => {
  it('adds the serial to the KRL sshd reads, answers the same twice, and serves the KRL', async () => {
    const { broker, client, dataDir, now } = await freshBroker();
    const kept = await client.grant(grantRequest(alice, { id: 'g-kept' }, now()));
    const ended = await client.grant(grantRequest(bob, { id: 'g-ended' }, now()));
    const revoked = await client.revoke('g-ended');
    expect(revoked).toEqual({
      id: 'g-ended',
      status: 'revoked',
      revokedAt: new Date(Date.parse(revoked.revokedAt)).toISOString(),
    });
    expect(await client.revoke('g-ended')).toEqual(revoked);

    const krlPath = path.join(dataDir, 'revoked.krl');
    expect(await isRevoked(krlPath, ended.credential.certificate)).toBe(true);
    expect(await isRevoked(krlPath, kept.credential.certificate)).toBe(false);
    const served = await fetch(`${broker.url}/v1/krl`);
    expect(served.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await served.arrayBuffer())).toEqual(await readFile(krlPath));
    expect((await client.grant(grantRequest(bob, { id: 'g-ended' }, now()))).status).toBe('revoked');
  });

  it('answers an unknown grant with 404, which the client reports as not_found', async () => {
    const { client } = await freshBroker();
    const error = await rejection(client.revoke('g-nobody'));
    expect([error.code, error.message]).toEqual(['not_found', 'the broker has no grant g-nobody']);
  });
});

describe('GET /v1/grants?status=active', () => {
  it('lists grants neither revoked nor past their notAfter', async () => {
    const { broker, client, now, advance, token } = await freshBroker();
    const long = await client.grant(grantRequest(alice, { id: 'g-long', requestId: 'r-long' }, now()));
    await client.grant(
      grantRequest(
        alice,
        { id: 'g-short', notAfter: new Date(Math.floor(now() / 1000) * 1000 + 60_000).toISOString() },
        now(),
      ),
    );
    await client.grant(grantRequest(bob, { id: 'g-revoked' }, now()));
    await client.revoke('g-revoked');
    advance(61_000);
    expect(await client.listActive()).toEqual([
      { id: 'g-long', requestId: 'r-long', notAfter: long.notAfter, serial: long.credential.serial },
    ]);

    const raw = await rawCall(broker.url, 'GET', '/v1/grants?status=active', {
      token: await token('GET', '/v1/grants?status=active'),
    });
    expect(raw.json()).toEqual({
      grants: [
        {
          id: 'g-long',
          requestId: 'r-long',
          notAfter: long.notAfter,
          serial: '1',
          principals: ['dbadmin'],
          kind: 'standard',
        },
      ],
    });
    const bad = await rawCall(broker.url, 'GET', '/v1/grants?status=all', {
      token: await token('GET', '/v1/grants?status=all'),
    });
    expect([bad.status, bad.json()]).toEqual([
      400,
      { error: { code: 'invalid_request', message: 'status must be "active" (got "all")' } },
    ]);
  });
});

describe('what a bastion and a health check read', () => {
  it('/healthz is 200 {ok:true}; /v1/ca.pub is the CA key as text; the CA private key is 0600', async () => {
    const { broker, dataDir } = await freshBroker();
    const health = await rawCall(broker.url, 'GET', '/healthz');
    expect([health.status, health.json()]).toEqual([200, { ok: true }]);
    const ca = await rawCall(broker.url, 'GET', '/v1/ca.pub');
    expect(ca.contentType).toBe('text/plain; charset=utf-8');
    expect(ca.text).toMatch(/^ssh-ed25519 AAAA\S+ jumpgate-ca\n$/);
    expect((await stat(path.join(dataDir, 'ca'))).mode & 0o777).toBe(0o600);
  });

  it('a new broker serves an empty but valid KRL before anything is revoked', async () => {
    const { broker, client, dataDir, now } = await freshBroker();
    const issued = await client.grant(grantRequest(alice, {}, now()));
    expect(await isRevoked(path.join(dataDir, 'revoked.krl'), issued.credential.certificate)).toBe(false);
    expect((await rawCall(broker.url, 'GET', '/v1/krl')).status).toBe(200);
  });
});

describe('HTTP edges answer {error:{code,message}} without stack traces', () => {
  it('unknown route 404, wrong method 405, body over 64 KiB 413, non-JSON 400', async () => {
    const { broker, token } = await freshBroker();
    const unknown = await rawCall(broker.url, 'GET', '/v2/things');
    expect([unknown.status, unknown.json()]).toEqual([
      404,
      { error: { code: 'not_found', message: 'no route GET /v2/things' } },
    ]);
    const wrongMethod = await rawCall(broker.url, 'PUT', '/v1/grants/g-1');
    expect([wrongMethod.status, wrongMethod.json()]).toEqual([
      405,
      { error: { code: 'method_not_allowed', message: 'PUT is not allowed on /v1/grants/g-1 (use DELETE)' } },
    ]);
    const huge = 'x'.repeat(64 * 1024 + 1);
    const tooLarge = await rawCall(broker.url, 'POST', '/v1/grants', {
      token: await token('POST', '/v1/grants', huge),
      body: huge,
    });
    expect([tooLarge.status, tooLarge.json()]).toEqual([
      413,
      { error: { code: 'payload_too_large', message: 'the body is larger than 65536 bytes' } },
    ]);
    const notJson = await rawCall(broker.url, 'POST', '/v1/grants', {
      token: await token('POST', '/v1/grants', 'hello'),
      body: 'hello',
    });
    expect([notJson.status, notJson.json()]).toEqual([
      400,
      { error: { code: 'invalid_json', message: 'the body is not valid JSON' } },
    ]);
    for (const response of [unknown, wrongMethod, tooLarge, notJson]) expect(response.text).not.toMatch(/\n\s+at /);
  });
});
