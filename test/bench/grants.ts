import { tally } from './answers.js';
import type { BenchContext } from './bench-context.js';
import { cpuMs, metricValue } from './bot-process.js';
import { percentile } from './figures.js';
import { type CycleResult, grantCycle, stuckGuard } from './grant-cycle.js';
import { runPool } from './pool.js';
import { memoryByKeyShape } from './redis-memory.js';
import { nowMs } from './slack-sender.js';

/** The mass phase's grants: request id → when its window should end (epoch ms), as planned. */
export interface MassGrants {
  readonly planned: ReadonlyMap<string, number>;
  /** When the last certificate DM arrived. */
  readonly lastGrantedAtMs: number;
  /** Active grants at the bot right after the last grant (its jumpgate_requests_active gauge). */
  readonly activeAtPeak: number;
  /** Redis used_memory then. */
  readonly redisBytesAtPeak: number;
}

/** grant_p95_ms over a few workers: latency, not queueing. */
export async function measureGrantLatency(ctx: BenchContext, requesters: readonly string[]): Promise<void> {
  const started = performance.now();
  const guard = stuckGuard(ctx, 'grant latency');
  const results = await runPool(ctx.mode.latencyCycles, ctx.mode.latencyWorkers, async (i) =>
    guard(await grantCycle(ctx, requesters[i % requesters.length]!, () => '2h')),
  );
  const seconds = (performance.now() - started) / 1000;
  const ok = results.filter((r): r is Extract<CycleResult, { ok: true }> => r.ok);
  reportFailures(ctx, 'grant latency', results);
  reportSteps(ctx, 'grant latency', ok);
  ctx.out.comment(
    `grant_p95_ms: Approve click sent → certificate DM at Slack, ${ok.length} cycles by ${ctx.mode.latencyWorkers} workers (2h grants, left active)`,
  );
  ctx.out.figure(
    'grant_p95_ms',
    percentile(
      ok.map((r) => r.certifiedAtMs - r.clickedAtMs),
      95,
    ),
    'ms',
  );
  ctx.out.comment(`grant latency: ${(ok.length / seconds).toFixed(1)} cycles/s`);
}

/** The pace of whole cycles at the mass phase's concurrency (cycles per second), which plans its windows. */
export async function measurePace(ctx: BenchContext, requesters: readonly string[]): Promise<number> {
  const started = performance.now();
  const guard = stuckGuard(ctx, 'pace');
  const results = await runPool(ctx.mode.paceCycles, ctx.mode.massWorkers, async (i) =>
    guard(await grantCycle(ctx, requesters[i % requesters.length]!, () => '2h')),
  );
  reportFailures(ctx, 'pace', results);
  return results.filter((r) => r.ok).length / ((performance.now() - started) / 1000);
}

/**
 * The mass phase: `massGrants` full cycles by `massWorkers` workers (requests_per_s), each
 * request's duration chosen when it is sent so that its window ends at a planned instant: all
 * of them after the last grant is expected, spread evenly over `endWindowMs`.
 */
