import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerClient } from '../../src/broker/client.js';
import { type RunningBroker, startBrokerServer } from '../../src/broker/server/broker-server.js';
import { createSshdSessionTerminator, type SshdSessionTerminator } from '../../src/broker/server/sshd-sessions.js';
import { loadSigningKey } from '../../src/broker/signing-key.js';
import type { Broker, GrantRequest } from '../../src/service/ports/broker.js';
import { readCertificate } from '../integration/broker/harness.js';
import {
  makeUserKey,
  openSession,
  type RunningSshd,
  runSsh,
  type SshIdentity,
  sshArgs,
  startSshd,
  writeCertificate,
} from '../support/sshd.js';

/**
 * A vendor certificate against a real sshd: it logs in as the vendor principal, but the
 * certificate carries none of OpenSSH's permit-* extensions, so sshd refuses port forwarding
 * (`ssh -L`) and a PTY. A person's certificate on the same sshd forwards, so the refusal is the
 * certificate's doing and not the test set-up's.
 */
describe('vendor certificate on a real sshd', () => {
  let dir: string;
  let terminator: SshdSessionTerminator;
  let broker: RunningBroker;
  let sshd: RunningSshd;
  let client: Broker;
  let keys = 0;

  const grantFor = async (id: string, kind: 'standard' | 'vendor') => {
    const identity = await makeUserKey(dir, `key-${(keys += 1)}`);
    const issued = await client.grant(grantRequest(id, kind, identity));
    await writeCertificate(identity, issued.credential.certificate);
    return { identity, certificate: issued.credential.certificate };
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-e2e-vendor-'));
    const logFile = path.join(dir, 'sshd.log');
    const krlPath = path.join(dir, 'bastion', 'revoked.krl');
    terminator = createSshdSessionTerminator({ logFile, graceMs: 1_000 });
    const signingKey = await loadSigningKey({ dataDir: path.join(dir, 'bot') });
    broker = await startBrokerServer({
      dataDir: path.join(dir, 'broker'),
      trustedKeys: signingKey.jwks,
      krlPath,
      sessions: terminator,
    });
    client = createBrokerClient({ baseUrl: broker.url, signingKey, retries: 0 });
    const caPublicKey = await fetch(`${broker.url}/v1/ca.pub`).then((response) => response.text());
    sshd = await startSshd({ caPublicKey, krlPath, logFile, principals: { root: ['ops', 'vendor'] } });
  });

  afterAll(async () => {
    await sshd?.stop();
    await terminator?.close();
    await broker?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('logs in as the vendor principal, and names vendor and sponsor in sshd’s log', async () => {
    const { identity, certificate } = await grantFor('grant-vendor-login', 'vendor');
    const cert = await readCertificate(certificate);
    expect(cert.principals).toEqual(['vendor']);
    expect(cert.extensions).toEqual([]);
    expect((await runSsh(sshd, identity, 'whoami')).stdout).toBe('root\n');
    expect(await sshd.log()).toContain('ID grant-vendor-login vendor=jane@acme.example sponsor=U0ALICE (serial');
  });

  it('refuses ssh -L port forwarding to a vendor, where a person’s certificate forwards', async () => {
    const person = await grantFor('grant-person-forward', 'standard');
    const forwarded = await throughForward(sshd, person.identity);
    expect(forwarded.received).toContain('SSH-2.0-');

    const vendor = await grantFor('grant-vendor-forward', 'vendor');
    const refused = await throughForward(sshd, vendor.identity);
    expect(refused.received).toBe('');
    expect(refused.stderr).toContain('administratively prohibited');
  });

  it('gives a vendor no PTY, where a person’s certificate gets one', async () => {
    const person = await grantFor('grant-person-pty', 'standard');
    expect((await sshWith(['-tt'], sshd, person.identity, 'tty')).stdout).toMatch(/^\/dev\/pts\/\d+/);

    const vendor = await grantFor('grant-vendor-pty', 'vendor');
    const refused = await sshWith(['-tt'], sshd, vendor.identity, 'tty');
    expect(refused.stderr).toContain('PTY allocation request failed');
    expect(refused.stdout).not.toContain('/dev/pts');
  });

  it('ends the vendor’s open session when the grant is revoked (the key id still leads with the grant id)', async () => {
    const { identity } = await grantFor('grant-vendor-session', 'vendor');
    const session = openSession(sshd, identity, 3621);
    try {
      await session.ready;
      await client.revoke('grant-vendor-session');
      const ended = await Promise.race([
        session.ended,
        new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), 5_000).unref()),
      ]);
      expect(ended).not.toBe('still open');
    } finally {
      session.close();
    }
  });

  function grantRequest(id: string, kind: 'standard' | 'vendor', identity: SshIdentity): GrantRequest {
    const notAfter = new Date(Date.now() + 10 * 60_000).toISOString();
    return kind === 'vendor'
      ? {
          id,
          requestId: `request-${id}`,
          kind,
          subject: {
            type: 'vendor',
            email: 'jane@acme.example',
            name: 'Jane Doe, Acme',
            sponsor: 'U0ALICE',
            sshPublicKey: identity.publicKey,
          },
          target: { name: 'vendor-gw', hosts: ['127.0.0.1'], principals: ['vendor'] },
          notAfter,
          reason: 'e2e: vendor session',
          options: { allowPty: false },
        }
      : {
          id,
          requestId: `request-${id}`,
          kind,
          subject: { type: 'user', id: 'U0ALICE', email: 'alice@example.com', sshPublicKey: identity.publicKey },
          target: { name: 'bastion', hosts: ['127.0.0.1'], principals: ['ops'] },
          notAfter,
          reason: 'e2e: bastion access',
        };
  }
});

