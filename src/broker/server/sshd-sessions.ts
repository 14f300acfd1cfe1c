import { stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { SessionTerminator } from './session-terminator.js';
import { openConnections, snapshotConnections } from './sshd-connections.js';
import { endProcesses, type KillFn } from './sshd-end-processes.js';
import { followLog } from './sshd-log-follower.js';
import { parseSshdLogLine, type Endpoint, type SshdLogEvent } from './sshd-log-line.js';
import { canonicalAddress } from './sshd-proc-net.js';
import type { ProcessInfo } from './sshd-processes.js';

/**
 * Ends the open SSH sessions of a revoked grant on this bastion, and only those: another
 * grant's session of the same Unix user keeps running. The sshd log (LogLevel VERBOSE) says
 * which certificate each connection logged in with; /proc says which processes a connection
 * has. The broker must run on the bastion, as root (it signals sshd's processes), in the host's
 * process and network namespaces.
 */
export interface LiveSession {
  readonly grantId: string;
  readonly serial: string;
  readonly user: string;
  readonly client: Endpoint;
  /** The sshd address and port it came in on, when the log said so. */
  readonly server?: Endpoint;
  /** The per-connection sshd process, when the log carries pids (syslog, journald). */
  readonly pid?: number;
}

export interface SshdSessionTerminator extends SessionTerminator {
  /** Certificate sessions the log reports open, after reading it up to now. */
  sessions(): Promise<readonly LiveSession[]>;
  /** Stops following the log. */
  close(): Promise<void>;
}

export interface SshdSessionTerminatorOptions {
  /** sshd's log: its `-E` file, /var/log/auth.log, or a file journald's short output goes to. */
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

// Connections seen but not (yet) logged in; bounded so scanners cannot grow it.
const MAX_PENDING = 4096;

export function createSshdSessionTerminator(options: SshdSessionTerminatorOptions): SshdSessionTerminator {
  const procRoot = options.procRoot ?? '/proc';
  const logger = options.logger;
  const live = new Map<string, LiveSession>();
  const pending = new Map<string, Endpoint>();
  const key = (client: Endpoint) => `${canonicalAddress(client.address)} ${client.port}`;

  const apply = (event: SshdLogEvent) => {
    const id = key(event.client);
    switch (event.kind) {
      case 'connection':
        // The same client address and port again: whatever was logged for it before has ended.
        live.delete(id);
        pending.delete(id);
        pending.set(id, event.server);
        if (pending.size > MAX_PENDING) pending.delete(pending.keys().next().value!);
        return;
      case 'login': {
        const server = pending.get(id);
        pending.delete(id);
        if (!event.certificate) {
          live.delete(id);
          return;
        }
        live.set(id, {
          grantId: event.certificate.keyId,
          serial: event.certificate.serial,
          user: event.user,
          client: event.client,
          ...(server ? { server } : {}),
          ...(event.pid === undefined ? {} : { pid: event.pid }),
        });
        return;
      }
      case 'disconnect':
        live.delete(id);
        pending.delete(id);
        return;
    }
  };

  const follower = followLog({
    file: options.logFile,
    intervalMs: options.pollIntervalMs,
    onLine: (line) => {
      const event = parseSshdLogLine(line);
      if (event) apply(event);
    },
    onError: (error) => logger?.warn({ err: error, logFile: options.logFile }, 'could not read the sshd log'),
  });

  stat(options.logFile).catch(() =>
    logger?.warn({ logFile: options.logFile }, 'the sshd log does not exist yet; sessions are known from the moment it appears'),
  );

  const sweep = async () => {
    await follower.drain();
    const connections = await openConnections(procRoot);
    for (const [id, session] of live) if (!connections.isOpen(session.client, session.server)) live.delete(id);
  };
  const sweeper = setInterval(() => {
    sweep().catch((error: unknown) => logger?.warn({ err: error }, 'could not check which ssh sessions are open'));
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
      await follower.drain();
      const mine = [...live].filter(([, session]) => session.serial === grant.serial && session.grantId === grant.id);
      if (mine.length === 0) return 0;

      const snapshot = await snapshotConnections({ procRoot, spare: [process.pid] });
      const victims = new Map<number, ProcessInfo>();
      let ended = 0;
      for (const [, session] of mine) {
        const pids = snapshot.processesOf(session.client, session.server);
        if (pids.length === 0) continue;
        ended += 1;
        for (const pid of pids) victims.set(pid, snapshot.table.get(pid)!);
      }
      const result = await endProcesses(ends, [...victims.values()]);
      // Forgotten only once ended: when signalling failed, the broker's next attempt finds them again.
      for (const [id] of mine) live.delete(id);
      if (ended > 0) {
        logger?.info(
          { grantId: grant.id, serial: grant.serial, sessions: ended, processes: result.signalled, forced: result.forced },
          'ended the ssh sessions of a revoked grant',
        );
      }
      return ended;
    },
    async sessions() {
      await follower.drain();
      return [...live.values()];
    },
    async close() {
      clearInterval(sweeper);
      await follower.close();
    },
  };
}
