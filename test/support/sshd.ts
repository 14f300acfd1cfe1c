import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { readProcess, readProcessTable } from '../../src/broker/server/sshd-processes.js';
import { freePort } from '../../src/store/local-redis.js';

/**
 * A real OpenSSH sshd on a loopback port, configured like a Jumpgate bastion: it trusts one user
 * CA, reads a KRL, maps certificate principals to Unix users through a principals file, and
 * logs each certificate login (LogLevel VERBOSE) to its own file. Tests log in as root with a
 * certificate whose principal is listed for root, so no system user is created.
 */
export const SSHD = '/usr/sbin/sshd';
const run = promisify(execFile);

export interface SshdOptions {
  /** The CA's public key line (`TrustedUserCAKeys`). */
  readonly caPublicKey: string;
  /** The KRL sshd reads; an empty one is made when it does not exist (sshd refuses every key without it). */
  readonly krlPath: string;
  /** Unix user → certificate principals allowed to log in as them. */
  readonly principals: Readonly<Record<string, readonly string[]>>;
  /** Where sshd logs (`-E`); default a file in its temp folder. Known before start, so a log reader can be set up first. */
  readonly logFile?: string;
}

export interface RunningSshd {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly pid: number;
  readonly dir: string;
  readonly logFile: string;
  log(): Promise<string>;
  /** Ends sshd and every session it still has. */
  stop(): Promise<void>;
}

