import {
  APPEND_AUDIT,
  AUDIT_SLICE,
  BEGIN_SEAL,
  COMMIT_BREAKGLASS,
  COMMIT_REQUEST,
  COMMIT_SSH_KEY,
  DROP_SEALER_LEASE,
  MIGRATE_STATUS_SETS,
  RECORD_OFFBOARDING,
  RECORD_POLICY,
  RECORD_RETIREMENT,
  RETAIN,
  SEAL_AUDIT,
} from './lua.js';
import type { RedisClient } from './redis-topology.js';

type Reply = (string | number | false | null)[];

/** The store's scripts as ioredis commands (EVALSHA; the text is sent only when Redis lacks it). */
export interface StoreCommands {
  jumpgateCommitRequest(...args: string[]): Promise<Reply>;
  jumpgateCommitBreakglass(...args: string[]): Promise<Reply>;
  jumpgateCommitSshKey(...args: string[]): Promise<Reply>;
  jumpgateAppendAudit(...args: string[]): Promise<Reply>;
  jumpgateSealAudit(...args: string[]): Promise<string>;
  jumpgateMigrateStatusSets(...args: string[]): Promise<number>;
  jumpgateBeginSeal(...args: string[]): Promise<(number | string | false | null)[]>;
  jumpgateDropSealerLease(...args: string[]): Promise<number>;
  jumpgateRecordPolicy(...args: string[]): Promise<Reply>;
  jumpgateRecordRetirement(...args: string[]): Promise<Reply>;
  jumpgateRecordOffboarding(...args: string[]): Promise<Reply>;
  jumpgateAuditSlice(...args: string[]): Promise<Reply>;
  jumpgateRetain(...args: string[]): Promise<Reply>;
}

const SCRIPTS = {
  jumpgateCommitRequest: { numberOfKeys: 4, lua: COMMIT_REQUEST },
  jumpgateCommitBreakglass: { numberOfKeys: 6, lua: COMMIT_BREAKGLASS },
  jumpgateCommitSshKey: { numberOfKeys: 3, lua: COMMIT_SSH_KEY },
  jumpgateAppendAudit: { numberOfKeys: 4, lua: APPEND_AUDIT },
  jumpgateSealAudit: { numberOfKeys: 3, lua: SEAL_AUDIT },
  jumpgateMigrateStatusSets: { numberOfKeys: 1, lua: MIGRATE_STATUS_SETS },
  jumpgateBeginSeal: { numberOfKeys: 3, lua: BEGIN_SEAL },
  jumpgateDropSealerLease: { numberOfKeys: 1, lua: DROP_SEALER_LEASE },
  jumpgateRecordPolicy: { numberOfKeys: 3, lua: RECORD_POLICY },
  jumpgateRecordRetirement: { numberOfKeys: 3, lua: RECORD_RETIREMENT },
  jumpgateRecordOffboarding: { numberOfKeys: 4, lua: RECORD_OFFBOARDING },
  jumpgateAuditSlice: { numberOfKeys: 2, lua: AUDIT_SLICE },
  jumpgateRetain: { numberOfKeys: 3, lua: RETAIN },
} as const;

/** Defines the store's commands on a connection (once; defining again is harmless). */
export function withStoreCommands(redis: RedisClient): RedisClient & StoreCommands {
  for (const [name, definition] of Object.entries(SCRIPTS)) {
    if (!(name in redis)) redis.defineCommand(name, definition);
  }
  return redis as RedisClient & StoreCommands;
}
