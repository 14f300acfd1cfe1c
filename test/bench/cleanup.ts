import type { ChildProcess } from 'node:child_process';

/**
 * What the bench started, stopped newest first: on success, on error and on SIGINT/SIGTERM.
 * Child processes are also SIGKILLed synchronously on exit, in case the async stops never ran.
 */
export interface Cleanup {
  add(name: string, stop: () => Promise<unknown>): void;
  child(child: ChildProcess): void;
  run(): Promise<void>;
}

export function createCleanup(log: (line: string) => void): Cleanup {
  const stops: { name: string; stop: () => Promise<unknown> }[] = [];
  const children = new Set<ChildProcess>();
  let ran: Promise<void> | undefined;

  const killAll = () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`bench: ${signal}: stopping what it started`);
      void run().finally(() => process.exit(130));
    });
  }

  function run(): Promise<void> {
    ran ??= (async () => {
      for (const { name, stop } of stops.reverse()) {
        await stop().catch((error: unknown) => log(`bench: could not stop ${name}: ${String(error)}`));
      }
      killAll();
    })();
    return ran;
  }

  return {
    add: (name, stop) => void stops.push({ name, stop }),
    child(child) {
      children.add(child);
      child.once('exit', () => children.delete(child));
    },
    run,
  };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
