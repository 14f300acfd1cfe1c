import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../../src/service/ports/audit.js';
import { createAuditFileSink } from '../../../src/store/audit-file.js';
import { verifyTrail } from '../../../src/store/audit-verify.js';
import { redisKeys } from '../../../src/store/redis-keys.js';
import { createRedisStore } from '../../../src/store/redis-store.js';
import { createRetention, DAY_MS } from '../../../src/store/retention.js';
import { accessRequest, auditEntry } from '../../support/builders.js';
import { testRedis } from '../../support/redis.js';
import { memoryLogger } from '../../support/service-fakes.js';

/**
 * Retention against real Redis and a real archive file, with an injected clock: each round is a
 * burst of requests that are decided and finished, then the clock moves 401 days on and the
 * previous round leaves Redis. Redis's key count and memory stay flat from round to round, and the
 * chain still verifies from the archive plus Redis.
 */
const run = promisify(execFile);
const conn = testRedis('retention');
const keys = redisKeys(conn.prefix);
let clock = 1_800_000_000_000;
const store = createRedisStore({ redis: conn.redis, prefix: conn.prefix, now: () => clock });
let dir: string;
let archive: string;
const sinkErrors: unknown[] = [];
let sink: ReturnType<typeof createAuditFileSink>;
const logged: { level: string; object: object; message?: string }[] = [];
const retentionOn = (file: string) =>
  createRetention({
    redis: conn.redis,
    keys,
    store,
    archiveFile: file,
    retentionDays: 400,
    now: () => clock,
    logger: memoryLogger(logged),
  });

const PER_ROUND = 150;
const USERS = 10;

/** PER_ROUND requests at the clock: a third denied, a third timed out, a third granted and expired. */
async function round(): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < PER_ROUND; i += 1) {
    const request = accessRequest({ requester: `U0USER${i % USERS}`, createdAt: clock, updatedAt: clock });
    ids.push(request.id);
    const at = (r: typeof request) => auditEntry({ requestId: r.id, actor: r.requester });
    await store.create(request, at(request));
    const ends = [['denied'], ['timed_out'], ['approved', 'active', 'expired']][i % 3] as (typeof request.status)[];
    let version = 1;
    for (const status of ends) {
      const next = { ...request, status, updatedAt: clock };
      const result = await store.update(next, version, {
        ...at(request),
        type: status === 'active' ? 'granted' : 'approved',
      });
      version = result?.request.version ?? version;
    }
  }
  await store.sealPending();
  await sink.sync();
  return ids;
}

/** Keys under the prefix and the bytes Redis reports for them (MEMORY USAGE). */
async function footprint(): Promise<{ keys: number; bytes: number }> {
  const found = await conn.redis.keys(`${conn.prefix}:*`);
  const pipeline = conn.redis.pipeline();
  for (const key of found) pipeline.memory('USAGE', key);
  const sizes = ((await pipeline.exec()) ?? []).map(([, size]) => Number(size ?? 0));
  return { keys: found.length, bytes: sizes.reduce((a, b) => a + b, 0) };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'jumpgate-retention-'));
  archive = path.join(dir, 'audit.jsonl');
  sink = createAuditFileSink({ file: archive, reader: store, onError: (e) => sinkErrors.push(e) });
});
afterAll(async () => {
  await store.close();
  await conn.close();
  await rm(dir, { recursive: true, force: true });
});

