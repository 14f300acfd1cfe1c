import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrokerClient } from '../../src/broker/client.js';
import { type RunningBroker, startBrokerServer } from '../../src/broker/server/broker-server.js';
import { createSshdSessionTerminator, type SshdSessionTerminator } from '../../src/broker/server/sshd-sessions.js';
import { loadSigningKey } from '../../src/broker/signing-key.js';
import type { Broker, GrantRequest } from '../../src/service/ports/broker.js';
import {
  makeUserKey,
  openSession,
  type RunningSshd,
  runSsh,
  type SshIdentity,
  sessionProcesses,
  startSshd,
  writeCertificate,
} from '../support/sshd.js';

/**
 * The bastion end to end: the reference broker (in this process) with the bot's signed client,
 * and a real OpenSSH sshd that trusts the broker's CA (GET /v1/ca.pub), reads the KRL the broker
 * writes, and whose log the broker's session terminator follows.
 */
const run = promisify(execFile);

describe('bastion: real sshd trusting the reference broker', () => {
  let dir: string;
  let terminator: SshdSessionTerminator;
  let broker: RunningBroker;
  let sshd: RunningSshd;
  let client: Broker;
  let keys = 0;

  /** A fresh user key with a certificate the broker issued for it, valid `forMs` from now. */
  const grantFor = async (grantId: string, forMs = 10 * 60_000) => {
    const identity = await makeUserKey(dir, `user-${(keys += 1)}`);
    const issued = await client.grant(grantRequest(grantId, identity, new Date(Date.now() + forMs).toISOString()));
    await writeCertificate(identity, issued.credential.certificate);
    return { identity, issued };
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-e2e-bastion-'));
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
    sshd = await startSshd({ caPublicKey, krlPath, logFile, principals: { root: ['ops'] } });
  });

  afterAll(async () => {
    await sshd?.stop();
    await terminator?.close();
    await broker?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lets a grant’s certificate log in as the user its principal maps to', async () => {
    const { identity, issued } = await grantFor('grant-login');
    const { stdout } = await run('ssh-keygen', ['-L', '-f', identity.certificateFile]);
    expect(stdout).toContain('Key ID: "grant-login"');
    expect(stdout).toContain(`Serial: ${issued.credential.serial}`);

    const login = await runSsh(sshd, identity, 'whoami');
    expect(login).toMatchObject({ code: 0, stdout: 'root\n' });
  });

  it('refuses the same certificate once the grant is revoked', async () => {
    const { identity } = await grantFor('grant-revoked');
    expect((await runSsh(sshd, identity, 'whoami')).code).toBe(0);

    await expect(client.revoke('grant-revoked')).resolves.toMatchObject({ id: 'grant-revoked', status: 'revoked' });
    const refused = await runSsh(sshd, identity, 'whoami');
    expect(refused.code).toBe(255);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('Permission denied');
    expect(await sshd.log()).toMatch(/Authentication key ED25519-CERT \S+ revoked by file/);
  });

  it('refuses a certificate whose window has passed', async () => {
    const { identity, issued } = await grantFor('grant-expiring', 3_000);
    expect((await runSsh(sshd, identity, 'whoami')).code).toBe(0);

    // The one real wait of the suite: sshd checks the certificate's validity against its own
    // clock, so the window has to really pass (notAfter is whole seconds; +1 s of margin).
    await new Promise((resolve) => setTimeout(resolve, Date.parse(issued.notAfter) - Date.now() + 1_000));
    const refused = await runSsh(sshd, identity, 'whoami');
    expect(refused.code).toBe(255);
    expect(refused.stderr).toContain('Permission denied');
    expect(await sshd.log()).toContain('Certificate invalid: expired');
  });

  it('ends an open session of the revoked grant within 5 s, while another grant’s session of the same user runs on', async () => {
    const a = await grantFor('grant-session-a');
    const b = await grantFor('grant-session-b');
    const sessionA = openSession(sshd, a.identity, 3611);
    const sessionB = openSession(sshd, b.identity, 3612);
    try {
      await Promise.all([sessionA.ready, sessionB.ready]);
      const commands = async () => (await sessionProcesses(sshd)).map((found) => found.command);
      // The shell prints its marker just before it execs sleep.
      await expect.poll(commands).toEqual(expect.arrayContaining(['sleep 3611', 'sleep 3612']));

      const revokedAt = Date.now();
      await client.revoke('grant-session-a');
      const ended = await Promise.race([
        sessionA.ended,
        new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), 5_000).unref()),
      ]);
      expect(ended).not.toBe('still open');
      expect(Date.now() - revokedAt).toBeLessThan(5_000);

      expect(await commands()).not.toContain('sleep 3611');
      expect(await commands()).toContain('sleep 3612');
      expect(sessionB.running()).toBe(true);
    } finally {
      sessionA.close();
      sessionB.close();
    }
  });
});

function grantRequest(id: string, identity: SshIdentity, notAfter: string): GrantRequest {
  return {
    id,
    requestId: `request-${id}`,
    kind: 'standard',
    subject: { type: 'user', id: 'U0ALICE', email: 'alice@example.com', sshPublicKey: identity.publicKey },
    target: { name: 'bastion', hosts: ['127.0.0.1'], principals: ['ops'] },
    notAfter,
    reason: 'e2e: bastion access',
  };
}
