import { isGone, type ProcessInfo, readProcess } from './sshd-processes.js';

/** `process.kill`'s shape, injectable so tests can watch signals instead of sending them. */
export type KillFn = (pid: number, signal: NodeJS.Signals) => void;

export interface EndProcessesDeps {
  readonly procRoot: string;
  readonly kill: KillFn;
  /** How long SIGTERM gets before SIGKILL. */
  readonly graceMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

export interface EndedProcesses {
  /** Processes that were alive and got SIGTERM. */
  readonly signalled: number;
  /** Of those, how many outlived the grace and got SIGKILL. */
  readonly forced: number;
}

const POLL_MS = 50;

/**
 * SIGTERM, then SIGKILL after the grace for whatever is still there. A process is identified by
 * pid AND start time, so a pid the kernel has handed to someone else meanwhile is left alone.
 */
export async function endProcesses(deps: EndProcessesDeps, victims: readonly ProcessInfo[]): Promise<EndedProcesses> {
  const signalled = victims.filter((victim) => send(deps.kill, victim.pid, 'SIGTERM'));
  const deadline = deps.now() + deps.graceMs;
  let alive = signalled;
  for (;;) {
    alive = await stillAlive(deps.procRoot, alive);
    if (alive.length === 0 || deps.now() >= deadline) break;
    await deps.sleep(POLL_MS);
  }
  const forced = alive.filter((victim) => send(deps.kill, victim.pid, 'SIGKILL'));
  return { signalled: signalled.length, forced: forced.length };
}

async function stillAlive(procRoot: string, victims: readonly ProcessInfo[]): Promise<ProcessInfo[]> {
  const now = await Promise.all(victims.map((victim) => readProcess(procRoot, victim.pid)));
  return victims.filter((victim, at) => !isGone(now[at]) && now[at]!.startTime === victim.startTime);
}

/** False when the process had already exited (ESRCH); any other refusal is a real failure. */
function send(kill: KillFn, pid: number, signal: NodeJS.Signals): boolean {
  try {
    kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}
