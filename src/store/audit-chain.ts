import { createHash } from 'node:crypto';
import type { AuditEntry, AuditRecord } from '../service/ports/audit.js';

/** The `prev` of the first record. */
export const GENESIS = '0'.repeat(64);

/** JSON with object keys sorted at every depth and no whitespace: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** hash = sha256(prev + canonical JSON of the record without its hash). */
export function hashRecord(record: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256')
    .update(record.prev + canonicalJson(record))
    .digest('hex');
}

/** An audit entry as committed, before it is sealed: the time is fixed at the commit. */
export type PendingEntry = AuditEntry & { readonly at: string };

export function pendingEntry(entry: AuditEntry, at: number): PendingEntry {
  return { ...entry, at: new Date(at).toISOString() };
}

export function sealRecord(entry: PendingEntry, seq: number, prev: string): AuditRecord {
  const unsealed = {
    seq,
    at: entry.at,
    type: entry.type,
    requestId: entry.requestId,
    ...(entry.grantId === undefined ? {} : { grantId: entry.grantId }),
    actor: entry.actor,
    target: entry.target,
    detail: entry.detail,
    prev,
  };
  return { ...unsealed, hash: hashRecord(unsealed) };
}

export interface ChainBreak {
  readonly seq: number;
  readonly problem: string;
}

/**
 * Checks a run of records: consecutive seq, each prev equal to the hash before it, each hash
 * recomputed. `before` is the hash preceding the first record (GENESIS from the start).
 */
export function verifyChain(records: readonly AuditRecord[], before = GENESIS, firstSeq = 1): ChainBreak | undefined {
  let prev = before;
  let expectedSeq = firstSeq;
  for (const record of records) {
    if (record.seq !== expectedSeq)
      return { seq: record.seq, problem: `expected seq ${expectedSeq}, found ${record.seq}` };
    if (record.prev !== prev)
      return { seq: record.seq, problem: 'prev does not match the hash of the record before it' };
    const { hash, ...rest } = record;
    if (hashRecord(rest) !== hash)
      return { seq: record.seq, problem: 'hash does not match the record (it was changed)' };
    prev = hash;
    expectedSeq += 1;
  }
  return undefined;
}
