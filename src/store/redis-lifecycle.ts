import type { Redis } from 'ioredis';
import type { PolicySummary } from '../domain/policy-change.js';
import type { Retirement } from '../domain/workflow.js';
import type { AuditEntry, AuditRecord } from '../service/ports/audit.js';
import type { LifecycleRecords } from '../service/ports/lifecycle-records.js';
import type { RedisKeys } from './redis-keys.js';
import type { StoreCommands } from './store-commands.js';

type Reply = (string | number | false | null)[];

/** LifecycleRecords over the store's connection: each write one script with its audit entry. */
export function createLifecycleRecords(deps: {
  readonly redis: Redis & StoreCommands;
  readonly keys: RedisKeys;
  readonly entryJson: (entry: AuditEntry) => string;
  /** Waits for the entry committed at `seq` to be sealed into the chain. */
  readonly sealed: (seq: number) => Promise<AuditRecord>;
  readonly now: () => number;
}): LifecycleRecords {
  const { redis, keys, entryJson, sealed } = deps;
  const ifOk = async (reply: Reply) => (reply[0] === 'ok' ? sealed(Number(reply[1])) : undefined);
  return {
    async policyInForce() {
      const json = await redis.hget(keys.policyInForce, 'j');
      return json ? (JSON.parse(json) as PolicySummary) : undefined;
    },
    async recordPolicy(next, expectedHash, audit) {
      return ifOk(
        await redis.jumpgateRecordPolicy(
          keys.policyInForce,
          keys.auditPending,
          keys.auditHead,
          expectedHash ?? '',
          next.hash,
          JSON.stringify(next),
          entryJson(audit),
        ),
      );
    },
    async retirements() {
      const all = await redis.hgetall(keys.retirements);
      return new Map(Object.entries(all).map(([name, json]) => [name, JSON.parse(json) as Retirement]));
    },
    async recordRetirement(retirement, audit) {
      return ifOk(
        await redis.jumpgateRecordRetirement(
          keys.retirements,
          keys.auditPending,
          keys.auditHead,
          retirement.target,
          JSON.stringify(retirement),
          entryJson(audit),
        ),
      );
    },
    async forgetRetirement(target) {
      await redis.hdel(keys.retirements, target);
    },
    async offboard(userId, audit) {
      return ifOk(
        await redis.jumpgateRecordOffboarding(
          keys.offboarded(userId),
          keys.sshKey(userId),
          keys.auditPending,
          keys.auditHead,
          String(deps.now()),
          entryJson(audit),
        ),
      );
    },
  };
}
