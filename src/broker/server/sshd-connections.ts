import type { Endpoint } from './sshd-log-line.js';
import { readTcpSockets, sameEndpoint, TCP_LISTEN, type TcpSocket } from './sshd-proc-net.js';
import { connectionProcessTree, isSshd, readProcessTable, socketInodes, type ProcessTable } from './sshd-processes.js';

/**
 * One look at the machine: which TCP connections are open and which processes belong to each.
 * sshd's log names a connection only by its addresses and ports (`sshd -E` prints no pid), so
 * the way from a logged login to its processes is connection → socket inode → the sshd
 * processes holding that socket → everything below them.
 */
export interface ConnectionSnapshot {
  readonly table: ProcessTable;
  /** True while a connection from `client` (to `server`, when known) is open. */
  isOpen(client: Endpoint, server?: Endpoint): boolean;
  /** The pids of that connection: its sshd processes and their descendants; empty when closed. */
  processesOf(client: Endpoint, server?: Endpoint): number[];
}

export interface SnapshotOptions {
  readonly procRoot: string;
  /** Never signalled, whatever they hold (the broker itself). */
  readonly spare?: readonly number[];
}

/** Only the socket table; enough to tell which logged sessions are still open. */
export async function openConnections(procRoot: string): Promise<Pick<ConnectionSnapshot, 'isOpen'>> {
  const sockets = await readTcpSockets(procRoot);
  return { isOpen: (client, server) => matching(sockets, client, server).length > 0 };
}

export async function snapshotConnections(options: SnapshotOptions): Promise<ConnectionSnapshot> {
  const { procRoot } = options;
  const [sockets, table] = await Promise.all([readTcpSockets(procRoot), readProcessTable(procRoot)]);
  // Only sshd processes hold a connection's socket; the commands of a session get pipes or a pty.
  const sshds = [...table.values()].filter(isSshd);
  const held = new Map(await Promise.all(sshds.map(async (info) => [info.pid, await socketInodes(procRoot, info.pid)] as const)));
  const listening = new Set(sockets.filter((socket) => socket.state === TCP_LISTEN).map((socket) => socket.inode));
  // The listening sshd is never part of a connection: it only accepts and forks.
  const listeners = [...held].filter(([, inodes]) => [...inodes].some((inode) => listening.has(inode))).map(([pid]) => pid);
  const stopAt = new Set([...listeners, ...(options.spare ?? [])]);

  const holdersOf = (client: Endpoint, server?: Endpoint) => {
    const inodes = new Set(matching(sockets, client, server).map((socket) => socket.inode));
    return [...held].filter(([pid, mine]) => !stopAt.has(pid) && [...mine].some((inode) => inodes.has(inode))).map(([pid]) => pid);
  };

  return {
    table,
    isOpen: (client, server) => matching(sockets, client, server).length > 0,
    processesOf: (client, server) => {
      const holders = holdersOf(client, server);
      return holders.length === 0 ? [] : connectionProcessTree(table, holders, stopAt);
    },
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
