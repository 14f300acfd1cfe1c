import { rmSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KillFn } from '../../../src/broker/server/sshd-end-processes.js';
import { createSshdSessionTerminator, type SshdSessionTerminator } from '../../../src/broker/server/sshd-sessions.js';

/**
 * The terminator against a /proc laid out in a temp folder (a bastion frozen mid-session) and a
 * kill that only records, so it can be seen exactly which processes get which signal. The real
 * sshd version of this is test/e2e/sshd-sessions.test.ts.
 */
const CA = 'CA ED25519 SHA256:rFaNmyHlYW+wKUfWmH6vHaYeyjA3yxnxKolnHjodqMU';
const certLogin = (client: string, port: number, id: string, serial: number) => [
  `Connection from ${client} port ${port} on 10.0.0.1 port 22 rdomain ""`,
  `Accepted publickey for ops from ${client} port ${port} ssh2: ED25519-CERT SHA256:niBzq04oV8u2mmw3rCd4MBWe3r6k6NNF0RCWDjhEm3I ID ${id} (serial ${serial}) ${CA}`,
];

interface FakeProcess {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  readonly sockets?: readonly number[];
  /** Default 0 (root). */
  readonly uid?: number;
  /** Default /usr/sbin/sshd for a process named sshd, else /usr/bin/<comm>. */
  readonly exe?: string;
}

// Listener 10; grant-a's connection: privileged monitor 20, its user-side child 21 (both hold
// the socket), the shell 22 and its command 23; grant-b's connection 30 with a command 31; a
// plain-key connection 40; a process that is no sshd 50.
const BASTION: readonly FakeProcess[] = [
  { pid: 10, ppid: 1, comm: 'sshd', sockets: [100] },
  { pid: 20, ppid: 10, comm: 'sshd', sockets: [201] },
  { pid: 21, ppid: 20, comm: 'sshd', sockets: [201] },
  { pid: 22, ppid: 21, comm: 'bash' },
  { pid: 23, ppid: 22, comm: 'sleep' },
  { pid: 30, ppid: 10, comm: 'sshd', sockets: [301] },
  { pid: 31, ppid: 30, comm: 'sleep' },
  { pid: 40, ppid: 10, comm: 'sshd', sockets: [401] },
  { pid: 50, ppid: 1, comm: 'nginx', sockets: [201] },
];

const SOCKETS = [
  { local: '10.0.0.1:22', remote: '0.0.0.0:0', state: '0A', inode: 100 },
  { local: '10.0.0.1:22', remote: '10.0.0.7:50001', state: '01', inode: 201 },
  { local: '10.0.0.1:22', remote: '10.0.0.8:50002', state: '01', inode: 301 },
  { local: '10.0.0.1:22', remote: '10.0.0.9:50003', state: '01', inode: 401 },
];

