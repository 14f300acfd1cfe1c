import { SYSTEM_ACTOR } from '../domain/audit-entry.js';
import { FINAL_STATUSES } from '../domain/request-status.js';
import type { AuditRecord } from '../service/ports/audit.js';
import type { Clock } from '../service/ports/clock.js';
import type { Logger } from '../service/ports/logger.js';
import { archiveExists, createArchiveReader } from './audit-archive.js';
import { verifyChain } from './audit-chain.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisStore, RetentionPlan } from './redis-store.js';
import type { RedisClient } from './redis-topology.js';

export const DAY_MS = 86_400_000;
/** Retention runs this often (one replica at a time, BullMQ's job scheduler). */
export const RETENTION_EVERY_MS = 60 * 60_000;
/**
 * One step removes at most this much, so one script call stays short for Redis (a few ms); a
 * run takes steps until nothing old is left. Each step appends one checkpoint record.
 */
const RECORDS_PER_STEP = 10_000;
const REQUESTS_PER_STEP = 500;
const READ_CHUNK = 1_000;

export type RetentionOutcome =
  | { readonly outcome: 'removed'; readonly records: number; readonly requests: number; readonly steps: number }
  | { readonly outcome: 'nothing' }
  | { readonly outcome: 'blocked'; readonly why: string };

/**
 * Finished requests and audit records older than RETENTION_DAYS leave Redis, once the archive
 * (AUDIT_LOG_FILE) holds them. The records that go are always a prefix of the chain (seq 1..N),
 * and only after the archive's lines for them are checked against Redis (seq, hash, and the chain
 * itself): a missing or divergent archive means nothing is removed. A request goes when it is
 * final, its last change is older than the cut-off and each of its records is at or before N.
 * Each step appends a `retention_checkpoint` record (through seq N and its hash, what left), so
 * the chain stays provable from the archive plus Redis, and from Redis alone from the cut on.
 */
export interface Retention {
  run(): Promise<RetentionOutcome>;
}

export function createRetention(deps: {
  readonly redis: RedisClient;
  readonly keys: RedisKeys;
  readonly store: RedisStore;
  readonly archiveFile: string;
  readonly retentionDays: number;
  readonly now: Clock;
  readonly logger: Logger;
}): Retention {
  const { redis, keys, store } = deps;
  const archive = createArchiveReader(deps.archiveFile);

  /** The records after the cut that are older than `before`, at most RECORDS_PER_STEP. */
  async function oldRecords(cut: number, before: number): Promise<AuditRecord[]> {
    const old: AuditRecord[] = [];
    for (let from = cut + 1; old.length < RECORDS_PER_STEP; from += READ_CHUNK) {
      const records = await store.range(from, Math.min(from + READ_CHUNK, cut + 1 + RECORDS_PER_STEP) - 1);
      for (const record of records) {
        if (Date.parse(record.at) >= before) return old;
        old.push(record);
      }
      if (records.length < READ_CHUNK) return old;
    }
    return old;
  }

  /** How many of `records` the archive holds, checked; throws when it holds other ones. */
  async function archived(records: readonly AuditRecord[], cutHash: string): Promise<number> {
    const first = records[0];
    if (!first) return 0;
    const lines = await archive.slice(first.seq, first.seq + records.length - 1);
    if (lines.length === 0)
      throw new Error(`the archive does not hold seq ${first.seq}, a record older than the cut-off`);
    const broken = verifyChain(lines, cutHash, first.seq);
    if (broken) throw new Error(`the archive breaks at seq ${broken.seq}: ${broken.problem}`);
    lines.forEach((line, i) => {
      if (line.hash !== records[i]?.hash) throw new Error(`the archive's record ${line.seq} differs from Redis's`);
    });
    return lines.length;
  }

  /** Final requests changed before `before` whose every record is at or before `through`. */
  async function finishedRequests(before: number, through: number): Promise<RetentionPlan['requests']> {
    const found: RetentionPlan['requests'][number][] = [];
    for (const status of FINAL_STATUSES) {
      const left = REQUESTS_PER_STEP - found.length;
      if (left <= 0) break;
      const ids = await redis.zrangebyscore(keys.status(status), '-inf', `(${before}`, 'LIMIT', 0, left);
      if (ids.length === 0) continue;
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hmget(keys.request(id), 'v', 's', 'j', 'a').lrange(keys.auditOf(id), 0, -1);
      const results = (await pipeline.exec()) ?? [];
      ids.forEach((id, i) => {
        const [v, s, j, a] = (results[2 * i]?.[1] ?? []) as (string | null)[];
        const listed = (results[2 * i + 1]?.[1] ?? []) as string[];
        if (!v || !j || s !== status) return;
        const seqs = [...(a ? a.split(',') : []), ...listed].map(Number);
        if (seqs.length === 0 || Math.max(...seqs) > through) return;
        const { requester } = JSON.parse(j) as { requester: string };
        found.push({ id, requester, status: s, version: Number(v) });
      });
    }
    return found;
  }

  /** One step: undefined when there was nothing to remove. */
  async function step(before: number): Promise<{ records: number; requests: number } | undefined> {
    const cut = await store.retainedCut();
    const old = await oldRecords(cut.seq, before);
    const held = await archived(old, cut.hash);
    const nextCut = cut.seq + held;
    const nextCutHash = held > 0 ? (old[held - 1]?.hash ?? cut.hash) : cut.hash;
    const requests = await finishedRequests(before, nextCut);
    if (held === 0 && requests.length === 0) return undefined;
    const checkpoint = await store.retain({
      cut: cut.seq,
      nextCut,
      nextCutHash,
      requests,
      checkpoint: {
        type: 'retention_checkpoint',
        requestId: null,
        actor: SYSTEM_ACTOR,
        target: null,
        detail: {
          throughSeq: nextCut,
          throughHash: nextCutHash,
          recordsRemoved: held,
          requestsRemoved: requests.length,
          olderThan: new Date(before).toISOString(),
        },
      },
    });
    // Something changed between the reads and the step (another run, a late change): read again.
    if (!checkpoint) return { records: 0, requests: 0 };
    return { records: held, requests: requests.length };
  }

  return {
    async run(): Promise<RetentionOutcome> {
      if (!(await archiveExists(deps.archiveFile))) {
        const why = `the archive ${deps.archiveFile} does not exist`;
        deps.logger.error({ archive: deps.archiveFile }, `retention removed nothing: ${why}`);
        return { outcome: 'blocked', why };
      }
      const before = deps.now() - deps.retentionDays * DAY_MS;
      let records = 0;
      let requests = 0;
      let steps = 0;
      try {
        // Bounded: a run that keeps finding work stops after this many steps; the next run goes on.
        for (let i = 0; i < 200; i += 1) {
          const done = await step(before);
          if (!done) break;
          records += done.records;
          requests += done.requests;
          steps += 1;
        }
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        deps.logger.error({ archive: deps.archiveFile, err: error }, `retention removed nothing more: ${why}`);
        return { outcome: 'blocked', why };
      }
      if (steps === 0) return { outcome: 'nothing' };
      deps.logger.info({ records, requests, steps }, 'retention: old records and finished requests left Redis');
      return { outcome: 'removed', records, requests, steps };
    },
  };
}