describe('retention', () => {
  let lastRound: string[] = [];
  let firstRound: string[] = [];

  it('keeps Redis flat over rounds: each round the previous, 401 days old, leaves once archived', async () => {
    const retention = retentionOn(archive);
    const figures: { round: number; keysBefore: number; keys: number; bytes: number; auditLength: number }[] = [];
    for (let r = 0; r < 5; r += 1) {
      const ids = await round();
      if (r === 0) firstRound = ids;
      lastRound = ids;
      const keysBefore = (await footprint()).keys;
      const outcome = await retention.run();
      if (r === 0) expect(outcome).toEqual({ outcome: 'nothing' });
      else expect(outcome).toMatchObject({ outcome: 'removed', requests: PER_ROUND });
      await store.sealPending();
      await sink.sync();
      figures.push({ round: r, keysBefore, ...(await footprint()), auditLength: await conn.redis.llen(keys.audit) });
      clock += 401 * DAY_MS;
    }
    process.stdout.write(`retention rounds (after each run): ${JSON.stringify(figures)}\n`);
    const steady = figures.slice(1);
    const [first] = steady;
    for (const figure of steady) {
      expect(figure.keysBefore).toBeGreaterThan(figure.keys + PER_ROUND - 5);
      // The same requests, users and indexes each round; the audit list holds one round plus checkpoints.
      expect(Math.abs(figure.keys - first!.keys)).toBeLessThanOrEqual(2);
      expect(figure.bytes).toBeLessThan(first!.bytes * 1.15);
      expect(figure.auditLength).toBeLessThan(PER_ROUND * 4 + 10);
    }
    // Nothing of the first round is left; the last round is whole, its records readable.
    expect(await store.getMany(firstRound)).toEqual([]);
    expect(await conn.redis.exists(keys.request(firstRound[0]!))).toBe(0);
    expect((await store.getMany(lastRound)).length).toBe(PER_ROUND);
    const kept = await store.forRequest(lastRound[2]!);
    expect(kept.map((record) => record.type)).toEqual(['requested', 'approved', 'granted', 'approved']);
    expect(await store.forRequest(firstRound[0]!)).toEqual([]);
    expect(sinkErrors).toEqual([]);
  });

  it('proves the chain from the archive plus Redis, and Redis alone from its checkpoint', async () => {
    const cut = await store.retainedCut();
    expect(cut.seq).toBeGreaterThan(PER_ROUND * 3);
    const head = (await store.tail(1))[0]!;
    expect(await verifyTrail(store, archive)).toEqual({
      ok: true,
      records: head.seq,
      head: head.hash,
      fromArchive: cut.seq,
    });
    expect(await verifyTrail(store)).toMatchObject({ ok: true, records: head.seq, head: head.hash });
    const checkpoints = (await store.range(cut.seq + 1)).filter((r) => r.type === 'retention_checkpoint');
    expect(checkpoints.at(-1)?.detail).toMatchObject({
      throughSeq: cut.seq,
      throughHash: cut.hash,
      requestsRemoved: PER_ROUND,
    });
    expect(checkpoints.at(-1)?.requestId).toBeNull();
    // Asked for more than Redis keeps, tail starts at the cut.
    const kept = await store.range(cut.seq + 1);
    expect(await store.tail(kept.length + 50)).toEqual(kept);
    expect(kept[0]?.prev).toBe(cut.hash);
    // The reads of the trail start at the cut: the first record kept carries the cut's hash as prev.
    expect((await store.range(1, cut.seq + 1)).map((r) => [r.seq, r.prev])).toEqual([[cut.seq + 1, cut.hash]]);
  });

  it('the CLI verifies archive plus Redis, and names an edited archive record', async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      REDIS_URL: conn.url,
      JUMPGATE_PREFIX: conn.prefix,
      AUDIT_LOG_FILE: archive,
      SLACK_BOT_TOKEN: '',
      SLACK_APP_TOKEN: '',
      SLACK_SIGNING_SECRET: '',
    };
    const cli = async (...args: string[]) =>
      run('node_modules/.bin/tsx', ['src/audit-cli.ts', ...args], { env }).then(
        ({ stdout }) => ({ code: 0, out: stdout }),
        (error: { code: number; stderr: string }) => ({ code: error.code, out: error.stderr }),
      );
    const cut = await store.retainedCut();
    const ok = await cli('verify');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(`(1..${cut.seq} from ${archive}, the rest from Redis)`);

    const tampered = path.join(dir, 'tampered.jsonl');
    const lines = (await readFile(archive, 'utf8')).trim().split('\n');
    const edited = JSON.parse(lines[9]!) as AuditRecord;
    lines[9] = JSON.stringify({ ...edited, actor: 'U0MALLORY' });
    await writeFile(tampered, `${lines.join('\n')}\n`);
    const broken = await cli('verify', '--archive', tampered);
    expect(broken.code).toBe(1);
    expect(broken.out.trim()).toBe(
      `audit chain BROKEN at seq 10: hash does not match the record (it was changed) (in ${tampered})`,
    );
  });

  it('removes nothing when the archive is missing or differs from Redis', async () => {
    const old = await round();
    clock += 401 * DAY_MS;
    await round();
    const before = await footprint();
    const cut = await store.retainedCut();

    expect(await retentionOn(path.join(dir, 'missing.jsonl')).run()).toMatchObject({ outcome: 'blocked' });

    // A copy whose record just after the cut was edited: it no longer matches Redis's.
    const divergent = path.join(dir, 'divergent.jsonl');
    await copyFile(archive, divergent);
    const lines = (await readFile(divergent, 'utf8')).trim().split('\n');
    const index = lines.findIndex((line) => (JSON.parse(line) as AuditRecord).seq === cut.seq + 1);
    lines[index] = lines[index]!.replace('"actor":"U0USER', '"actor":"U0EVE');
    await writeFile(divergent, `${lines.join('\n')}\n`);
    const outcome = await retentionOn(divergent).run();
    expect(outcome).toMatchObject({ outcome: 'blocked' });
    expect(outcome.outcome === 'blocked' && outcome.why).toContain(`seq ${cut.seq + 1}`);

    expect(await footprint()).toEqual(before);
    expect(await store.retainedCut()).toEqual(cut);
    expect((await store.getMany(old)).length).toBe(PER_ROUND);
    expect(logged.filter((line) => line.level === 'error').length).toBeGreaterThanOrEqual(2);

    // With the true archive the same run removes them.
    expect(await retentionOn(archive).run()).toMatchObject({ outcome: 'removed', requests: PER_ROUND * 2 });
    expect(await store.getMany(old)).toEqual([]);
  });
});