describe('createSshdSessionTerminator', () => {
  let dir: string;
  let proc: string;
  let logFile: string;
  let signals: [number, NodeJS.Signals][];
  let ignoresTerm: Set<number>;
  let clock: number;
  let terminator: SshdSessionTerminator | undefined;

  const kill: KillFn = (pid, signal) => {
    signals.push([pid, signal]);
    if (signal === 'SIGKILL' || !ignoresTerm.has(pid))
      rmSync(path.join(proc, String(pid)), { recursive: true, force: true });
  };

  const start = (graceMs = 1_000) =>
    (terminator = createSshdSessionTerminator({
      logFile,
      procRoot: proc,
      kill,
      graceMs,
      pollIntervalMs: 3_600_000,
      now: () => clock,
      sleep: (ms) => {
        clock += ms;
        return Promise.resolve();
      },
    }));

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-sessions-'));
    proc = path.join(dir, 'proc');
    logFile = path.join(dir, 'sshd.log');
    signals = [];
    ignoresTerm = new Set();
    clock = 0;
    await layOutProc(proc, BASTION, SOCKETS);
    await writeFile(
      logFile,
      [
        'Server listening on 10.0.0.1 port 22.',
        // grant-a logged in earlier from another port; that connection is closed now.
        ...certLogin('10.0.0.7', 49999, 'grant-a', 11),
        ...certLogin('10.0.0.7', 50001, 'grant-a', 11),
        ...certLogin('10.0.0.8', 50002, 'grant-b', 12),
        'Connection from 10.0.0.9 port 50003 on 10.0.0.1 port 22 rdomain ""',
        'Accepted publickey for ops from 10.0.0.9 port 50003 ssh2: ED25519 SHA256:niBzq04oV8u2mmw3rCd4MBWe3r6k6NNF0RCWDjhEm3I',
        '',
      ].join('\n'),
    );
  });
  afterEach(async () => {
    await terminator?.close();
    terminator = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('ends every process of the revoked certificate’s open connection and nothing else', async () => {
    await expect(start().terminate({ id: 'grant-a', serial: '11' })).resolves.toBe(1);
    expect(signals.map(([pid]) => pid).sort()).toEqual([20, 21, 22, 23]);
    expect(signals.every(([, signal]) => signal === 'SIGTERM')).toBe(true);
  });

  it('sends SIGKILL after the grace to a process that outlives SIGTERM', async () => {
    ignoresTerm.add(22);
    await start(2_000).terminate({ id: 'grant-a', serial: '11' });
    expect(signals.filter(([, signal]) => signal === 'SIGKILL')).toEqual([[22, 'SIGKILL']]);
    expect(clock).toBeGreaterThanOrEqual(2_000);
  });

  it('rejects when it may not signal, and finds the same sessions again on the next attempt', async () => {
    let permitted = false;
    terminator = createSshdSessionTerminator({
      logFile,
      procRoot: proc,
      pollIntervalMs: 3_600_000,
      kill: (pid, signal) => {
        if (!permitted) throw Object.assign(new Error('kill EPERM'), { code: 'EPERM' });
        kill(pid, signal);
      },
    });
    await expect(terminator.terminate({ id: 'grant-a', serial: '11' })).rejects.toThrow('EPERM');
    permitted = true;
    await expect(terminator.terminate({ id: 'grant-a', serial: '11' })).resolves.toBe(1);
    expect(signals.map(([pid]) => pid).sort()).toEqual([20, 21, 22, 23]);
  });

  it('needs both the key id and the serial to match', async () => {
    const sessions = start();
    await expect(sessions.terminate({ id: 'grant-a', serial: '12' })).resolves.toBe(0);
    await expect(sessions.terminate({ id: 'grant-b', serial: '11' })).resolves.toBe(0);
    await expect(sessions.terminate({ id: 'grant-z', serial: '99' })).resolves.toBe(0);
    expect(signals).toEqual([]);
  });

  it('knows the certificate sessions whose connection the kernel shows open, and believes no Disconnected line', async () => {
    const sessions = start();
    expect((await sessions.sessions()).map((session) => [session.grantId, session.client.port])).toEqual([
      ['grant-a', 50001],
      ['grant-b', 50002],
    ]);
    await appendFile(logFile, 'Disconnected from user ops 10.0.0.8 port 50002\n');
    expect((await sessions.sessions()).map((session) => session.client.port)).toEqual([50001, 50002]);
    await writeTcpTable(
      proc,
      SOCKETS.filter((socket) => socket.inode !== 301),
    );
    expect((await sessions.sessions()).map((session) => session.client.port)).toEqual([50001]);
    await expect(sessions.terminate({ id: 'grant-b', serial: '12' })).resolves.toBe(0);
  });

  it('keeps a live connection bound when a later line names the same client port again', async () => {
    const sessions = start();
    await sessions.sessions();
    await appendFile(
      logFile,
      [
        'Connection from 10.0.0.7 port 50001 on 10.0.0.1 port 22 rdomain ""',
        ...certLogin('10.0.0.7', 50001, 'grant-z', 99),
        '',
      ].join('\n'),
    );
    await expect(sessions.terminate({ id: 'grant-z', serial: '99' })).resolves.toBe(0);
    await expect(sessions.terminate({ id: 'grant-a', serial: '11' })).resolves.toBe(1);
    expect(signals.map(([pid]) => pid).sort()).toEqual([20, 21, 22, 23]);
  });

  it('believes a line’s pid only when it is a root sshd holding that connection', async () => {
    await layOutProc(
      proc,
      [{ pid: 60, ppid: 1, comm: 'sshd', uid: 1000, exe: '/home/mallory/sshd', sockets: [301] }],
      [],
    );
    const line = (pid: number) =>
      `Nov 22 04:35:34 bastion sshd[${pid}]: ${certLogin('10.0.0.8', 50002, 'grant-m', 66)[1]}\n`;
    // Not sshd; the listener; an sshd holding another connection; a user's own "sshd".
    await writeFile(logFile, [50, 10, 20, 60].map(line).join(''));
    const sessions = start();
    expect(await sessions.sessions()).toEqual([]);
    await expect(sessions.terminate({ id: 'grant-m', serial: '66' })).resolves.toBe(0);
    expect(signals).toEqual([]);
  });

  it('reads auth.log lines and keeps the pid they carry', async () => {
    await writeFile(
      logFile,
      certLogin('10.0.0.8', 50002, 'grant-b', 12)
        .map((line) => `Nov 22 04:35:34 bastion sshd[30]: ${line}\n`)
        .join(''),
    );
    const sessions = start();
    expect(await sessions.sessions()).toEqual([
      { grantId: 'grant-b', serial: '12', user: 'ops', client: { address: '10.0.0.8', port: 50002 }, pids: [30] },
    ]);
    await expect(sessions.terminate({ id: 'grant-b', serial: '12' })).resolves.toBe(1);
    expect(signals.map(([pid]) => pid).sort()).toEqual([30, 31]);
  });

  it('never signals the listening sshd, even when it still holds the connection', async () => {
    await rm(path.join(proc, '10'), { recursive: true });
    await layOutProc(proc, [{ pid: 10, ppid: 1, comm: 'sshd', sockets: [100, 301] }], []);
    await start().terminate({ id: 'grant-b', serial: '12' });
    expect(signals.map(([pid]) => pid).sort()).toEqual([30, 31]);
  });

  it('forgets, on its sweep, the sessions whose connection has closed', async () => {
    terminator = createSshdSessionTerminator({
      logFile,
      procRoot: proc,
      kill,
      pollIntervalMs: 3_600_000,
      sweepIntervalMs: 10,
    });
    await expect
      .poll(async () => (await terminator!.sessions()).map((session) => session.client.port), { timeout: 2_000 })
      .toEqual([50001, 50002]);
  });
});

