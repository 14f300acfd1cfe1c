import { readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * The process side of a connection, read from /proc: which sshd processes hold a connection's
 * socket, and everything they started (the shell, its commands). Ending a session means ending
 * all of them: killing sshd alone closes the connection but leaves a non-interactive command
 * (`sleep 60`, a copy in progress) running, re-parented to init.
 */
export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  /** One-letter kernel state; Z (zombie) and X (dead) count as gone. */
  readonly state: string;
  /** Clock ticks after boot; with the pid it names one process even when pids are reused. */
  readonly startTime: string;
}

export type ProcessTable = ReadonlyMap<number, ProcessInfo>;

/** Every process this reader may see; processes that exit while it reads are left out. */
export async function readProcessTable(procRoot = '/proc'): Promise<ProcessTable> {
  const names = await readdir(procRoot);
  const infos = await Promise.all(
    names.filter((name) => /^\d+$/.test(name)).map((name) => readProcess(procRoot, Number(name))),
  );
  return new Map(infos.filter((info): info is ProcessInfo => info !== undefined).map((info) => [info.pid, info]));
}

export async function readProcess(procRoot: string, pid: number): Promise<ProcessInfo | undefined> {
  try {
    return parseStat(await readFile(path.join(procRoot, String(pid), 'stat'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** `/proc/<pid>/stat`; the command name may itself hold spaces and parentheses. */
export function parseStat(text: string): ProcessInfo | undefined {
  const open = text.indexOf(' (');
  const close = text.lastIndexOf(') ');
  if (open < 0 || close < open) return undefined;
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const [state, ppid] = rest;
  const startTime = rest[19];
  if (!state || !ppid || !startTime) return undefined;
  return { pid: Number(text.slice(0, open)), comm: text.slice(open + 2, close), state, ppid: Number(ppid), startTime };
}

/** sshd, and OpenSSH 9.8+'s per-connection sshd-session / sshd-auth. */
export function isSshd(info: ProcessInfo): boolean {
  return info.comm.startsWith('sshd');
}

export function isGone(info: ProcessInfo | undefined): boolean {
  return info === undefined || info.state === 'Z' || info.state === 'X';
}

/** Socket inodes among a process's open files; empty when it has exited or we may not look. */
export async function socketInodes(procRoot: string, pid: number): Promise<Set<number>> {
  const inodes = new Set<number>();
  const dir = path.join(procRoot, String(pid), 'fd');
  let fds: string[];
  try {
    fds = await readdir(dir);
  } catch {
    return inodes;
  }
  await Promise.all(
    fds.map(async (fd) => {
      const target = await readlink(path.join(dir, fd)).catch(() => '');
      const match = /^socket:\[(\d+)\]$/.exec(target);
      if (match) inodes.add(Number(match[1]));
    }),
  );
  return inodes;
}

/**
 * The processes of one connection, given the sshd processes holding its socket: up through
 * sshd ancestors (OpenSSH's privileged monitor of a non-root login) but never into `stopAt`
 * (the listening sshd) or pid 1, then every descendant.
 */
export function connectionProcessTree(
  table: ProcessTable,
  holders: readonly number[],
  stopAt: ReadonlySet<number>,
): number[] {
  const roots = new Set<number>();
  for (const holder of holders) {
    let pid = holder;
    for (;;) {
      const parent = table.get(table.get(pid)?.ppid ?? 0);
      if (!parent || parent.pid <= 1 || stopAt.has(parent.pid) || !isSshd(parent)) break;
      pid = parent.pid;
    }
    roots.add(pid);
  }
  const children = new Map<number, number[]>();
  for (const info of table.values()) children.set(info.ppid, [...(children.get(info.ppid) ?? []), info.pid]);
  const tree = new Set<number>();
  const visit = (pid: number) => {
    if (tree.has(pid) || stopAt.has(pid) || pid <= 1) return;
    tree.add(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  for (const root of roots) visit(root);
  return [...tree];
}
