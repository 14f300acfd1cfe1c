import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateAuthority,
  openCertificateAuthority,
  sshTime,
} from '../../../src/broker/server/certificate-authority.js';
import { createSshKeygen } from '../../../src/broker/server/ssh-keygen.js';
import { fingerprint, readCertificate, userKey } from './harness.js';

/**
 * Certificates are signed in the broker's process: for every key type a person may register,
 * ssh-keygen must read them (it checks the CA signature while parsing) with exactly the fields
 * `ssh-keygen -s` would have written.
 */
let root: string;
let ca: CertificateAuthority;
const sshKeygen = createSshKeygen();

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'jumpgate-cert-format-'));
  ca = await openCertificateAuthority(path.join(root, 'ca'), sshKeygen);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A security-key public key line built from a real ECDSA / Ed25519 point (no FIDO device needed to make one). */
function skKey(type: 'sk-ecdsa-sha2-nistp256@openssh.com' | 'sk-ssh-ed25519@openssh.com', from: string): string {
  const blob = Buffer.from(from.split(' ')[1]!, 'base64');
  const fields: Buffer[] = [];
  for (let offset = 0; offset < blob.length; ) {
    const length = blob.readUInt32BE(offset);
    fields.push(blob.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  const string = (data: Buffer | string) => {
    const bytes = Buffer.from(data);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  };
  return `${type} ${Buffer.concat([string(type), ...fields.slice(1).map(string), string('ssh:')]).toString('base64')}`;
}

const FROM = Date.parse('2031-03-01T10:00:00Z');
const TO = Date.parse('2031-03-01T10:30:00Z');

describe('certificates signed by the broker', () => {
  it('are read by ssh-keygen for every accepted key type, with the fields asked for', async () => {
    const ecdsa256 = await userKey(root, 'ecdsa256', ['-t', 'ecdsa', '-b', '256']);
    const ed25519 = await userKey(root, 'ed25519');
    const keys = {
      ed25519,
      ecdsa256,
      ecdsa384: await userKey(root, 'ecdsa384', ['-t', 'ecdsa', '-b', '384']),
      ecdsa521: await userKey(root, 'ecdsa521', ['-t', 'ecdsa', '-b', '521']),
      rsa3072: await userKey(root, 'rsa3072', ['-t', 'rsa', '-b', '3072']),
      skEcdsa: skKey('sk-ecdsa-sha2-nistp256@openssh.com', ecdsa256),
      skEd25519: skKey('sk-ssh-ed25519@openssh.com', ed25519),
    };
    for (const [name, publicKey] of Object.entries(keys)) {
      const certificate = await ca.sign({
        publicKey,
        keyId: `g-${name}`,
        principals: ['dbadmin', 'readonly'],
        serial: '77',
        validFromMs: FROM,
        validToMs: TO,
        restricted: false,
        allowPty: false,
      });
      expect(certificate.split(' ')[0]).toBe(
        `${publicKey.split(' ')[0]!.replace(/(@openssh\.com)?$/, '-cert-v01@openssh.com')}`,
      );
      const info = await readCertificate(certificate);
      expect(info.signingCa, name).toMatch(/^ED25519 SHA256:/);
      expect(info.publicKey, name).toContain(await fingerprint(publicKey));
      expect({ ...info, signingCa: 'checked above', publicKey: 'checked above' }, name).toEqual({
        keyId: `g-${name}`,
        publicKey: 'checked above',
        serial: '77',
        signingCa: 'checked above',
        validFrom: '2031-03-01T10:00:00',
        validTo: '2031-03-01T10:30:00',
        principals: ['dbadmin', 'readonly'],
        criticalOptions: [],
        extensions: [
          'permit-X11-forwarding',
          'permit-agent-forwarding',
          'permit-port-forwarding',
          'permit-pty',
          'permit-user-rc',
        ],
      });
    }
  });

  it('match what ssh-keygen -s writes for a vendor: options cleared, a PTY only when allowed, source-address', async () => {
    const key = await userKey(root, 'vendor');
    const keyFile = path.join(root, 'vendor.pub');
    const request = {
      publicKey: key,
      keyId: 'g-vendor',
      principals: ['vendor'],
      serial: '5',
      validFromMs: FROM,
      validToMs: TO,
      restricted: true,
      allowPty: true,
      sourceAddress: ['203.0.113.0/24', '198.51.100.7'],
    };
    const ours = await readCertificate(await ca.sign(request));
    await sshKeygen([
      '-s',
      path.join(root, 'ca', 'ca'),
      '-I',
      'g-vendor',
      '-n',
      'vendor',
      '-V',
      `${sshTime(FROM)}:${sshTime(TO)}`,
      '-z',
      '5',
      '-O',
      'clear',
      '-O',
      'permit-pty',
      '-O',
      'source-address=203.0.113.0/24,198.51.100.7',
      '-q',
      keyFile,
    ]);
    const theirs = await readCertificate(await readFile(path.join(root, 'vendor-cert.pub'), 'utf8'));
    expect(ours).toEqual(theirs);
    expect(ours).toMatchObject({
      extensions: ['permit-pty'],
      criticalOptions: ['source-address 203.0.113.0/24,198.51.100.7'],
    });
  });
});