async function writeTcpTable(proc: string, sockets: typeof SOCKETS): Promise<void> {
  const rows = sockets.map(
    (socket, at) =>
      `   ${at}: ${hexEndpoint(socket.local)} ${hexEndpoint(socket.remote)} ${socket.state} 00000000:00000000 00:00000000 00000000     0        0 ${socket.inode} 1 0000000000000000 20 4 30 10 -1`,
  );
  await writeFile(
    path.join(proc, 'net', 'tcp'),
    [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      ...rows,
      '',
    ].join('\n'),
  );
}

async function layOutProc(proc: string, processes: readonly FakeProcess[], sockets: typeof SOCKETS): Promise<void> {
  await mkdir(path.join(proc, 'net'), { recursive: true });
  if (sockets.length > 0) await writeTcpTable(proc, sockets);
  for (const info of processes) {
    const fd = path.join(proc, String(info.pid), 'fd');
    await mkdir(fd, { recursive: true });
    const uid = info.uid ?? 0;
    await writeFile(
      path.join(proc, String(info.pid), 'status'),
      `Name:\t${info.comm}\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`,
    );
    await symlink(
      info.exe ?? (info.comm === 'sshd' ? '/usr/sbin/sshd' : `/usr/bin/${info.comm}`),
      path.join(proc, String(info.pid), 'exe'),
    );
    // Fields 3… of /proc/<pid>/stat; the 20th after the command name is the start time.
    await writeFile(
      path.join(proc, String(info.pid), 'stat'),
      `${info.pid} (${info.comm}) S ${info.ppid} ${'0 '.repeat(17)}${1000 + info.pid} 0 0\n`,
    );
    await writeFile(path.join(fd, '0'), '');
    for (const [at, inode] of (info.sockets ?? []).entries())
      await symlink(`socket:[${inode}]`, path.join(fd, String(at + 3)));
  }
}

/** `10.0.0.7:50001` as a little-endian kernel prints it: `0700000A:C351`. */
function hexEndpoint(endpoint: string): string {
  const [address, port] = endpoint.split(':') as [string, string];
  const hex = address
    .split('.')
    .reverse()
    .map((byte) => Number(byte).toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
  return `${hex}:${Number(port).toString(16).padStart(4, '0').toUpperCase()}`;
}
