import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { GRANT_JOURNAL } from '../../src/broker/server/grant-store.js';

/** What tests read of a broker grant record (src/broker/server/grant-store.ts). */
export interface BrokerGrantRecord {
  readonly id: string;
  readonly serial: string;
  readonly notAfter: string;
  readonly revokedAt?: string;
  readonly request?: { readonly notAfter?: string };
}

/**
 * The broker's grant records as its journal holds them (`<dataDir>/grants.jsonl`, the last line
 * of an id wins), read from disk the way an operator would: a grant is here once the broker has
 * answered for it. Empty when the journal does not exist yet.
 */
export async function readBrokerGrants(dataDir: string): Promise<Map<string, BrokerGrantRecord>> {
  const text = await readFile(path.join(dataDir, GRANT_JOURNAL), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const grants = new Map<string, BrokerGrantRecord>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const record = JSON.parse(line) as BrokerGrantRecord;
    grants.set(record.id, record);
  }
  return grants;
}

/** One grant's record (it says `revokedAt` once revoked), or undefined when the broker has none. */
export async function readBrokerGrant(dataDir: string, grantId: string): Promise<BrokerGrantRecord | undefined> {
  return (await readBrokerGrants(dataDir)).get(grantId);
}
