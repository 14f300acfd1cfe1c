import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKrl } from '../../src/broker/server/krl.js';
import { createSshKeygen } from '../../src/broker/server/ssh-keygen.js';
import {
  makeUserKey,
  type RunningSshd,
  runSsh,
  type SshIdentity,
  startSshd,
  writeCertificate,
} from '../support/sshd.js';

/**
 * A real sshd reading the broker's KRL when revoked serials are dense past 16,384 (every grant is
 * revoked when it ends; the live ones are the holes): a KRL sshd cannot read would make it refuse
 * every key, so the live certificate must still log in and the revoked one must not.
 */
const run = promisify(execFile);

describe('sshd with a KRL of 20,000 dense revoked serials', () => {
  let dir: string;
  let sshd: RunningSshd;
  let live: SshIdentity;
  let revoked: SshIdentity;

  const certify = async (name: string, serial: number) => {
    const identity = await makeUserKey(dir, name);
    await run('ssh-keygen', [
      '-q',
      '-s',
      path.join(dir, 'ca'),
      '-I',
      name,
      '-n',
      'ops',
      '-V',
      '-1m:+1h',
      '-z',
      String(serial),
      `${identity.keyFile}.pub`,
    ]);
    await writeCertificate(identity, await readFile(identity.certificateFile, 'utf8'));
    return identity;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-e2e-krl-dense-'));
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'ca', '-f', path.join(dir, 'ca')]);
    const krlPath = path.join(dir, 'revoked.krl');
    const krl = createKrl({
      path: krlPath,
      caPublicKeyPath: path.join(dir, 'ca.pub'),
      sshKeygen: createSshKeygen(),
      now: Date.now,
    });
    // Odd serials 1…39,999 revoked, even ones live.
    await krl.write(Array.from({ length: 20_000 }, (_, i) => String(2 * i + 1)));
    [live, revoked] = await Promise.all([certify('live', 20_000), certify('revoked', 19_999)]);
    sshd = await startSshd({
      caPublicKey: await readFile(path.join(dir, 'ca.pub'), 'utf8'),
      krlPath,
      principals: { root: ['ops'] },
    });
  });

  afterAll(async () => {
    await sshd?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lets a certificate whose serial is not listed log in, and refuses one whose serial is', async () => {
    expect(await runSsh(sshd, live, 'whoami')).toMatchObject({ code: 0, stdout: 'root\n' });
    const refused = await runSsh(sshd, revoked, 'whoami');
    expect(refused.code).toBe(255);
    expect(await sshd.log()).toMatch(/Authentication key ED25519-CERT \S+ revoked by file/);
  });
});
