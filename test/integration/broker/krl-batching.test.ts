import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerClient } from '../../../src/broker/client.js';
import { type RunningBroker, startBrokerServer } from '../../../src/broker/server/broker-server.js';
import { createKrl } from '../../../src/broker/server/krl.js';
import { createRevocationList, KRL_EXPIRY_MARGIN_MS } from '../../../src/broker/server/revocation-list.js';
import { createSshKeygen } from '../../../src/broker/server/ssh-keygen.js';
import type { SigningKey } from '../../../src/broker/signing-key.js';
import { JumpgateError } from '../../../src/domain/errors.js';
import { makeSigningKey } from '../../support/token-builder.js';
import { grantRequest, userKey } from './harness.js';

/**
 * Revocation that stays cheap, against the real broker and OpenSSH's own KRL reader: a burst of
 * revocations shares KRL writes, each caller answered only once its serial is in the KRL, and
 * the KRL (and the grants folder) hold only what has not expired.
 */
const run = promisify(execFile);
let dir: string;
let key: SigningKey;
let alice: string;
const open: RunningBroker[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-krl-batching-'));
  key = await makeSigningKey();
  alice = await userKey(dir, 'alice');
});

afterAll(async () => {
  await Promise.all(open.map((broker) => broker.close()));
  await rm(dir, { recursive: true, force: true });
});

let brokers = 0;
async function freshBroker() {
  const dataDir = path.join(dir, `broker-${++brokers}`);
  let nowMs = Date.now();
  const now = () => nowMs;
  const broker = await startBrokerServer({ dataDir, trustedKeys: key.jwks, now, pruneEveryMs: 0 });
  open.push(broker);
  const client = createBrokerClient({ baseUrl: broker.url, signingKey: key, now, retries: 0, timeoutMs: 60_000 });
  return {
    broker,
    client,
    dataDir,
    krlPath: path.join(dataDir, 'revoked.krl'),
    now,
    advance: (ms: number) => (nowMs += ms),
  };
}

/** `ssh-keygen -Q` over many certificates at once: the ones the KRL revokes. */
async function revokedAmong(krl: Buffer, certificates: readonly string[]): Promise<Set<string>> {
  const work = await mkdtemp(path.join(dir, 'q-'));
  const krlFile = path.join(work, 'revoked.krl');
  await writeFile(krlFile, krl);
  const files = await Promise.all(
    certificates.map(async (certificate, i) => {
      const file = path.join(work, `c${i}-cert.pub`);
      await writeFile(file, `${certificate}\n`);
      return file;
    }),
  );
  // Exit status 1 when any is revoked; each file gets one line, "<file> (…): REVOKED" or ": ok".
  const { stdout } = await run('ssh-keygen', ['-Q', '-f', krlFile, ...files]).catch((error: { stdout?: string }) => ({
    stdout: error.stdout ?? '',
  }));
  const revoked = new Set<string>();
  for (const [i, file] of files.entries()) {
    const line = stdout.split('\n').find((l) => l.startsWith(`${file} `)) ?? '';
    if (!line.endsWith(': ok') && !line.endsWith('REVOKED'))
      throw new Error(`ssh-keygen -Q said nothing usable about ${file}: ${stdout.slice(0, 300)}`);
    if (line.endsWith('REVOKED')) revoked.add(certificates[i]!);
  }
  await rm(work, { recursive: true, force: true });
  return revoked;
}

describe('a burst of revocations', () => {
  it('200 at once share far fewer than 200 KRL writes, and each caller is answered only once its serial is in the KRL', async ({
    annotate,
  }) => {
    const { broker, client, krlPath, now } = await freshBroker();
    const grants = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        client.grant(grantRequest(alice, { id: `g-${i}`, requestId: `r-${i}` }, now())),
      ),
    );
    const writesBefore = broker.krlStatus().krlWrites;

    // What the KRL file says at the moment each caller gets its answer.
    const seenAtAnswer = await Promise.all(
      grants.map(async (grant) => (await client.revoke(grant.id), await readFile(krlPath))),
    );

    const writes = broker.krlStatus().krlWrites - writesBefore;
    await annotate(`200 concurrent revocations: ${writes} KRL writes`);
    expect(writes).toBeGreaterThan(0);
    expect(writes).toBeLessThan(50);
    const byKrl = new Map<string, string[]>();
    for (const [i, krl] of seenAtAnswer.entries()) {
      const certificates = byKrl.get(krl.toString('base64')) ?? [];
      certificates.push(grants[i]!.credential.certificate);
      byKrl.set(krl.toString('base64'), certificates);
    }
    for (const [krl, certificates] of byKrl) {
      expect((await revokedAmong(Buffer.from(krl, 'base64'), certificates)).size).toBe(certificates.length);
    }
    expect(broker.krlStatus()).toMatchObject({ krlSerials: 200, krlRevocations: 200 });
  }, 120_000);
});

