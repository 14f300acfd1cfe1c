import path from 'node:path';
import { Redis } from 'ioredis';
import { createRedisStore } from '../../src/store/redis-store.js';
import { readBrokerGrants } from '../support/broker-journal.js';
import type { BenchContext } from './bench-context.js';
import { metricValue } from './bot-process.js';
import { percentile } from './figures.js';
import type { MassGrants } from './grants.js';

const POLL_MS = 1_000;

/**
 * revoke_lag_*: for each grant of the mass phase, its `notAfter` → `revokedAt` as the broker
 * recorded them (its grant journal, DATA_DIR/broker/grants.jsonl). Waits until the bot shows none
 * of them active any more (its jumpgate_requests_active gauge), or until `revokeWaitMs` after
 * the last window ended. When the broker's records cannot be read, the bot's `expired` audit
 * records (at − notAfter) are used instead, and a comment says so. The audit-based lag is
 * printed as a comment either way: it adds the bot's own state write after the broker's.
 */
export async function measureRevocations(ctx: BenchContext, mass: MassGrants): Promise<void> {
  const lastEnd = Math.max(...mass.planned.values());
  const deadline = lastEnd + ctx.mode.revokeWaitMs;
  const untilActive = mass.activeAtPeak - mass.planned.size;
  let active = mass.activeAtPeak;
  while (Date.now() < deadline) {
    active = metricValue(await ctx.bot.metrics(), 'requests_active') ?? active;
    if (Date.now() > lastEnd && active <= untilActive) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const finishedAt = Date.now();
  const unfinished = Math.max(0, active - untilActive);

  const broker = await brokerLags(ctx, mass, finishedAt);
  const audit = await auditLags(ctx, mass);
  const describe = (lags: readonly number[]) =>
    `p50 ${Math.round(percentile(lags, 50))} ms, p99 ${Math.round(percentile(lags, 99))} ms, max ${Math.round(Math.max(...lags))} ms over ${lags.length}`;
  const useBroker = broker.lags.length > 0 && broker.missing <= mass.planned.size / 100;
  if (useBroker) {
    ctx.out.comment(
      `revoke_lag: the grant's notAfter (as the bot asked the broker) → revokedAt, both from the broker's own grant records ` +
        `(DATA_DIR/broker/grants.jsonl), ${mass.planned.size} grants`,
    );
    if (broker.notRevoked > 0)
      ctx.out.comment(
        `${broker.notRevoked} grants not revoked at the broker by the deadline: counted with their lag so far (a lower bound)`,
      );
    if (broker.missing > 0) ctx.out.comment(`${broker.missing} grants had no broker record to read`);
  } else {
    ctx.out.comment(
      `revoke_lag: the broker's grant records were not readable (${broker.missing} missing): from the bot's expired audit records (at − notAfter) instead`,
    );
  }
  if (audit.length > 0)
    ctx.out.comment(
      `revoke lag by the bot's expired audit records (broker revocation + state write): ${describe(audit)}`,
    );
  if (unfinished > 0)
    ctx.out.comment(
      `${unfinished} grants of the mass phase were still active at the bot when the bench stopped waiting`,
    );
  ctx.out.comment(
    `by the broker's records, ${broker.afterLastGrant} of ${mass.planned.size} grants end after the last one was granted, ` +
      `all within ${(broker.spanMs / 1000).toFixed(1)} s of each other`,
  );
  const lags = useBroker ? broker.lags : audit;
  ctx.out.figure('revoke_lag_p50_ms', percentile(lags, 50), 'ms');
  ctx.out.figure('revoke_lag_p99_ms', percentile(lags, 99), 'ms');
  ctx.out.figure('revoke_lag_max_ms', lags.length === 0 ? Number.NaN : Math.max(...lags), 'ms');
}

async function brokerLags(ctx: BenchContext, mass: MassGrants, finishedAt: number) {
  const records = await readBrokerGrants(path.join(ctx.dataDir, 'broker'));
  const lags: number[] = [];
  let missing = 0;
  let notRevoked = 0;
  let afterLastGrant = 0;
  let firstEnd = Number.POSITIVE_INFINITY;
  let lastEnd = Number.NEGATIVE_INFINITY;
  for (const requestId of mass.planned.keys()) {
    const grantId = `grant_${requestId.slice('req_'.length)}`;
    const record = records.get(grantId);
    // The grant's notAfter as the bot asked for it (ms); the certificate's own is that, rounded down to the second.
    const asked = record?.request?.notAfter ?? record?.notAfter;
    const notAfter = asked === undefined ? Number.NaN : Date.parse(asked);
    if (Number.isNaN(notAfter)) {
      missing += 1;
      continue;
    }
    if (notAfter >= mass.lastGrantedAtMs) afterLastGrant += 1;
    firstEnd = Math.min(firstEnd, notAfter);
    lastEnd = Math.max(lastEnd, notAfter);
    if (record?.revokedAt === undefined) {
      notRevoked += 1;
      lags.push(finishedAt - notAfter);
    } else {
      lags.push(Date.parse(record.revokedAt) - notAfter);
    }
  }
  return { lags, missing, notRevoked, afterLastGrant, spanMs: lastEnd - firstEnd };
}

/** at − notAfter of the `expired` records of the mass phase's grants, read through the store's AuditReader. */
async function auditLags(ctx: BenchContext, mass: MassGrants): Promise<number[]> {
  const redis = new Redis(ctx.redis.url, { maxRetriesPerRequest: null });
  try {
    const store = createRedisStore({ redis, prefix: ctx.prefix, now: Date.now });
    const lags: number[] = [];
    const newest = (await store.tail(1))[0]?.seq ?? 0;
    const BATCH = 5_000;
    for (let from = 1; from <= newest; from += BATCH) {
      for (const record of await store.range(from, from + BATCH - 1)) {
        if (record.type !== 'expired' || !record.requestId || !mass.planned.has(record.requestId)) continue;
        const notAfter = Number(record.detail.notAfter);
        if (Number.isFinite(notAfter)) lags.push(Date.parse(record.at) - notAfter);
      }
    }
    return lags;
  } finally {
    await redis.quit();
  }
}
