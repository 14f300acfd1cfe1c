import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readIfExists, syncDir, writeFileAtomic } from './atomic-file.js';
import { DEFAULT_EXTENSIONS, type Ed25519Ca, readEd25519Ca, signCertificate } from './certificate-format.js';
import type { SshKeygen } from './ssh-keygen.js';

/**
 * The OpenSSH certificate authority: an Ed25519 key under dataDir, made by ssh-keygen, that signs
 * certificates in this process (certificate-format.ts). At open, one expired probe certificate is
 * read back by ssh-keygen, so an OpenSSH that would not read them stops the broker at start.
 */
export interface CertificateAuthority {
  /** `ssh-ed25519 AAAA… jumpgate-ca`: what a bastion's TrustedUserCAKeys lists. */
  readonly publicKey: string;
  readonly publicKeyPath: string;
  sign(request: CertificateRequest): Promise<string>;
}

export interface CertificateRequest {
  /** The user's public key line (already validated). */
  readonly publicKey: string;
  /** Becomes the certificate's key id: starts with the grant id, so sshd logs name the grant (certificate-key-id.ts). */
  readonly keyId: string;
  readonly principals: readonly string[];
  readonly serial: string;
  readonly validFromMs: number;
  readonly validToMs: number;
  /** Vendor sessions: every extension cleared, then only a PTY when allowed. */
  readonly restricted: boolean;
  readonly allowPty: boolean;
  readonly sourceAddress?: readonly string[];
}

export const CA_KEY_FILE = 'ca';

/** Creates the CA key on first start (atomically, 0600) and reuses it afterwards. */
export async function openCertificateAuthority(dataDir: string, sshKeygen: SshKeygen): Promise<CertificateAuthority> {
  const privateKeyPath = path.join(dataDir, CA_KEY_FILE);
  const publicKeyPath = `${privateKeyPath}.pub`;
  let publicKey = await readIfExists(publicKeyPath);
  const hasPrivateKey = (await readIfExists(privateKeyPath)) !== undefined;
  if (!hasPrivateKey && publicKey !== undefined) {
    // Never replace a CA silently: every bastion trusts the old one.
    throw new Error(
      `${publicKeyPath} exists but the CA private key ${privateKeyPath} is missing: restore it, or delete ${publicKeyPath} ` +
        'to create a new CA (every bastion must then trust the new ca.pub)',
    );
  }
  if (!hasPrivateKey) publicKey = await createCaKey(dataDir, privateKeyPath, sshKeygen);
  await chmod(privateKeyPath, 0o600);
  if (publicKey === undefined) {
    publicKey = (await sshKeygen(['-y', '-f', privateKeyPath])).stdout;
    await writeFileAtomic(publicKeyPath, publicKey, 0o644);
  }
  const key = readEd25519Ca(await readFile(privateKeyPath, 'utf8'));
  await checkReadable(key, publicKey.trim(), sshKeygen);
  return {
    publicKey: publicKey.trim(),
    publicKeyPath,
    sign: (request) => Promise.resolve(sign(request, key)),
  };
}

async function createCaKey(dataDir: string, privateKeyPath: string, sshKeygen: SshKeygen): Promise<string> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // Generated beside the final place and renamed in, so a crash never leaves half a CA.
  const staging = await mkdtemp(path.join(dataDir, '.ca-'));
  try {
    const staged = path.join(staging, CA_KEY_FILE);
    await sshKeygen(['-t', 'ed25519', '-N', '', '-C', 'jumpgate-ca', '-q', '-f', staged]);
    await chmod(staged, 0o600);
    await rename(staged, privateKeyPath);
    await rename(`${staged}.pub`, `${privateKeyPath}.pub`);
    await syncDir(dataDir);
    return await readFile(`${privateKeyPath}.pub`, 'utf8');
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function sign(request: CertificateRequest, ca: Ed25519Ca): string {
  // Vendor certificates: every extension cleared, then only a PTY when allowed (ssh-keygen's -O clear).
  const extensions = request.restricted ? (request.allowPty ? ['permit-pty'] : []) : DEFAULT_EXTENSIONS;
  const sourceAddress =
    request.sourceAddress && request.sourceAddress.length > 0 ? request.sourceAddress.join(',') : undefined;
  return signCertificate(ca, {
    publicKey: request.publicKey,
    keyId: request.keyId,
    principals: request.principals,
    serial: BigInt(request.serial),
    validAfterSeconds: BigInt(Math.floor(request.validFromMs / 1000)),
    validBeforeSeconds: BigInt(Math.floor(request.validToMs / 1000)),
    criticalOptions: sourceAddress === undefined ? {} : { 'source-address': sourceAddress },
    extensions,
  });
}

/** An expired certificate for the CA's own key (valid for one second in 1970), parsed by ssh-keygen -L. */
async function checkReadable(ca: Ed25519Ca, publicKey: string, sshKeygen: SshKeygen): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'jumpgate-ca-probe-'));
  try {
    const probe = sign(
      {
        publicKey,
        keyId: 'jumpgate-probe',
        principals: ['jumpgate-probe'],
        serial: '1',
        validFromMs: 0,
        validToMs: 1_000,
        restricted: true,
        allowPty: false,
      },
      ca,
    );
    const file = path.join(work, 'probe-cert.pub');
    await writeFile(file, `${probe}\n`, { mode: 0o600 });
    const { stdout } = await sshKeygen(['-L', '-f', file]);
    if (!stdout.includes('Key ID: "jumpgate-probe"'))
      throw new Error(`ssh-keygen did not read the broker's certificates back: ${stdout.slice(0, 200)}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** `YYYYMMDDHHMMSSZ`: ssh-keygen reads the trailing Z as UTC, whatever the machine's time zone. */
export function sshTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace(/[-T:]/g, '')}Z`;
}
