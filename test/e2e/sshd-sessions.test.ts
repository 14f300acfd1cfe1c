import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSshdSessionTerminator, type SshdSessionTerminator } from '../../src/broker/server/sshd-sessions.js';
import {
  certifyWithCa,
  makeUserKey,
  openSession,
  type RunningSshd,
  runSsh,
  type SshIdentity,
  sessionProcesses,
  startSshd,
} from '../support/sshd.js';

/**
 * The session terminator against a real sshd, with certificates from a throwaway CA made here
 * (the broker's part is test/e2e/bastion.test.ts). It reads the log this sshd really writes and
 * ends the processes this sshd really forks.
 */
const run = promisify(execFile);

describe('sshd session terminator on a real sshd', () => {
  let dir: string;
  let sshd: RunningSshd;
  let terminator: SshdSessionTerminator;
  let alice: SshIdentity;
  let bob: SshIdentity;

  /** Command lines of the processes running in this sshd's sessions. */
  const remoteCommands = async () => (await sessionProcesses(sshd)).map((found) => found.command);

  const certify = (identity: SshIdentity, id: string, serial: number) =>
    certifyWithCa(identity, path.join(dir, 'ca'), { id, serial, principal: 'ops' });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-e2e-sessions-'));
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test-ca', '-f', path.join(dir, 'ca')]);
    sshd = await startSshd({
      caPublicKey: await readFile(path.join(dir, 'ca.pub'), 'utf8'),
      krlPath: path.join(dir, 'revoked.krl'),
      principals: { root: ['ops'] },
    });
    terminator = createSshdSessionTerminator({ logFile: sshd.logFile, graceMs: 1_000 });
    alice = await makeUserKey(dir, 'alice');
    bob = await makeUserKey(dir, 'bob');
    await certify(alice, 'grant-alice', 101);
    await certify(bob, 'grant-bob', 102);
  });

  afterAll(async () => {
    await terminator?.close();
    await sshd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('ends the revoked certificate’s session, its remote command included, and leaves the other grant’s session running', async () => {
    const revoked = openSession(sshd, alice, 3601);
    const other = openSession(sshd, bob, 3602);
    try {
      await Promise.all([revoked.ready, other.ready]);
      // The shell prints the marker just before it execs sleep.
      await expect.poll(remoteCommands).toEqual(expect.arrayContaining(['sleep 3601', 'sleep 3602']));

      const startedAt = Date.now();
      await expect(terminator.terminate({ id: 'grant-alice', serial: '101' })).resolves.toBe(1);
      const ended = await revoked.ended;
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      expect(ended.code).toBe(255);

      expect(await remoteCommands()).not.toContain('sleep 3601');
      expect(await remoteCommands()).toContain('sleep 3602');
      expect(other.running()).toBe(true);
      // The listening sshd still takes logins.
      expect((await runSsh(sshd, bob, 'whoami')).stdout.trim()).toBe('root');
    } finally {
      revoked.close();
      other.close();
    }
  });

  it('ends nothing for a certificate whose sessions have all closed', async () => {
    expect((await runSsh(sshd, alice, 'true')).code).toBe(0);
    // The client is done before its sshd process has logged the end and exited.
    await expect
      .poll(async () => (await terminator.sessions()).filter((session) => session.grantId === 'grant-alice'))
      .toEqual([]);
    await expect(terminator.terminate({ id: 'grant-alice', serial: '101' })).resolves.toBe(0);
  });

  it('ends every open session of the certificate', async () => {
    const first = openSession(sshd, bob, 3603);
    const second = openSession(sshd, bob, 3604);
    try {
      await Promise.all([first.ready, second.ready]);
      await expect.poll(remoteCommands).toEqual(expect.arrayContaining(['sleep 3603', 'sleep 3604']));
      await expect(terminator.terminate({ id: 'grant-bob', serial: '102' })).resolves.toBe(2);
      await Promise.all([first.ended, second.ended]);
      const left = await remoteCommands();
      expect(left).not.toContain('sleep 3603');
      expect(left).not.toContain('sleep 3604');
    } finally {
      first.close();
      second.close();
    }
  });
});
