import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { createRedisStore } from '../../src/store/redis-store.js';

/**
 * One audit-writing process of the audit figures (a child of the bench): builds the real store
 * on its own ioredis connection, says `ready`, and on `go <ms>` appends audit records with
 * BENCH_IN_FLIGHT appends in flight for that long, waits until every record committed so far is
 * sealed into the chain, then prints `{"ok":…,"failed":…,"errors":[…],"elapsedMs":…}` (elapsedMs
 * includes that wait, so a seal that lags behind the commits counts against the figure).
 */
const url = required('BENCH_REDIS_URL');
const prefix = required('BENCH_PREFIX');
const inFlight = Number(required('BENCH_IN_FLIGHT'));

const redis = new Redis(url, { maxRetriesPerRequest: null });
const store = createRedisStore({ redis, prefix, now: Date.now });
await redis.ping();
process.stdout.write('ready\n');

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const match = /^go (\d+)$/.exec(line.trim());
  if (!match) continue;
  const result = await appendFor(Number(match[1]));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  break;
}
lines.close();
await store.close();
await redis.quit();

async function appendFor(ms: number): Promise<{ ok: number; failed: number; errors: string[]; elapsedMs: number }> {
  const started = Date.now();
  const until = started + ms;
  let ok = 0;
  let failed = 0;
  const errors: string[] = [];
  const loop = async (slot: number) => {
    for (let n = 0; Date.now() < until; n += 1) {
      try {
        await store.appendAudit({
          type: 'reconciled',
          requestId: null,
          actor: 'jumpgate',
          target: null,
          detail: { bench: true, pid: process.pid, slot, n },
        });
        ok += 1;
      } catch (error) {
        failed += 1;
        if (errors.length < 3) errors.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, (_, slot) => loop(slot)));
  await store.sealPending();
  return { ok, failed, errors, elapsedMs: Date.now() - started };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (this file is started by test/bench/audit-appends.ts)`);
  return value;
}
