import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { BenchMode } from './bench-mode.js';
import { type Cleanup, stopChild } from './cleanup.js';
import type { Output } from './figures.js';
import type { BenchRedis } from './redis-server.js';

interface WriterResult {
  readonly ok: number;
  readonly failed: number;
  readonly errors: readonly string[];
  /** The run and the wait until everything committed was sealed. */
  readonly elapsedMs: number;
}

const WRITER = path.join(import.meta.dirname, 'audit-writer.ts');
const READY_TIMEOUT_MS = 60_000;

/**
 * audit_appends_per_s with 1 and with 3 processes on one Redis, each running the real store
 * (createRedisStore over ioredis) in its own process, all starting together. Each run has a
 * prefix of its own, removed afterwards so it does not count in the bot's memory figures.
 */
export async function measureAuditAppends(ctx: {
  mode: BenchMode;
  out: Output;
  redis: BenchRedis;
  repoDir: string;
  cleanup: Cleanup;
}): Promise<void> {
  // Every writer starts (and compiles) before any appends, so start-up never overlaps a run.
  const runs = [1, 3].map((processes) => ({
    processes,
    prefix: `bench-audit-${processes}p`,
    writers: startWriters(ctx, processes, `bench-audit-${processes}p`),
  }));
  let failures = 0;
  try {
    await Promise.all(
      runs.flatMap((run) =>
        run.writers.map(({ lines }) =>
          withTimeout(lines.next('ready'), READY_TIMEOUT_MS, 'an audit writer did not start'),
        ),
      ),
    );
    for (const { processes, prefix, writers } of runs) {
      for (const { child } of writers) child.stdin?.write(`go ${ctx.mode.auditRunMs}\n`);
      const outputs = await Promise.all(
        writers.map(({ lines }) =>
          withTimeout(lines.next('{'), ctx.mode.auditRunMs + 60_000, 'an audit writer did not finish'),
        ),
      );
      const results = outputs.map((line) => JSON.parse(line) as WriterResult);
      const ok = results.reduce((sum, r) => sum + r.ok, 0);
      const failed = results.reduce((sum, r) => sum + r.failed, 0);
      failures += failed;
      // Counted until the last process saw every record sealed into the chain, not just committed.
      const elapsedMs = Math.max(...results.map((r) => r.elapsedMs));
      ctx.out.figure(`audit_appends_per_s_${processes}proc`, ok / (elapsedMs / 1000), 'appends/s');
      const errors = [...new Set(results.flatMap((r) => r.errors))];
      if (errors.length > 0)
        ctx.out.comment(`audit appends with ${processes} process(es): ${failed} failed, e.g. ${errors.join(' | ')}`);
      await deleteKeys(ctx.redis, prefix);
    }
  } finally {
    await Promise.all(runs.flatMap((run) => run.writers.map(({ child }) => stopChild(child))));
  }
  ctx.out.comment(
    `audit appends: each process keeps ${ctx.mode.auditInFlight} appendAudit calls in flight for ${ctx.mode.auditRunMs} ms (as a bot's concurrent handlers do); the rate counts until every record is sealed into the chain`,
  );
  ctx.out.figure('audit_append_failures', failures, 'count');
}

function startWriters(
  ctx: { mode: BenchMode; redis: BenchRedis; repoDir: string; cleanup: Cleanup },
  count: number,
  prefix: string,
) {
  const env = {
    ...process.env,
    BENCH_REDIS_URL: ctx.redis.url,
    BENCH_PREFIX: prefix,
    BENCH_IN_FLIGHT: String(ctx.mode.auditInFlight),
  };
  return Array.from({ length: count }, () => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER], {
      cwd: ctx.repoDir,
      env,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    ctx.cleanup.child(child);
    return { child, lines: lineReader(child) };
  });
}

/** The child's stdout lines; `next(start)` resolves with the first later line starting with `start`. */
function lineReader(child: ChildProcess) {
  const waiting: { start: string; resolve: (line: string) => void }[] = [];
  const rl = createInterface({ input: child.stdout! });
  rl.on('line', (line) => {
    const index = waiting.findIndex((w) => line.startsWith(w.start));
    if (index >= 0) waiting.splice(index, 1)[0]!.resolve(line);
  });
  return {
    next: (start: string) =>
      new Promise<string>((resolve, reject) => {
        waiting.push({ start, resolve });
        child.once('exit', (code) => reject(new Error(`an audit writer exited with ${String(code)}`)));
      }),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms))),
  ]).finally(() => clearTimeout(timer));
}

async function deleteKeys(redis: BenchRedis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.client.unlink(...keys);
  } while (cursor !== '0');
}
