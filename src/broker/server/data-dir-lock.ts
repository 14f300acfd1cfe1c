import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { JumpgateError } from '../../domain/errors.js';
import { readProcess } from './sshd-processes.js';

/**
 * One broker per DATA_DIR. Two brokers on one folder hand out the same serials, and each KRL
 * rewrite drops what the other revoked, so a revoked certificate works again.
 *
 * Node has no flock(2), so this is a pid lock file: `<DATA_DIR>/broker.lock` holds the holder's
 * pid and its start time (clock ticks after boot, from /proc; "-" where there is no /proc). It is
 * created whole or not at all (written aside, then hard-linked into place, which fails when the
 * name exists), and counts as stale once that process is gone, so a crashed broker never blocks
 * its restart; the start time keeps a reused pid (pid 1 again in a restarted container) from
 * passing for the old holder. What a pid file cannot do is what flock does for free: a stale
 * lock taken over by two starting brokers at the same instant is decided by a rename, and the
 * loser of that race sees the winner's pid on its next look.
 */
export const LOCK_FILE = 'broker.lock';

export interface DataDirLock {
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): Promise<void>;
}

interface Holder {
  readonly pid: number;
  readonly startTime: string;
}

export async function lockDataDir(dataDir: string, procRoot = '/proc'): Promise<DataDirLock> {
  const lockPath = path.join(dataDir, LOCK_FILE);
  const me = { pid: process.pid, startTime: (await readProcess(procRoot, process.pid))?.startTime ?? '-' };
  const content = `${me.pid} ${me.startTime}\n`;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (await createWhole(lockPath, content)) return ownLock(lockPath, content);
    const holder = parseHolder(await readFile(lockPath, 'utf8').catch(() => ''));
    if (holder && (await isAlive(procRoot, holder))) throw locked(dataDir, holder.pid);
    const racer = await takeOverStale(lockPath, me.pid, procRoot);
    if (racer) throw locked(dataDir, racer.pid);
  }
  throw locked(dataDir, parseHolder(await readFile(lockPath, 'utf8').catch(() => ''))?.pid);
}

/** Creates the lock file with its content, or returns false when it exists (O_EXCL semantics). */
async function createWhole(lockPath: string, content: string): Promise<boolean> {
  const aside = `${lockPath}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(aside, content, { mode: 0o600 });
  try {
    await link(aside, lockPath);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
  } finally {
    await unlink(aside).catch(() => undefined);
  }
  // A filesystem without hard links: O_EXCL directly (a reader may then briefly see it empty,
  // which takeOverStale resolves by looking again after moving it).
  try {
    await writeFile(lockPath, content, { mode: 0o600, flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function ownLock(lockPath: string, content: string): DataDirLock {
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      if ((await readFile(lockPath, 'utf8').catch(() => '')) === content) await unlink(lockPath).catch(() => undefined);
    },
  };
}

/**
 * Moves the stale file out of the way under a name of our own (only one taker can move it). If
 * what got moved is a live broker's fresh lock (it took over first), it is put back and that
 * broker is returned.
 */
async function takeOverStale(lockPath: string, pid: number, procRoot: string): Promise<Holder | undefined> {
  const moved = `${lockPath}.stale.${pid}`;
  try {
    await rename(lockPath, moved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const holder = parseHolder(await readFile(moved, 'utf8').catch(() => ''));
    if (!holder || !(await isAlive(procRoot, holder))) return undefined;
    await link(moved, lockPath).catch(() => undefined);
    return holder;
  } finally {
    await unlink(moved).catch(() => undefined);
  }
}

function parseHolder(text: string): Holder | undefined {
  const match = /^(\d+) (\d+|-)\n?$/.exec(text);
  return match ? { pid: Number(match[1]), startTime: match[2]! } : undefined;
}

async function isAlive(procRoot: string, holder: Holder): Promise<boolean> {
  if (holder.startTime !== '-') {
    const info = await readProcess(procRoot, holder.pid);
    return info !== undefined && info.state !== 'Z' && info.startTime === holder.startTime;
  }
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function locked(dataDir: string, pid: number | undefined): JumpgateError {
  const who = pid === undefined ? 'another process' : `process ${pid}`;
  return new JumpgateError(
    'config_invalid',
    `DATA_DIR ${dataDir} is in use by another broker (${who}): stop it, or give this broker its own DATA_DIR ` +
      `(two brokers on one folder reuse serials and undo each other's revocations)`,
    { details: { variable: 'DATA_DIR', pid } },
  );
}
