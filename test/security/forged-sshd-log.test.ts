import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { appendFile, chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSshdSessionTerminator, type SshdSessionTerminator } from '../../src/broker/server/sshd-sessions.js';
import { freePort } from '../../src/store/local-redis.js';
import { createLocalUser, type LocalUser } from '../support/local-user.js';
import {
  certifyWithCa,
  makeUserKey,
  openSession,
  type RunningSshd,
  type SshIdentity,
  sessionProcesses,
  startSshd,
} from '../support/sshd.js';
import { makeSigningKey } from '../support/token-builder.js';

/**
 * Attacks on the session terminator through the sshd log, against a real sshd: a local user who
 * can get a line that looks like sshd's into the log (`logger -t sshd …` reaches auth.log) tries
 * to have someone else's session ended with their own grant, or to hide their own session from
 * its revocation. The lines are appended to the followed file, as syslog would.
 */
const run = promisify(execFile);
const CA = 'CA ED25519 SHA256:rFaNmyHlYW+wKUfWmH6vHaYeyjA3yxnxKolnHjodqMU';
const accepted = (port: number, id: string, serial: number) =>
  `Accepted publickey for root from 127.0.0.1 port ${port} ssh2: ED25519-CERT SHA256:niBzq04oV8u2mmw3rCd4MBWe3r6k6NNF0RCWDjhEm3I ID ${id} (serial ${serial}) ${CA}`;
const syslog = (pid: number, message: string) => `Nov 29 22:00:00 bastion sshd[${pid}]: ${message}`;

describe('forged sshd log lines', () => {
  let dir: string;
  let sshd: RunningSshd;
  let terminator: SshdSessionTerminator;
  let victim: SshIdentity;
  let attacker: SshIdentity;
  let mallory: LocalUser;
  let malloryProcess: ChildProcess;

  const remoteCommands = async () => (await sessionProcesses(sshd)).map((found) => found.command);
  const forge = (lines: readonly string[]) => appendFile(sshd.logFile, lines.map((line) => `${line}\n`).join(''));
  /** The terminator's view of one grant's session, once it has read the real login. */
  const sessionOf = async (grantId: string) => {
    await expect
      .poll(async () => (await terminator.sessions()).filter((session) => session.grantId === grantId), {
        timeout: 10_000,
      })
      .toHaveLength(1);
    return (await terminator.sessions()).find((session) => session.grantId === grantId)!;
  };
  const certify = (identity: SshIdentity, id: string, serial: number, principal: string) =>
    certifyWithCa(identity, path.join(dir, 'ca'), { id, serial, principal });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-forged-log-'));
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test-ca', '-f', path.join(dir, 'ca')]);
    // The attacker is a local user of the bastion who logs in as herself; the victim logs in as root.
    mallory = await createLocalUser('jg-mallory', { sshLogin: true });
    const principals = { root: ['ops'], [mallory.name]: ['mallory'] };
    sshd = await startSshd({
      caPublicKey: await readFile(path.join(dir, 'ca.pub'), 'utf8'),
      krlPath: path.join(dir, 'revoked.krl'),
      principals,
    });
    // sshd reads a user's principals file as that user (the host key stays 0600).
    await chmod(sshd.dir, 0o755);
    await run('chmod', ['-R', 'a+rX', path.join(sshd.dir, 'principals')]);
    terminator = createSshdSessionTerminator({ logFile: sshd.logFile, graceMs: 1_000 });
    victim = await makeUserKey(dir, 'victim');
    attacker = await makeUserKey(dir, 'attacker');
    await certify(victim, 'grant-victim', 201, 'ops');
    await certify(attacker, 'grant-attacker', 202, 'mallory');
    // The attacker's own process on the bastion, whose pid a forged line can carry.
    malloryProcess = spawn('sleep', ['600'], { uid: mallory.uid, gid: mallory.gid, stdio: 'ignore' });
  });

  afterAll(async () => {
    malloryProcess?.kill('SIGKILL');
    await terminator?.close();
    await sshd?.stop();
    await mallory?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it('a forged Accepted line for another user’s connection never ends that session', async () => {
    const session = openSession(sshd, victim, 3701);
    try {
      await session.ready;
      const { client, pids } = await sessionOf('grant-victim');
      await forge([
        // sshd -E shape, with and without a `Connection from` line "starting over" the port.
        accepted(client.port, 'grant-attacker', 202),
        `Connection from 127.0.0.1 port ${client.port} on 127.0.0.1 port ${sshd.port}`,
        accepted(client.port, 'grant-attacker', 202),
        // syslog shape: the victim's real sshd pid, the attacker's own process, the listener.
        syslog(pids[0]!, accepted(client.port, 'grant-attacker', 202)),
        syslog(malloryProcess.pid!, accepted(client.port, 'grant-attacker', 202)),
        syslog(sshd.pid, accepted(client.port, 'grant-attacker', 202)),
      ]);

      await expect(terminator.terminate({ id: 'grant-attacker', serial: '202' })).resolves.toBe(0);
      expect(session.running()).toBe(true);
      expect(await remoteCommands()).toContain('sleep 3701');

      // The victim's own grant still ends it, through the real line, within 5 s.
      const startedAt = Date.now();
      await expect(terminator.terminate({ id: 'grant-victim', serial: '201' })).resolves.toBe(1);
      expect((await session.ended).code).toBe(255);
      expect(Date.now() - startedAt).toBeLessThan(5_000);
    } finally {
      session.close();
    }
  });

  it('a forged Disconnected line does not save the attacker’s session', async () => {
    const session = openSession(sshd, attacker, 3702, mallory.name);
    try {
      await session.ready;
      const { client, pids } = await sessionOf('grant-attacker');
      await forge([
        `Disconnected from user ${mallory.name} 127.0.0.1 port ${client.port}`,
        `Connection closed by 127.0.0.1 port ${client.port}`,
        `Connection from 127.0.0.1 port ${client.port} on 127.0.0.1 port ${sshd.port}`,
        `Accepted publickey for ${mallory.name} from 127.0.0.1 port ${client.port} ssh2: ED25519 SHA256:niBzq04oV8u2mmw3rCd4MBWe3r6k6NNF0RCWDjhEm3I`,
        syslog(pids[0]!, `Disconnected from user ${mallory.name} 127.0.0.1 port ${client.port}`),
        syslog(pids[0]!, accepted(client.port, 'grant-decoy', 999)),
      ]);
      expect((await terminator.sessions()).map((live) => live.grantId)).toEqual(['grant-attacker']);

      const startedAt = Date.now();
      await expect(terminator.terminate({ id: 'grant-attacker', serial: '202' })).resolves.toBe(1);
      expect((await session.ended).code).toBe(255);
      expect(Date.now() - startedAt).toBeLessThan(5_000);
      expect(await remoteCommands()).not.toContain('sleep 3702');
    } finally {
      session.close();
    }
  });
});

