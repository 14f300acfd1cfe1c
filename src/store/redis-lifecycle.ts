import type { PolicySummary } from '../domain/policy-change.js';
import type { Retirement } from '../domain/workflow.js';
import type { AuditEntry, CommittedAudit } from '../service/ports/audit.js';
import type { LifecycleRecords } from '../service/ports/lifecycle-records.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisClient } from './redis-topology.js';
import type { StoreCommands } from './store-commands.js';

type Reply = (string | number | false | null)[];

/** LifecycleRecords over the store's connection: each write one script with its audit entry. */
export function createLifecycleRecords(deps: {
  readonly redis: RedisClient & StoreCommands;
  readonly keys: RedisKeys;
  readonly now: () => number;
  /**
   * Runs one script with the audit entry's JSON (`call`) and, when it answers `{'ok', seq}`, gives
   * back the entry's record; undefined for any other answer (nothing was written). The store's
   * own write path: the only place that knows how an entry is encoded and sealed.
   */
  readonly commit: (
    entry: AuditEntry,
    call: (entryJson: string) => Promise<Reply>,
  ) => Promise<CommittedAudit | undefined>;
}): LifecycleRecords {
  const { redis, keys, commit } = deps;
  return {
    async policyInForce() {
      const json = await redis.hget(keys.policyInForce, 'j');
      return json ? (JSON.parse(json) as PolicySummary) : undefined;
    },
    recordPolicy(next, expectedHash, audit) {
      return commit(audit, (entryJson) =>
        redis.jumpgateRecordPolicy(
          keys.policyInForce,
          keys.auditPending,
          keys.auditHead,
          expectedHash ?? '',
          next.hash,
          JSON.stringify(next),
          entryJson,
        ),
      );
    },
    async retirements() {
      const all = await redis.hgetall(keys.retirements);
      return new Map(Object.entries(all).map(([name, json]) => [name, JSON.parse(json) as Retirement]));
    },
    recordRetirement(retirement, audit) {
      return commit(audit, (entryJson) =>
        redis.jumpgateRecordRetirement(
          keys.retirements,
          keys.auditPending,
          keys.auditHead,
          retirement.target,
          JSON.stringify(retirement),
          entryJson,
        ),
      );
    },
    async forgetRetirement(target) {
      await redis.hdel(keys.retirements, target);
    },
    offboard(userId, audit) {
      return commit(audit, (entryJson) =>
        redis.jumpgateRecordOffboarding(
          keys.offboarded(userId),
          keys.sshKey(userId),
          keys.auditPending,
          keys.auditHead,
          String(deps.now()),
          entryJson,
        ),
      );
    },
  };
}
