import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { GrantRequest } from '../../../src/service/ports/broker.js';

/** Real ssh-keygen around the broker's integration tests: user keys, reading certificates, KRL queries. */

const run = promisify(execFile);

export async function userKey(dir: string, name: string, args: string[] = ['-t', 'ed25519']): Promise<string> {
  const file = path.join(dir, name);
  await run('ssh-keygen', [...args, '-N', '', '-C', `${name}@laptop`, '-q', '-f', file]);
  return (await readFile(`${file}.pub`, 'utf8')).trim();
}

export interface CertificateInfo {
  readonly keyId: string;
  /** The certified key, e.g. `ED25519-CERT SHA256:…` (compare with `fingerprint`). */
  readonly publicKey: string;
  readonly serial: string;
  readonly signingCa: string;
  /** As ssh-keygen prints them in UTC, e.g. `2030-01-01T12:00:00`. */
  readonly validFrom: string;
  readonly validTo: string;
  readonly principals: readonly string[];
  readonly criticalOptions: readonly string[];
  readonly extensions: readonly string[];
}

/** `ssh-keygen -L` of a certificate line, in UTC, parsed into its fields. */
export async function readCertificate(certificate: string): Promise<CertificateInfo> {
  const dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-cert-'));
  const file = path.join(dir, 'key-cert.pub');
  await writeFile(file, `${certificate}\n`);
  const { stdout } = await run('ssh-keygen', ['-L', '-f', file], { env: { ...process.env, TZ: 'UTC' } });
  const field = (name: string) => new RegExp(`^\\s*${name}: (.*)$`, 'm').exec(stdout)?.[1]?.trim() ?? '';
  const list = (name: string) => {
    const match = new RegExp(`^\\s*${name}: ?(.*)\\n((?:\\s{16}.*\\n)*)`, 'm').exec(`${stdout}\n`);
    if (!match || match[1]?.trim() === '(none)') return [];
    return (match[2] ?? '')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '');
  };
  const valid = /^\s*Valid: from (\S+) to (\S+)$/m.exec(stdout);
  return {
    keyId: field('Key ID').replace(/^"|"$/g, ''),
    publicKey: field('Public key'),
    serial: field('Serial'),
    signingCa: field('Signing CA'),
    validFrom: valid?.[1] ?? '',
    validTo: valid?.[2] ?? '',
    principals: list('Principals'),
    criticalOptions: list('Critical Options'),
    extensions: list('Extensions'),
  };
}

/** SHA256 fingerprint of a public key line, as `ssh-keygen -l` prints it. */
export async function fingerprint(publicKey: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-fp-'));
  const file = path.join(dir, 'key.pub');
  await writeFile(file, `${publicKey}\n`);
  const { stdout } = await run('ssh-keygen', ['-l', '-f', file]);
  return stdout.split(' ')[1] ?? '';
}

/** `ssh-keygen -Q`: true when the KRL revokes the certificate (ssh-keygen exits non-zero then). */
export async function isRevoked(krlPath: string, certificate: string): Promise<boolean> {
  const dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-krlq-'));
  const file = path.join(dir, 'key-cert.pub');
  await writeFile(file, `${certificate}\n`);
  try {
    const { stdout } = await run('ssh-keygen', ['-Q', '-f', krlPath, file]);
    if (!stdout.includes(': ok')) throw new Error(`unexpected ssh-keygen -Q output: ${stdout}`);
    return false;
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout ?? '';
    if (stdout.includes('REVOKED')) return true;
    throw error;
  }
}

/** ssh-keygen prints times to the second without a zone; this is that form of an ISO time in UTC. */
export function sshPrinted(iso: string): string {
  return new Date(iso).toISOString().slice(0, 19);
}

export function grantRequest(
  sshPublicKey: string,
  overrides: Partial<GrantRequest> = {},
  nowMs = Date.now(),
): GrantRequest {
  return {
    id: 'g-1',
    requestId: 'r-1',
    kind: 'standard',
    subject: { type: 'user', id: 'U0ALICE', name: 'Alice', sshPublicKey },
    target: { name: 'prod-db', hosts: ['db-1.internal'], principals: ['dbadmin'] },
    notAfter: new Date(Math.floor(nowMs / 1000) * 1000 + 30 * 60_000).toISOString(),
    reason: 'fix replication INC-42',
    ...overrides,
  };
}

/** A raw HTTP call with a token the test made by hand (or none). */
export async function rawCall(
  baseUrl: string,
  method: string,
  pathAndQuery: string,
  options: { token?: string; body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<{ status: number; contentType: string | null; text: string; json: () => unknown }> {
  const response = await fetch(baseUrl + pathAndQuery, {
    method,
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text,
    json: () => JSON.parse(text) as unknown,
  };
}
