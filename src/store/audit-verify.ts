import type { AuditRecord } from '../service/ports/audit.js';
import { archiveLines } from './audit-archive.js';
import { GENESIS, verifyChain } from './audit-chain.js';
import type { RedisStore } from './redis-store.js';

const CHUNK = 1000;

export type VerifyOutcome =
  | { readonly ok: true; readonly records: number; readonly head: string; readonly fromArchive: number }
  | { readonly ok: false; readonly seq: number; readonly problem: string };

type Reader = Pick<RedisStore, 'range' | 'retainedCut'>;

/** Redis's records from `from` on, in chunks. */
async function* redisRecords(store: Reader, from: number): AsyncGenerator<AuditRecord> {
  for (let seq = from; ; ) {
    const records = await store.range(seq, seq + CHUNK - 1);
    yield* records;
    if (records.length < CHUNK) return;
    seq += records.length;
  }
}

/**
 * Verifies the whole trail: with an archive, the archive from seq 1 (GENESIS), joined to what
 * Redis keeps after retention's cut (the archive's record at the cut must be the one the cut names,
 * and where both hold a record it must be the same); then Redis's records from the cut on, whose
 * newest `retention_checkpoint` must name the cut. Without an archive, Redis alone from the cut.
 */
export async function verifyTrail(store: Reader, archive?: string): Promise<VerifyOutcome> {
  const cut = await store.retainedCut();
  let fromArchive = 0;
  if (archive !== undefined) {
    const redis = redisRecords(store, cut.seq + 1);
    let prev = GENESIS;
    let seq = 1;
    for await (const entry of archiveLines(archive)) {
      if (!('record' in entry)) return { ok: false, seq, problem: entry.problem };
      const { record } = entry;
      const broken = verifyChain([record], prev, seq);
      if (broken) return { ok: false, ...broken, problem: `${broken.problem} (in ${archive})` };
      if (record.seq === cut.seq && record.hash !== cut.hash)
        return { ok: false, seq: record.seq, problem: `the archive's record differs from the one Redis's cut names` };
      if (record.seq > cut.seq) {
        const kept = (await redis.next()).value as AuditRecord | undefined;
        if (kept && (kept.seq !== record.seq || kept.hash !== record.hash))
          return { ok: false, seq: record.seq, problem: `the archive and Redis differ` };
      }
      prev = record.hash;
      seq += 1;
    }
    fromArchive = seq - 1;
    if (fromArchive < cut.seq)
      return {
        ok: false,
        seq: fromArchive + 1,
        problem: `the archive ends at seq ${fromArchive}, Redis keeps records only from seq ${cut.seq + 1}`,
      };
  }
  let prev = cut.seq === 0 ? GENESIS : cut.hash;
  let seq = cut.seq + 1;
  let checkpoint: AuditRecord | undefined;
  for await (const record of redisRecords(store, seq)) {
    const broken = verifyChain([record], prev, seq);
    if (broken) return { ok: false, ...broken };
    if (record.type === 'retention_checkpoint') checkpoint = record;
    prev = record.hash;
    seq += 1;
  }
  if (cut.seq > 0 && (checkpoint?.detail.throughSeq !== cut.seq || checkpoint.detail.throughHash !== cut.hash))
    return {
      ok: false,
      seq: cut.seq,
      problem: `records through seq ${cut.seq} left Redis, and no retention_checkpoint record names that cut`,
    };
  return { ok: true, records: seq - 1, head: prev, fromArchive: Math.min(fromArchive, cut.seq) };
}