/** Runs one ssh command with extra client options first. */
function sshWith(
  options: readonly string[],
  sshd: RunningSshd,
  identity: SshIdentity,
  command: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', [...options, ...sshArgs(sshd, identity, command)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * `ssh -L <local>:127.0.0.1:<sshd port>` with a session that stays open, then one TCP connection
 * through the local end: what came back (sshd's banner, when the forward works) and what the ssh
 * client printed. ssh opens its local listeners before the session's command runs, so once the
 * command's marker is printed the forward is in place.
 */
async function throughForward(sshd: RunningSshd, identity: SshIdentity): Promise<{ received: string; stderr: string }> {
  const localPort = await freePort();
  const marker = 'jumpgate-forward-ready';
  const child = spawn(
    'ssh',
    [
      '-o',
      'ExitOnForwardFailure=yes',
      '-L',
      `127.0.0.1:${localPort}:127.0.0.1:${sshd.port}`,
      ...sshArgs(sshd, identity, `echo ${marker}; exec sleep 30`).map((arg) =>
        arg === 'LogLevel=ERROR' ? 'LogLevel=INFO' : arg,
      ),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes(marker)) resolve();
      });
      child.once('close', (code) => reject(new Error(`ssh ended before its session started (${code}): ${stderr}`)));
    });
    const received = await new Promise<string>((resolve, reject) => {
      let data = '';
      const socket = createConnection({ host: '127.0.0.1', port: localPort });
      socket.on('data', (chunk: Buffer) => {
        data += chunk.toString();
        // sshd's banner is one line: enough to know the forward reached it.
        if (data.includes('\n')) socket.destroy();
      });
      socket.once('error', reject);
      socket.once('close', () => resolve(data));
      socket.setTimeout(10_000, () => socket.destroy());
    });
    // The client reports a refused channel on stderr right as it closes the local connection.
    if (received === '') await waitFor(() => stderr.includes('open failed'), 5_000);
    return { received, stderr };
  } finally {
    child.kill('SIGKILL');
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Polling the ssh client's stderr, which has no event for "this line was written".
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