export async function startSshd(options: SshdOptions): Promise<RunningSshd> {
  await access(SSHD, constants.X_OK).catch((error: unknown) => {
    throw new Error(
      `the bastion tests need a real sshd at ${SSHD}: install it with "apt-get install openssh-server openssh-client"`,
      { cause: error },
    );
  });
  // sshd's privilege separation directory; Debian's package creates it only at boot.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-sshd-'));
  const hostKey = path.join(dir, 'ssh_host_ed25519_key');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'jumpgate-test-host', '-f', hostKey]).catch(
    (error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT'
        ? new Error('the bastion tests need ssh-keygen and ssh: install them with "apt-get install openssh-client"', {
            cause: error,
          })
        : error;
    },
  );
  await writeFile(path.join(dir, 'ca.pub'), `${options.caPublicKey.trim()}\n`);
  if (!(await exists(options.krlPath))) await run('ssh-keygen', ['-k', '-f', options.krlPath]);
  await mkdir(path.join(dir, 'principals'));
  for (const [user, principals] of Object.entries(options.principals)) {
    await writeFile(path.join(dir, 'principals', user), principals.map((name) => `${name}\n`).join(''));
  }

  const logFile = options.logFile ?? path.join(dir, 'sshd.log');
  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const config = path.join(dir, 'sshd_config');
    await writeFile(config, sshdConfig({ dir, port, hostKey, krlPath: options.krlPath }));
    await writeFile(logFile, '');
    const child = spawn(SSHD, ['-D', '-f', config, '-E', logFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const failure = await waitForListening(child, logFile, port);
    if (failure === undefined) {
      return {
        host: '127.0.0.1',
        port,
        pid: child.pid!,
        dir,
        logFile,
        log: () => readFile(logFile, 'utf8'),
        stop: async () => {
          await stopWithSessions(child, port);
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    const log = await readFile(logFile, 'utf8');
    // freePort() only found a port free a moment ago; someone may have taken it since.
    if (attempt < 3 && /Address already in use/.test(log + stderr)) continue;
    throw new Error(`sshd did not start (${failure}): ${(log + stderr).trim()}`);
  }
}

export function sshdConfig(input: { dir: string; port: number; hostKey: string; krlPath: string }): string {
  return [
    `Port ${input.port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${input.hostKey}`,
    `TrustedUserCAKeys ${path.join(input.dir, 'ca.pub')}`,
    `RevokedKeys ${input.krlPath}`,
    `AuthorizedPrincipalsFile ${path.join(input.dir, 'principals')}/%u`,
    'AuthorizedKeysFile none',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    // The temp folder is not root-owned all the way up.
    'StrictModes no',
    'UsePAM no',
    'LogLevel VERBOSE',
    'PidFile none',
    '',
  ].join('\n');
}

/** Undefined once sshd listens, else why it does not. */
async function waitForListening(child: ChildProcess, logFile: string, port: number): Promise<string | undefined> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      return `exited with ${child.exitCode ?? child.signalCode}`;
    const log = await readFile(logFile, 'utf8').catch(() => '');
    if (log.includes(`Server listening on 127.0.0.1 port ${port}.`)) return undefined;
    // Polling a file that sshd writes once; nothing to subscribe to.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  child.kill('SIGKILL');
  return 'timed out after 10 s';
}

async function stopWithSessions(child: ChildProcess, port: number): Promise<void> {
  // The listener's exit does not end its sessions, and a command whose connection already closed
  // (a `sleep` without a pty) lives on under init. Commands go first, while their sshd parents
  // are there to reap them, then the per-connection sshds, which the listener reaps, then it.
  await killAndWait((await sessionProcesses({ port })).map((found) => found.pid));
  const table = await readProcessTable();
  await killAndWait([...table.values()].filter((info) => info.ppid === child.pid).map((info) => info.pid));
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

async function killAndWait(pids: readonly number[]): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  const deadline = Date.now() + 2_000;
  while (Date.now() < deadline) {
    const left = await Promise.all(pids.map((pid) => readProcess('/proc', pid)));
    if (left.every((info) => info === undefined)) return;
    // Waiting for the parents to reap them; nothing to subscribe to.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A process started in an ssh session of this sshd (its SSH_CONNECTION names the sshd port). */
export interface SessionProcess {
  readonly pid: number;
  /** The command line, arguments joined by spaces. */
  readonly command: string;
  /** The client's port, from SSH_CONNECTION. */
  readonly clientPort: number;
}

export async function sessionProcesses(sshd: Pick<RunningSshd, 'port'>): Promise<SessionProcess[]> {
  const found: SessionProcess[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const environ = await readFile(path.join('/proc', name, 'environ'), 'utf8').catch(() => '');
    const connection = /(?:^|\0)SSH_CONNECTION=\S+ (\d+) 127\.0\.0\.1 (\d+)(?:\0|$)/.exec(environ);
    if (!connection || Number(connection[2]) !== sshd.port) continue;
    const cmdline = await readFile(path.join('/proc', name, 'cmdline'), 'utf8').catch(() => '');
    found.push({
      pid: Number(name),
      command: cmdline.split('\0').filter(Boolean).join(' '),
      clientPort: Number(connection[1]),
    });
  }
  return found;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** A user's key pair and the certificate the broker issued for it, as files `ssh` reads. */
export interface SshIdentity {
  readonly keyFile: string;
  readonly publicKey: string;
  readonly certificateFile: string;
}

/** A fresh Ed25519 key pair under `dir`; the certificate goes next to it once issued. */
export async function makeUserKey(dir: string, name: string): Promise<SshIdentity> {
  const keyFile = path.join(dir, name);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', keyFile]);
  return {
    keyFile,
    publicKey: (await readFile(`${keyFile}.pub`, 'utf8')).trim(),
    certificateFile: `${keyFile}-cert.pub`,
  };
}

export async function writeCertificate(identity: SshIdentity, certificate: string): Promise<void> {
  await writeFile(identity.certificateFile, `${certificate.trim()}\n`);
}

/**
 * Signs the identity's public key with a test CA's private key (`ssh-keygen -s`), valid from a
 * minute ago for ten minutes, and writes the certificate where ssh looks for it.
 */
export async function certifyWithCa(
  identity: SshIdentity,
  caKeyFile: string,
  cert: { readonly id: string; readonly serial: number; readonly principal: string },
): Promise<void> {
  await run('ssh-keygen', [
    '-q',
    '-s',
    caKeyFile,
    '-I',
    cert.id,
    '-z',
    String(cert.serial),
    '-n',
    cert.principal,
    '-V',
    '-1m:+10m',
    `${identity.keyFile}.pub`,
  ]);
  await writeCertificate(identity, await readFile(identity.certificateFile, 'utf8'));
}

export function sshArgs(
  sshd: Pick<RunningSshd, 'host' | 'port'>,
  identity: SshIdentity,
  command: string,
  user = 'root',
): string[] {
  return [
    '-F',
    '/dev/null',
    '-i',
    identity.keyFile,
    '-o',
    `CertificateFile=${identity.certificateFile}`,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=5',
    '-o',
    'LogLevel=ERROR',
    '-p',
    String(sshd.port),
    `${user}@${sshd.host}`,
    command,
  ];
}

export interface SshResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one command over ssh and waits for it; a refused login is a result (code 255), not an error. */
export function runSsh(
  sshd: Pick<RunningSshd, 'host' | 'port'>,
  identity: SshIdentity,
  command: string,
): Promise<SshResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', sshArgs(sshd, identity, command), { stdio: ['ignore', 'pipe', 'pipe'] });
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

/** A long-lived ssh session (`sleep 60` on the bastion) whose end a test can watch. */
export interface SshSession {
  /** Resolves once the session's shell runs on the bastion (sshd has logged the login by then). */
  readonly ready: Promise<void>;
  /** Resolves when the client's connection ends, with the ms it lasted after `ready`. */
  readonly ended: Promise<{ code: number | null; afterReadyMs: number; stderr: string }>;
  running(): boolean;
  close(): void;
}

export function openSession(
  sshd: Pick<RunningSshd, 'host' | 'port'>,
  identity: SshIdentity,
  seconds = 60,
  user = 'root',
): SshSession {
  const marker = 'jumpgate-session-ready';
  const child = spawn('ssh', sshArgs(sshd, identity, `echo ${marker}; exec sleep ${seconds}`, user), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let readyAt = 0;
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (readyAt === 0 && stdout.includes(marker)) {
        readyAt = Date.now();
        resolve();
      }
    });
    child.once('close', (code) =>
      reject(new Error(`the ssh session ended before it started (exit ${code}): ${stderr.trim()}`)),
    );
  });
  const ended = new Promise<{ code: number | null; afterReadyMs: number; stderr: string }>((resolve) => {
    child.once('close', (code) => resolve({ code, afterReadyMs: readyAt === 0 ? 0 : Date.now() - readyAt, stderr }));
  });
  // A session that never gets ready is reported through `ready`; keep `ended` from dangling.
  ready.catch(() => undefined);
  return {
    ready,
    ended,
    running: () => child.exitCode === null && child.signalCode === null,
    close: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
