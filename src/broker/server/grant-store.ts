import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { readIfExists, syncDir, writeFileAtomic, writeFilesAtomic } from './atomic-file.js';
import { grantRequestSchema } from './grant-request.js';

/**
 * Serials are reserved on disk this many at a time: the `serial` file holds the highest serial
 * that may have been handed out, so a restart continues after it (skipping what was left of the
 * block) and a serial is never used twice, while issuing writes that file once per block
 * instead of once per certificate.
 */
const SERIAL_BLOCK = 100n;

/**
 * The broker's state on disk, one file per grant (`grants/<id>.json`) plus the highest serial
 * reserved (`serial`), each written atomically; all of it read back at start. One file per grant
 * keeps each write small however many grants there are, and prune() keeps their number to the
 * grants whose certificates could still be used. Callers serialize issuing and pruning (mutex).
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
  get(id: string): StoredGrant | undefined;
  all(): readonly StoredGrant[];
  /**
   * The next serial, reserved on disk before it is returned (SERIAL_BLOCK at a time): a serial is
   * never used twice, even after a crash. Callers serialize it (the issuing mutex).
   */
  reserveSerial(): Promise<string>;
  save(grant: StoredGrant): Promise<void>;
  /** Saves several grants in one go (one folder sync): revocations that arrive together. */
  saveAll(grants: readonly StoredGrant[]): Promise<void>;
  /**
   * Removes the grants whose notAfter is at or before `cutoffMs` (revoked or not) from disk and
   * memory; returns how many. A revoked grant stays until then: its serial is still in the KRL,
   * and its id must keep answering with the revoked grant rather than a new certificate.
   */
  prune(cutoffMs: number): Promise<number>;
}

export async function openGrantStore(dataDir: string): Promise<GrantStore> {
  const grantsDir = path.join(dataDir, 'grants');
  const serialFile = path.join(dataDir, 'serial');
  await mkdir(grantsDir, { recursive: true, mode: 0o700 });
  const grants = new Map<string, StoredGrant>();
  for (const entry of await readdir(grantsDir)) {
    if (!entry.endsWith('.json') || entry.startsWith('.')) continue;
    const file = path.join(grantsDir, entry);
    const parsed = storedGrantSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    if (!parsed.success)
      throw new Error(`${file} is not a grant record: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    grants.set(parsed.data.id, parsed.data);
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
    async save(grant) {
      await writeFileAtomic(path.join(grantsDir, `${grant.id}.json`), `${JSON.stringify(grant, null, 2)}\n`);
      grants.set(grant.id, grant);
    },
    async saveAll(batch) {
      await writeFilesAtomic(
        grantsDir,
        batch.map((grant) => ({ name: `${grant.id}.json`, data: `${JSON.stringify(grant, null, 2)}\n` })),
      );
      for (const grant of batch) grants.set(grant.id, grant);
    },
    async prune(cutoffMs) {
      const due = [...grants.values()].filter((grant) => Date.parse(grant.notAfter) <= cutoffMs);
      for (const grant of due) {
        await rm(path.join(grantsDir, `${grant.id}.json`), { force: true });
        grants.delete(grant.id);
      }
      // One folder sync for the batch: a removal lost in a crash is simply done again next time.
      if (due.length > 0) await syncDir(grantsDir);
      return due.length;
    },
  };
}
