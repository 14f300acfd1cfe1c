import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCertificateAuthority } from '../../../src/broker/server/certificate-authority.js';
import { createSshKeygen } from '../../../src/broker/server/ssh-keygen.js';
import { readCertificate, userKey } from './harness.js';

/** The CA key is the one thing bastions trust: it is made once and never replaced behind anyone's back. */
let root: string;
const sshKeygen = createSshKeygen();

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'jumpgate-ca-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the certificate authority', () => {
  it('is created once and reused by the next start', async () => {
    const dataDir = path.join(root, 'reuse');
    const first = await openCertificateAuthority(dataDir, sshKeygen);
    const second = await openCertificateAuthority(dataDir, sshKeygen);
    expect(first.publicKey).toMatch(/^ssh-ed25519 \S+ jumpgate-ca$/);
    expect(second.publicKey).toBe(first.publicKey);
  });

  it('rebuilds a lost ca.pub from the private key instead of making a new CA', async () => {
    const dataDir = path.join(root, 'lost-pub');
    const first = await openCertificateAuthority(dataDir, sshKeygen);
    await rm(first.publicKeyPath);
    const again = await openCertificateAuthority(dataDir, sshKeygen);
    expect(again.publicKey).toBe(first.publicKey);
    expect((await readFile(first.publicKeyPath, 'utf8')).trim()).toBe(first.publicKey);
  });

  it('refuses to start when the private key is gone but ca.pub remains', async () => {
    const dataDir = path.join(root, 'lost-key');
    const first = await openCertificateAuthority(dataDir, sshKeygen);
    await rm(path.join(dataDir, 'ca'));
    await expect(openCertificateAuthority(dataDir, sshKeygen)).rejects.toThrow(
      `${first.publicKeyPath} exists but the CA private key ${path.join(dataDir, 'ca')} is missing: restore it, or delete ${first.publicKeyPath} to create a new CA (every bastion must then trust the new ca.pub)`,
    );
  });

  it('writes a hostile-looking key id into the certificate as data, never as an option or a command', async () => {
    const ca = await openCertificateAuthority(path.join(root, 'args'), sshKeygen);
    const key = await userKey(root, 'alice');
    const marker = path.join(root, 'pwned');
    const certificate = await ca.sign({
      publicKey: key,
      keyId: `$(touch ${marker}); -O permit-X11-forwarding`,
      principals: ['dbadmin'],
      serial: '9',
      validFromMs: Date.now() - 60_000,
      validToMs: Date.now() + 60_000,
      restricted: true,
      allowPty: false,
    });
    const info = await readCertificate(certificate);
    expect(info.keyId).toBe(`$(touch ${marker}); -O permit-X11-forwarding`);
    expect(info.extensions).toEqual([]);
    await expect(writeFile(marker, '', { flag: 'wx' })).resolves.toBeUndefined();
  });
});
