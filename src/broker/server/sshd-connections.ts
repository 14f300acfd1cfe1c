import type { Endpoint } from './sshd-log-line.js';
import { readTcpSockets, sameEndpoint, TCP_LISTEN, type TcpSocket } from './sshd-proc-net.js';
import { isRootSshd } from './sshd-process-owner.js';
import { connectionProcessTree, isSshd, type ProcessTable, readProcessTable, socketInodes } from './sshd-processes.js';

/**
 * One look at the machine: which TCP connections are open and which root sshd processes hold
 * each. sshd's log names a connection only by its addresses and ports (`sshd -E` prints no pid),
 * and any local user can write a line that looks like sshd's to syslog, so the log is only a
 * claim: the kernel's socket table and /proc decide which connection is meant and whose
 * processes belong to it.
 */
export interface SshdSocket {
  readonly inode: number;
  /** Root sshd processes (never the listener) holding this socket, with their start times. */
  readonly holders: readonly { readonly pid: number; readonly startTime: string }[];
}

export interface ConnectionSnapshot {
  readonly table: ProcessTable;
  /** Open sockets of the connection from `client` (to `server`, when given) that a root sshd holds. */
  sshdSockets(client: Endpoint, server?: Endpoint): SshdSocket[];
  /** The root sshd processes (same pid and start time) that still hold the connected socket `inode`. */
  stillHeld(inode: number, holders: SshdSocket['holders']): number[];
  /** The session below these sshd processes: them and everything they started. */
  treeOf(holders: readonly number[]): number[];
}

export interface SnapshotOptions {
  readonly procRoot: string;
  /** Never signalled, whatever they hold (the broker itself). */
  readonly spare?: readonly number[];
}

export async function snapshotConnections(options: SnapshotOptions): Promise<ConnectionSnapshot> {
  const { procRoot } = options;
  const [sockets, table] = await Promise.all([readTcpSockets(procRoot), readProcessTable(procRoot)]);
  // Only sshd processes hold a connection's socket; the commands of a session get pipes or a pty.
  // The name is a cheap first filter; the uid and executable are the check.
  const named = [...table.values()].filter(isSshd);
  const verified = await Promise.all(
    named.map(async (info) => ((await isRootSshd(procRoot, info.pid)) ? info : undefined)),
  );
  const sshds = verified.filter((info) => info !== undefined);
  const held = new Map(
    await Promise.all(sshds.map(async (info) => [info.pid, await socketInodes(procRoot, info.pid)] as const)),
  );
  const listening = new Set(sockets.filter((socket) => socket.state === TCP_LISTEN).map((socket) => socket.inode));
  // The listening sshd is never part of a connection: it only accepts and forks.
  const listeners = [...held]
    .filter(([, inodes]) => [...inodes].some((inode) => listening.has(inode)))
    .map(([pid]) => pid);
  const stopAt = new Set([...listeners, ...(options.spare ?? [])]);
  const connected = new Set(
    sockets.filter((socket) => socket.state !== TCP_LISTEN && socket.inode !== 0).map((socket) => socket.inode),
  );
  const holdersOf = (inode: number) =>
    [...held]
      .filter(([pid, mine]) => !stopAt.has(pid) && mine.has(inode))
      .map(([pid]) => ({ pid, startTime: table.get(pid)!.startTime }));

  return {
    table,
    sshdSockets: (client, server) =>
      matching(sockets, client, server)
        .map((socket) => ({ inode: socket.inode, holders: holdersOf(socket.inode) }))
        .filter((socket) => socket.holders.length > 0),
    stillHeld: (inode, holders) => {
      if (!connected.has(inode)) return [];
      const now = holdersOf(inode);
      return holders
        .filter((was) => now.some((is) => is.pid === was.pid && is.startTime === was.startTime))
        .map((was) => was.pid);
    },
    treeOf: (holders) => (holders.length === 0 ? [] : connectionProcessTree(table, holders, stopAt)),
  };
}

/** Open sockets of this connection, seen from the server's side (its remote end is the client). */
function matching(sockets: readonly TcpSocket[], client: Endpoint, server?: Endpoint): TcpSocket[] {
  return sockets.filter(
    (socket) =>
      socket.state !== TCP_LISTEN &&
      // inode 0: a socket no process holds any more (TIME_WAIT and the like).
      socket.inode !== 0 &&
      sameEndpoint(socket.remote, client) &&
      (server === undefined || sameEndpoint(socket.local, server)),
  );
}