describe('an sshd log someone other than root can write', () => {
  const CLI = path.resolve('src/broker/server/cli.ts');
  let dir: string;
  let mallory: LocalUser;
  let trustedKeys: string;

  /** `npm run broker` with BROKER_SSHD_LOG; resolves with its exit code, or 'running' once /healthz answers. */
  const startBroker = async (sshdLog: string) => {
    const port = await freePort();
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('BROKER_') && name !== 'DATA_DIR'),
    );
    const env = {
      ...clean,
      LOG_LEVEL: 'warn',
      BROKER_TRUSTED_KEYS: trustedKeys,
      BROKER_PORT: String(port),
      DATA_DIR: path.join(dir, `data-${port}`),
      BROKER_SSHD_LOG: sshdLog,
    };
    const child = spawn(process.execPath, ['--import', 'tsx', CLI], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const up = (async () => {
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
        if (
          await fetch(`http://127.0.0.1:${port}/healthz`).then(
            () => true,
            () => false,
          )
        )
          return 'running' as const;
        // Nothing tells us when a child process starts listening but asking.
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return 'timed out' as const;
    })();
    const outcome = await Promise.race([exited, up]);
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    return { outcome, stderr };
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-log-owner-'));
    mallory = await createLocalUser();
    trustedKeys = JSON.stringify((await makeSigningKey()).jwks);
  });

  afterAll(async () => {
    await mallory?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it('a log file writable by a non-root user is refused, in one line naming the file and the fix', async () => {
    const owned = path.join(dir, 'owned-by-mallory.log');
    await writeFile(owned, '');
    await chown(owned, mallory.uid, mallory.gid);
    await chmod(owned, 0o640);
    const refused = await startBroker(owned);
    expect(refused.outcome).toBe(1);
    expect(refused.stderr).toBe(
      `BROKER_SSHD_LOG ${owned} must be writable by root only (a forged sshd line could end someone else's session), ` +
        `but ${owned} is owned by uid ${mallory.uid}, not root: chown root:root ${owned} && chmod 0640 ${owned} ` +
        `(README: "Ending the open sessions of a revoked grant")\n`,
    );

    const everyone = path.join(dir, 'world-writable.log');
    await writeFile(everyone, '');
    await chmod(everyone, 0o666);
    const alsoRefused = await startBroker(everyone);
    expect(alsoRefused.outcome).toBe(1);
    expect(alsoRefused.stderr).toContain(
      `but ${everyone} can be written by its group or by everyone (mode 666): chown root:root ${everyone}`,
    );
    expect(alsoRefused.stderr.trim().split('\n')).toHaveLength(1);

    // So is a file in a folder mallory may write (she could swap the file), even before sshd created it.
    const shared = path.join(dir, 'shared');
    await mkdir(shared);
    await chown(shared, mallory.uid, mallory.gid);
    const inShared = await startBroker(path.join(shared, 'sshd.log'));
    expect(inShared.outcome).toBe(1);
    expect(inShared.stderr).toContain(
      `but its folder ${shared} is owned by uid ${mallory.uid}, not root: chown root:root ${shared} && chmod go-w ${shared}`,
    );

    const rootOnly = path.join(dir, 'root-only.log');
    await writeFile(rootOnly, '', { mode: 0o640 });
    expect((await startBroker(rootOnly)).outcome).toBe('running');
  });

  it('a log file made writable by others after the start is no longer believed', async () => {
    const log = path.join(dir, 'loosened.log');
    await writeFile(log, '', { mode: 0o640 });
    const terminator = createSshdSessionTerminator({ logFile: log, pollIntervalMs: 3_600_000 });
    try {
      await expect(terminator.sessions()).resolves.toEqual([]);
      await chmod(log, 0o666);
      await expect(terminator.sessions()).rejects.toThrow(
        `${log} can be written by its group or by everyone (mode 666); not reading it`,
      );
      await chown(log, mallory.uid, mallory.gid);
      await chmod(log, 0o600);
      await expect(terminator.terminate({ id: 'grant-any', serial: '1' })).rejects.toThrow(
        `is owned by uid ${mallory.uid}, not root`,
      );
    } finally {
      await terminator.close();
    }
  });
});
