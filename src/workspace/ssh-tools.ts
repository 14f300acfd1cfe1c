import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One OpenSSH certificate line, as the bot's DM carries it. */
const CERTIFICATE =
  /^(ssh-[a-z0-9-]+|ecdsa-sha2-nistp\d+|sk-[a-z0-9-]+@openssh\.com)-cert-v01@openssh\.com [A-Za-z0-9+/=]+( [^\n]*)?$/;

/** A fresh ed25519 key pair made by the real ssh-keygen; the private key is kept nowhere. */
export async function generateKeyPair(comment: string): Promise<{ privateKey: string; publicKey: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-key-'));
  try {
    const file = path.join(dir, 'key');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { timeout: 10_000 });
    const [privateKey, publicKey] = await Promise.all([readFile(file, 'utf8'), readFile(`${file}.pub`, 'utf8')]);
    return { privateKey, publicKey: publicKey.trim() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `ssh-keygen -L` of a certificate line; throws when the text is not one certificate. */
export async function describeCertificate(certificate: string): Promise<string> {
  const line = certificate.trim();
  if (!CERTIFICATE.test(line))
    throw new Error('that is not an OpenSSH certificate (one line, …-cert-v01@openssh.com …)');
  const dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-cert-'));
  try {
    const file = path.join(dir, 'key-cert.pub');
    await writeFile(file, `${line}\n`);
    const { stdout } = await run('ssh-keygen', ['-L', '-f', file], { timeout: 10_000 });
    return stdout.replace(`${file}:`, 'certificate:').trimEnd();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
