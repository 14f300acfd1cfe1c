import { stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { SessionTerminator } from './session-terminator.js';
import { type ConnectionSnapshot, type SshdSocket, snapshotConnections } from './sshd-connections.js';
import { endProcesses, type KillFn } from './sshd-end-processes.js';
import { unsafeLogFileProblem } from './sshd-log-file-check.js';
import { followLog } from './sshd-log-follower.js';
import { type Endpoint, parseSshdLogLine } from './sshd-log-line.js';
import { createLoginClaims, type LoginClaim } from './sshd-login-claims.js';
import type { ProcessInfo } from './sshd-processes.js';

/**
 * Ends the open SSH sessions of a revoked grant on this bastion, and only those: another
 * grant's session keeps running. The sshd log (LogLevel VERBOSE) says which certificate a
 * connection logged in with, but a log line is only a claim (a local user can write one to
 * syslog), so a claim counts once the kernel confirms it: the connection's TCP socket is open
 * and held by a root sshd process (by the line's pid, when it has one). The session is then
 * bound to that socket, first claim wins, and ending it ends that sshd process's tree. Whether
 * it is still open is asked of the kernel again each time, never of `Disconnected` lines.
 * The broker must run on the bastion, as root, in the host's process and network namespaces.
 */
export interface LiveSession {
  readonly grantId: string;
  readonly serial: string;
  readonly user: string;
  readonly client: Endpoint;
  /** The root sshd process(es) holding the connection; the first is the one the line named, if any. */
  readonly pids: readonly number[];
}

export interface SshdSessionTerminator extends SessionTerminator {
  /** Certificate sessions open now, after reading the log up to now. */
  sessions(): Promise<readonly LiveSession[]>;
  /** Stops following the log. */
  close(): Promise<void>;
}

export interface SshdSessionTerminatorOptions {
  /** sshd's log: its `-E` file, or a file that only sshd's syslog lines go to (see the README). */
  readonly logFile: string;
  readonly logger?: Pick<Logger, 'info' | 'warn' | 'debug'>;
  readonly kill?: KillFn;
  readonly procRoot?: string;
  /** SIGTERM → SIGKILL grace (default 2 s). */
  readonly graceMs?: number;
  /** How often the log is read between revocations (default 250 ms). */
  readonly pollIntervalMs?: number;
  /** How often sessions whose connection has closed are forgotten (default 60 s). */
  readonly sweepIntervalMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

interface BoundSession extends LoginClaim, SshdSocket {}

// What is kept while /proc cannot be read; the newest claims matter (the older ones' connections are likelier gone).
const MAX_UNCHECKED = 4096;

export function createSshdSessionTerminator(options: SshdSessionTerminatorOptions): SshdSessionTerminator {
  const procRoot = options.procRoot ?? '/proc';
  const logger = options.logger;
  const claims = createLoginClaims();
  // Keyed by socket inode: one connection, one certificate.
  const bound = new Map<number, BoundSession>();
  const look = () => snapshotConnections({ procRoot, spare: [process.pid] });

  // Read by catchUp on its own timer below, so each login is checked against the kernel while
  // its connection is fresh, not at the next revocation.
  const follower = followLog({
    file: options.logFile,
    intervalMs: 0,
    accept: unsafeLogFileProblem,
    onLine: (line) => {
      const event = parseSshdLogLine(line);
      if (event) claims.add(event);
    },
  });
  stat(options.logFile).catch(() =>
    logger?.warn(
      { logFile: options.logFile },
      'the sshd log does not exist yet; sessions are known from the moment it appears',
    ),
  );

  const bind = (snapshot: ConnectionSnapshot, claim: LoginClaim) => {
    for (const socket of snapshot.sshdSockets(claim.client, claim.pid === undefined ? claim.server : undefined)) {
      // The line's pid must be one of the root sshd processes holding that very socket.
      const holders =
        claim.pid === undefined ? socket.holders : socket.holders.filter((holder) => holder.pid === claim.pid);
      if (holders.length === 0) continue;
      const earlier = bound.get(socket.inode);
      if (earlier) {
        if (earlier.grantId !== claim.grantId || earlier.serial !== claim.serial) {
          logger?.warn(
            { client: claim.client, pid: claim.pid, grantId: claim.grantId, boundTo: earlier.grantId },
            'an sshd log line claimed a connection already bound to another certificate; ignored (a forged line?)',
          );
        }
        continue;
      }
      bound.set(socket.inode, { ...claim, inode: socket.inode, holders });
    }
  };

  let reading: Promise<void> = Promise.resolve();
  // Claims read but not yet checked because /proc could not be read; tried again next time.
  let unchecked: LoginClaim[] = [];
  /** Reads the log up to now and binds what it claims; one read at a time. */
  const catchUp = () => {
    const run = reading.then(async () => {
      await follower.drain().finally(() => (unchecked = [...unchecked, ...claims.take()].slice(-MAX_UNCHECKED)));
      if (unchecked.length === 0) return;
      const snapshot = await look();
      for (const claim of unchecked.splice(0)) bind(snapshot, claim);
    });
    reading = run.catch(() => undefined);
    return run;
  };

  let failing = false;
  const poller = setInterval(() => {
    catchUp().then(
      () => (failing = false),
      (error: unknown) => {
        if (!failing) logger?.warn({ err: error, logFile: options.logFile }, 'could not read the sshd log');
        failing = true;
      },
    );
  }, options.pollIntervalMs ?? 250);
  poller.unref();

  /** The bound sessions still open, each with the sshd processes that still hold it; the rest are forgotten. */
  const openSessions = (snapshot: ConnectionSnapshot) => {
    const open: { session: BoundSession; pids: number[] }[] = [];
    for (const [inode, session] of bound) {
      const pids = snapshot.stillHeld(inode, session.holders);
      if (pids.length === 0) bound.delete(inode);
      else open.push({ session, pids });
    }
    return open;
  };

  const sweeper = setInterval(() => {
    catchUp()
      .then(async () => openSessions(await look()))
      .catch((error: unknown) => logger?.warn({ err: error }, 'could not check which ssh sessions are open'));
  }, options.sweepIntervalMs ?? 60_000);
  sweeper.unref();

  const ends = {
    procRoot,
    kill: options.kill ?? ((pid: number, signal: NodeJS.Signals) => void process.kill(pid, signal)),
    graceMs: options.graceMs ?? 2_000,
    now: options.now ?? Date.now,
    sleep: options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
  };

  return {
    async terminate(grant) {
      // Catch up first: the login may have been logged a moment ago.
      await catchUp();
      const isMine = (session: BoundSession) => session.serial === grant.serial && session.grantId === grant.id;
      if (![...bound.values()].some(isMine)) return 0;

      const snapshot = await look();
      const mine = openSessions(snapshot).filter(({ session }) => isMine(session));
      const victims = new Map<number, ProcessInfo>();
      for (const { pids } of mine) for (const pid of snapshot.treeOf(pids)) victims.set(pid, snapshot.table.get(pid)!);
      const result = await endProcesses(ends, [...victims.values()]);
      // Forgotten only once ended: when signalling failed, the broker's next attempt finds them again.
      for (const { session } of mine) bound.delete(session.inode);
      if (mine.length > 0) {
        logger?.info(
          {
            grantId: grant.id,
            serial: grant.serial,
            sessions: mine.length,
            processes: result.signalled,
            forced: result.forced,
          },
          'ended the ssh sessions of a revoked grant',
        );
      }
      return mine.length;
    },
    async sessions() {
      await catchUp();
      return openSessions(await look()).map(({ session, pids }) => ({
        grantId: session.grantId,
        serial: session.serial,
        user: session.user,
        client: session.client,
        pids,
      }));
    },
    async close() {
      clearInterval(sweeper);
      clearInterval(poller);
      await reading;
      await follower.close();
    },
  };
}
