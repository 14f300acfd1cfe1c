import { readFile, readlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Whether a process is sshd as root started it: real and effective uid 0 and the executable an
 * sshd binary. A log line or a process name is text anyone can write; these two are the
 * kernel's. A user who runs a copy of sshd, or renames a process to "sshd", fails one of them.
 */
// OpenSSH before 9.8 forks `sshd` per connection; 9.8+ execs `sshd-session` for it.
const SSHD_BINARIES = new Set(['sshd', 'sshd-session']);

export async function isRootSshd(procRoot: string, pid: number): Promise<boolean> {
  const [status, exe] = await Promise.all([
    readFile(path.join(procRoot, String(pid), 'status'), 'utf8').catch(() => ''),
    readlink(path.join(procRoot, String(pid), 'exe')).catch(() => ''),
  ]);
  return isRootStatus(status) && isSshdExecutable(exe);
}

/** `Uid:` of /proc/<pid>/status lists real, effective, saved and filesystem uid. */
export function isRootStatus(status: string): boolean {
  const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
  return uids !== null && uids[1] === '0' && uids[2] === '0';
}

/** A running sshd whose package was upgraded under it reads as "/usr/sbin/sshd (deleted)". */
export function isSshdExecutable(exe: string): boolean {
  const file = exe.replace(/ \(deleted\)$/, '');
  return path.isAbsolute(file) && SSHD_BINARIES.has(path.basename(file));
}