export async function createMassGrants(
  ctx: BenchContext,
  requesters: readonly string[],
  calibratedPerSecond: number,
  memoryBaseline: number,
): Promise<MassGrants> {
  const { massGrants: count, massWorkers, endWindowMs } = ctx.mode;
  const expectedMs =
    (count / Math.max(calibratedPerSecond, 1)) * 1000 * ctx.mode.paceSafety +
    (ctx.mode.name === 'full' ? 15_000 : 3_000);
  const firstEnd = nowMs() + expectedMs;
  const planned = new Map<string, number>();
  let late = 0;
  const cpuBefore = cpuMs(await ctx.bot.metrics());
  const started = performance.now();
  const guard = stuckGuard(ctx, 'mass grants');
  const results = await runPool(count, massWorkers, async (i) => {
    const endAt = firstEnd + (endWindowMs * i) / count;
    const result = await grantCycle(ctx, requesters[i % requesters.length]!, () => {
      const seconds = Math.ceil((endAt - nowMs()) / 1000);
      if (seconds < 2) late += 1;
      return `${Math.max(seconds, 1)}s`;
    });
    guard(result);
    if (result.ok) planned.set(result.requestId, endAt);
    if ((i + 1) % 1000 === 0) {
      const rate = (i + 1) / ((performance.now() - started) / 1000);
      ctx.progress(
        `${i + 1} of ${count} grant cycles done, ${rate.toFixed(1)}/s; the first window ends in ${((firstEnd - nowMs()) / 1000).toFixed(0)} s`,
      );
    }
    return result;
  });
  const ok = results.filter((r): r is Extract<CycleResult, { ok: true }> => r.ok);
  const lastGrantedAtMs = ok.reduce((last, r) => Math.max(last, r.certifiedAtMs), 0);
  const seconds = (performance.now() - started) / 1000;
  const metrics = await ctx.bot.metrics();
  const cpuAfter = cpuMs(metrics);
  const activeAtPeak = metricValue(metrics, 'requests_active') ?? Number.NaN;
  const redisBytesAtPeak = await ctx.redis.usedMemory();

  reportFailures(ctx, 'mass grants', results);
  if (cpuBefore !== undefined && cpuAfter !== undefined) {
    const cpu = cpuAfter - cpuBefore;
    ctx.out.comment(
      `mass grants: the bot's CPU ${(cpu / ok.length).toFixed(1)} ms per cycle, ${(cpu / 10 / seconds).toFixed(0)}% of one core (embedded broker included, ssh-keygen children not)`,
    );
  }
  reportSteps(ctx, 'mass grants', ok);
  ctx.out.comment(
    `requests_per_s: ${ok.length} request → approve → certificate DM cycles by ${massWorkers} workers in ${seconds.toFixed(1)} s ` +
      `(planned from ${calibratedPerSecond.toFixed(1)}/s); windows end ${((firstEnd - lastGrantedAtMs) / 1000).toFixed(1)} s to ` +
      `${((firstEnd + endWindowMs - lastGrantedAtMs) / 1000).toFixed(1)} s after the last grant` +
      (late > 0 ? `; ${late} requests were sent too late to end after it` : ''),
  );
  ctx.out.figure('requests_per_s', ok.length / seconds, 'cycles/s');
  ctx.out.figure('active_grants', activeAtPeak, 'grants');
  ctx.out.comment(
    'redis_bytes_per_grant: INFO used_memory right after the last grant minus before the first grant cycle, over the active grants',
  );
  ctx.out.figure('redis_bytes_per_grant', Math.round((redisBytesAtPeak - memoryBaseline) / activeAtPeak), 'bytes');
  for (const { shape, keys, bytes } of await memoryByKeyShape(ctx.redis))
    ctx.out.comment(
      `redis memory at the peak: ${shape} ${keys} key(s), ${bytes} bytes, ${Math.round(bytes / activeAtPeak)} per active grant`,
    );
  return { planned, lastGrantedAtMs, activeAtPeak, redisBytesAtPeak };
}

/** Where a cycle's time goes: the median of each step. */
function reportSteps(ctx: BenchContext, phase: string, ok: readonly Extract<CycleResult, { ok: true }>[]): void {
  const median = (step: 0 | 1 | 2) =>
    Math.round(
      percentile(
        ok.map((r) => r.steps[step]),
        50,
      ),
    );
  ctx.out.comment(
    `${phase}, median steps: request → confirmation ${median(0)} ms, → approval message ${median(1)} ms; click → certificate DM ${median(2)} ms`,
  );
}

function reportFailures(ctx: BenchContext, phase: string, results: readonly CycleResult[]): void {
  const failures = results.flatMap((r) => (r.ok ? [] : [r.failure]));
  if (failures.length > 0)
    ctx.out.comment(`${phase}: ${failures.length} of ${results.length} cycles failed: ${tally(failures)}`);
}
