import { constants } from 'node:fs';
import { type FileHandle, open, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { readIfExists, writeFileAtomic } from './atomic-file.js';
import { grantRequestSchema } from './grant-request.js';
import { createGroupCommit } from './group-commit.js';

/**
 * Serials are reserved on disk this many at a time: the `serial` file holds the highest serial
 * that may have been handed out, so a restart continues after it (skipping what was left of the
 * block) and a serial is never used twice, while issuing writes that file once per block
 * instead of once per certificate.
 */
const SERIAL_BLOCK = 100n;

/** The grant journal, in the broker's data folder: one JSON record per line, the last line of an id wins. */
export const GRANT_JOURNAL = 'grants.jsonl';
/** Where earlier versions kept one file per grant; moved into the journal at open, then removed. */
const LEGACY_GRANTS_DIR = 'grants';
/** The journal is rewritten with only the live grants once it has this many lines and twice as many as live grants. */
const COMPACT_MIN_LINES = 1_000;

/**
 * The broker's state on disk: an append-only journal of grant records (`grants.jsonl`, a line
 * per issued or revoked grant, the last line of an id wins) plus the highest serial reserved
 * (`serial`), all of it read back at start.
 *
 * A record is durable before save() returns: the journal is opened with O_DSYNC, so one write
 * is one trip to the disk, and the records saved while a write runs go together in the next one
 * (group commit): a burst of issues and revocations costs a few writes, not one per grant.
 * A crash during a write leaves at most a torn last line, never acknowledged, which open()
 * drops. prune() forgets the grants whose certificates can no longer be used and, once most of
 * the journal is history, rewrites it atomically with the live grants only.
 */
const storedGrantSchema = z.object({
  id: z.string(),
  request: grantRequestSchema,
  serial: z.string().regex(/^\d+$/),
  certificate: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  issuedAt: z.string(),
  revokedAt: z.string().optional(),
});

export type StoredGrant = z.output<typeof storedGrantSchema>;

export interface GrantStore {
  /** A grant whose record is on disk (save() has returned). */
  get(id: string): StoredGrant | undefined;
  all(): readonly StoredGrant[];
  /**
   * The next serial, reserved on disk before it is returned (SERIAL_BLOCK at a time): a serial is
   * never used twice, even after a crash. Callers serialize it (the issuing mutex).
   */
  reserveSerial(): Promise<string>;
  /** Writes the grant's record (new or changed) durably; saves that arrive together share one write. */
  save(grant: StoredGrant): Promise<void>;
  /**
   * Forgets the grants whose notAfter is at or before `cutoffMs` (revoked or not); returns how
   * many. A revoked grant stays until then: its serial is still in the KRL, and its id must keep
   * answering with the revoked grant rather than a new certificate. Their lines leave the journal
   * when it is next compacted; until then a restart reads them back and the prune at start
   * forgets them again.
   */
  prune(cutoffMs: number): Promise<number>;
  close(): Promise<void>;
}

type Operation =
  | { readonly kind: 'save'; readonly grant: StoredGrant }
  | { readonly kind: 'compact' }
  /** Nothing to write: done once every write submitted before it is (close() waits on it). */
  | { readonly kind: 'flush' };

const recordLine = (grant: StoredGrant) => `${JSON.stringify(grant)}\n`;

export async function openGrantStore(dataDir: string): Promise<GrantStore> {
  const journalFile = path.join(dataDir, GRANT_JOURNAL);
  const serialFile = path.join(dataDir, 'serial');
  const grants = new Map<string, StoredGrant>();

  const legacy = await readLegacyGrants(path.join(dataDir, LEGACY_GRANTS_DIR));
  for (const grant of legacy ?? []) grants.set(grant.id, grant);
  const journal = await readJournal(journalFile);
  for (const grant of journal.records) grants.set(grant.id, grant);
  let lines = journal.records.length;
  let size = journal.validBytes;
  // A crash during an append leaves at most a torn last line; it was never acknowledged.
  const torn = journal.totalBytes > journal.validBytes;

  // O_DSYNC: each write returns once its data is on disk (one thread-pool trip, no separate sync).
  const dsync = constants.O_DSYNC;
  const openJournal = () =>
    open(journalFile, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (dsync ?? 0), 0o600);
  let handle: FileHandle = await openJournal();
  if (torn) await handle.truncate(size);
  // Set when a write failed part-way: the next write first cuts the journal back to its last whole line.
  let dirty = false;

  async function append(records: readonly StoredGrant[]): Promise<void> {
    if (records.length === 0) return;
    if (dirty) {
      await handle.truncate(size);
      dirty = false;
    }
    const data = Buffer.from(records.map(recordLine).join(''));
    try {
      for (let written = 0; written < data.length; ) {
        written += (await handle.write(data, written, data.length - written)).bytesWritten;
      }
      if (dsync === undefined) await handle.datasync();
    } catch (error) {
      dirty = true;
      throw error;
    }
    size += data.length;
    lines += records.length;
    for (const grant of records) grants.set(grant.id, grant);
  }

  async function compact(): Promise<void> {
    const live = [...grants.values()];
    const data = live.map(recordLine).join('');
    await writeFileAtomic(journalFile, data);
    // The rename replaced the file under the open handle: later appends go to the new one.
    await handle.close();
    handle = await openJournal();
    size = Buffer.byteLength(data);
    lines = live.length;
    dirty = false;
  }

  const writes = createGroupCommit<Operation>(async (operations) => {
    let saves: StoredGrant[] = [];
    for (const operation of operations) {
      if (operation.kind === 'save') {
        saves.push(operation.grant);
        continue;
      }
      await append(saves);
      saves = [];
      if (operation.kind === 'compact') await compact();
    }
    await append(saves);
  });

  if (legacy !== undefined) {
    // Earlier versions kept a file per grant: the journal now holds them all, then the folder goes.
    await writes.submit({ kind: 'compact' });
    await rm(path.join(dataDir, LEGACY_GRANTS_DIR), { recursive: true, force: true });
  }

  // Serials start at 1: a KRL cannot revoke serial 0.
  let lastSerial = BigInt((await readIfExists(serialFile))?.trim() || '0');
  for (const grant of grants.values()) if (BigInt(grant.serial) > lastSerial) lastSerial = BigInt(grant.serial);
  let reservedUpTo = lastSerial;

  return {
    get: (id) => grants.get(id),
    all: () => [...grants.values()],
    async reserveSerial() {
      const next = lastSerial + 1n;
      if (next > reservedUpTo) {
        const upTo = next + SERIAL_BLOCK - 1n;
        await writeFileAtomic(serialFile, `${upTo}\n`);
        reservedUpTo = upTo;
      }
      lastSerial = next;
      return next.toString();
    },
    save: (grant) => writes.submit({ kind: 'save', grant }),
    async prune(cutoffMs) {
      let pruned = 0;
      for (const grant of [...grants.values()]) {
        if (Date.parse(grant.notAfter) > cutoffMs) continue;
        grants.delete(grant.id);
        pruned += 1;
      }
      if (pruned > 0 && lines >= COMPACT_MIN_LINES && lines >= 2 * grants.size) {
        await writes.submit({ kind: 'compact' });
      }
      return pruned;
    },
    async close() {
      // The writes already asked for land first (a failed one has answered its caller already).
      await writes.submit({ kind: 'flush' }).catch(() => undefined);
      await handle.close();
    },
  };
}

/** The grant records of the journal's whole lines, and how many of its bytes those lines are. */
async function readJournal(file: string): Promise<{ records: StoredGrant[]; validBytes: number; totalBytes: number }> {
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], validBytes: 0, totalBytes: 0 };
    throw error;
  }
  const validBytes = content.lastIndexOf(0x0a) + 1;
  const records: StoredGrant[] = [];
  const text = content.subarray(0, validBytes).toString('utf8');
  let lineNumber = 0;
  for (const line of text.split('\n')) {
    lineNumber += 1;
    if (line === '') continue;
    records.push(parseRecord(line, `${file} line ${lineNumber}`));
  }
  return { records, validBytes, totalBytes: content.length };
}

/** The records of an earlier version's `grants/<id>.json` files, or undefined when there is no such folder. */
async function readLegacyGrants(dir: string): Promise<StoredGrant[] | undefined> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const records: StoredGrant[] = [];
  for (const entry of entries) {
    if (!entry.endsWith('.json') || entry.startsWith('.')) continue;
    const file = path.join(dir, entry);
    records.push(parseRecord(await readFile(file, 'utf8'), file));
  }
  return records;
}

function parseRecord(text: string, where: string): StoredGrant {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${where} is not a grant record: not JSON`);
  }
  const parsed = storedGrantSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`${where} is not a grant record: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}