describe('what has expired', () => {
  it('leaves the KRL and the broker’s records once its certificate expired more than the margin ago; the same id then gets 410', async () => {
    const { broker, client, krlPath, now, advance } = await freshBroker();
    const shortRequest = grantRequest(
      alice,
      { id: 'g-short', notAfter: new Date(Math.floor(now() / 1000) * 1000 + 60_000).toISOString() },
      now(),
    );
    const short = await client.grant(shortRequest);
    const long = await client.grant(grantRequest(alice, { id: 'g-long', requestId: 'r-long' }, now()));
    await client.revoke('g-short');
    await client.revoke('g-long');
    const both = [short.credential.certificate, long.credential.certificate];
    expect((await revokedAmong(await readFile(krlPath), both)).size).toBe(2);

    // Past notAfter, but within the clock-skew margin: still listed, still on disk.
    advance(60_000 + KRL_EXPIRY_MARGIN_MS - 1_000);
    expect(await broker.pruneExpired()).toEqual({ grants: 0, krlRewritten: false });
    advance(1_000);
    expect(await broker.pruneExpired()).toEqual({ grants: 1, krlRewritten: true });

    expect(await revokedAmong(await readFile(krlPath), both)).toEqual(new Set([long.credential.certificate]));
    expect(broker.krlStatus().krlSerials).toBe(1);
    // The broker forgot it (its journal lines go when the journal is next compacted).
    expect(((await client.revoke('g-short').catch((error: unknown) => error)) as JumpgateError).code).toBe('not_found');
    const again = await client.grant(shortRequest).catch((error: unknown) => error);
    expect(again).toBeInstanceOf(JumpgateError);
    expect((again as JumpgateError).details).toEqual({ status: 410, code: 'grant_expired' });
    // The revoked grant that has not expired keeps answering as itself.
    expect((await client.revoke('g-long')).status).toBe('revoked');
  });
});

describe('the KRL at 10,000 revoked serials that have not expired', () => {
  it('is small and quick to write, and OpenSSH reads it', async ({ annotate }) => {
    const dataDir = path.join(dir, 'ten-thousand');
    await run('mkdir', ['-p', dataDir]);
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'ca', '-f', path.join(dataDir, 'ca')]);
    const nowMs = Date.now();
    const krl = createKrl({
      path: path.join(dataDir, 'revoked.krl'),
      caPublicKeyPath: path.join(dataDir, 'ca.pub'),
      sshKeygen: createSshKeygen(),
      now: () => nowMs,
    });
    // Every grant is revoked when it ends: the revoked serials are dense, the live ones the holes.
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const serials: string[] = [];
    for (let serial = 1; serials.length < 10_000; serial++) if (random() < 0.8) serials.push(String(serial));
    const list = createRevocationList({
      krl,
      now: () => nowMs,
      initial: serials.map((serial) => ({ serial, notAfterMs: nowMs + 3_600_000 })),
    });
    await list.rewrite();
    await list.rewrite();
    const stats = list.stats();
    await annotate(
      `krl_bytes ${stats.bytes} bytes; krl_write_ms ${stats.writeMs.toFixed(1)} ms (10,000 revoked serials among ${serials.at(-1)})`,
    );
    expect(stats.serials).toBe(10_000);
    expect(stats.bytes).toBeLessThan(16_384);

    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dataDir, 'user')]);
    const certificate = async (serial: string) => {
      await run('ssh-keygen', [
        '-q',
        '-s',
        path.join(dataDir, 'ca'),
        '-I',
        `g-${serial}`,
        '-n',
        'ops',
        '-z',
        serial,
        path.join(dataDir, 'user.pub'),
      ]);
      return (await readFile(path.join(dataDir, 'user-cert.pub'), 'utf8')).trim();
    };
    const notRevoked = String([...Array(20_000).keys()].find((n) => n > 0 && !serials.includes(String(n))));
    const listed = [
      await certificate(serials[0]!),
      await certificate(serials[5_000]!),
      await certificate(serials.at(-1)!),
    ];
    const free = await certificate(notRevoked);
    expect(await revokedAmong(await readFile(krl.path), [...listed, free])).toEqual(new Set(listed));
  });
});
