import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readIfExists, syncDir, writeFileAtomic } from './atomic-file.js';
import type { SshKeygen } from './ssh-keygen.js';

/** The OpenSSH certificate authority: an Ed25519 key under dataDir, used through ssh-keygen. */
export interface CertificateAuthority {
  /** `ssh-ed25519 AAAA… jumpgate-ca`: what a bastion's TrustedUserCAKeys lists. */
  readonly publicKey: string;
  readonly publicKeyPath: string;
  sign(request: CertificateRequest): Promise<string>;
}

export interface CertificateRequest {
  /** The user's public key line (already validated). */
  readonly publicKey: string;
  /** Becomes the certificate's key id: the grant id, so sshd logs name the grant. */
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
  return {
    publicKey: publicKey.trim(),
    publicKeyPath,
    sign: (request) => sign(request, privateKeyPath, sshKeygen),
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

async function sign(request: CertificateRequest, caKey: string, sshKeygen: SshKeygen): Promise<string> {
  // mkdtemp makes the folder 0700: the user's key and the certificate are never world-readable.
  const work = await mkdtemp(path.join(tmpdir(), 'jumpgate-sign-'));
  try {
    const keyFile = path.join(work, 'key.pub');
    await writeFile(keyFile, `${request.publicKey}\n`, { mode: 0o600 });
    const options = request.restricted ? ['-O', 'clear', ...(request.allowPty ? ['-O', 'permit-pty'] : [])] : [];
    if (request.sourceAddress && request.sourceAddress.length > 0) options.push('-O', `source-address=${request.sourceAddress.join(',')}`);
    await sshKeygen(
      [
        '-s', caKey,
        '-I', request.keyId,
        '-n', request.principals.join(','),
        '-V', `${sshTime(request.validFromMs)}:${sshTime(request.validToMs)}`,
        '-z', request.serial,
        ...options,
        '-q',
        keyFile,
      ],
      { cwd: work },
    );
    return (await readFile(path.join(work, 'key-cert.pub'), 'utf8')).trim();
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** `YYYYMMDDHHMMSSZ`: ssh-keygen reads the trailing Z as UTC, whatever the machine's time zone. */
export function sshTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace(/[-T:]/g, '')}Z`;
}
