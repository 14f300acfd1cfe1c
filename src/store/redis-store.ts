import type { Redis } from 'ioredis';
import type { AccessRequest } from '../domain/access-request.js';
import { JumpgateError } from '../domain/errors.js';
import { REQUEST_STATUSES, type RequestStatus } from '../domain/request-status.js';
import type { AuditEntry, AuditReader, AuditRecord } from '../service/ports/audit.js';
import type { Clock } from '../service/ports/clock.js';
import type { LifecycleRecords } from '../service/ports/lifecycle-records.js';
import type { BreakglassLimits, Store } from '../service/ports/store.js';
import { pendingEntry } from './audit-chain.js';
import { createAuditSealer } from './audit-sealer.js';
import { indexScore, redisKeys } from './redis-keys.js';
import { createLifecycleRecords } from './redis-lifecycle.js';
import { withStoreCommands } from './store-commands.js';

export interface RedisStoreDeps {
  readonly redis: Redis;
  /** JUMPGATE_PREFIX: every key starts with it. */
  readonly prefix: string;
  readonly now: Clock;
  /** Called with the records of each seal, in seq order (e.g. to copy them to AUDIT_LOG_FILE). */
  readonly onAudit?: (records: readonly AuditRecord[]) => void;
}

export interface RedisStore extends Store, AuditReader, LifecycleRecords {
  /** Moves status indexes written by an earlier version to the current layout (start-up). */
  migrate(): Promise<number>;
  /** Closes what the store opened itself (not the connection it was given). */
  close(): Promise<void>;
}

type Reply = (string | number | false | null)[];

/**
 * Store and AuditReader over Redis (ioredis). Every write is one script call that lands the state
 * change and its audit entry together; the entry is then sealed into the hash chain (see
 * audit-sealer.ts), and the write resolves with the sealed record.
 */
export function createRedisStore(deps: RedisStoreDeps): RedisStore {
  const { prefix, now } = deps;
  const redis = withStoreCommands(deps.redis);
  const key = redisKeys(prefix);
  const sealer = createAuditSealer({ redis, keys: key, ...(deps.onAudit ? { onSealed: deps.onAudit } : {}) });
  const entryJson = (entry: AuditEntry) => JSON.stringify(pendingEntry(entry, now()));

  function commitArgs(
    mode: 'create' | 'update',
    next: AccessRequest,
    expectedVersion: number,
    entry: AuditEntry,
  ): string[] {
    return [
      key.request(next.id),
      key.user(next.requester),
      key.auditOf(next.id),
      key.auditPending,
      key.auditHead,
      mode,
      String(expectedVersion),
      JSON.stringify(next),
      String(next.version),
      next.status,
      String(indexScore(next)),
      String(next.createdAt),
      next.id,
      prefix,
      entryJson(entry),
    ];
  }

  /** The record as stored: the version it will have, no message ref (that is metadata). */
  function toStore(request: AccessRequest, version: number): AccessRequest {
    const { message: _message, ...rest } = request;
    return { ...rest, version };
  }

  async function sealedRecord(reply: Reply): Promise<AuditRecord> {
    return sealer.sealed(Number(reply[1]));
  }

  // Field j: the request JSON (versioned, audited); m: where its approval message is (metadata).
  function decode([json, message]: (string | null)[]): AccessRequest | undefined {
    if (!json) return undefined;
    const request = JSON.parse(json) as AccessRequest;
    return message ? { ...request, message: JSON.parse(message) as AccessRequest['message'] } : request;
  }

  async function get(id: string): Promise<AccessRequest | undefined> {
    return decode(await redis.hmget(key.request(id), 'j', 'm'));
  }

  async function getMany(ids: readonly string[]): Promise<AccessRequest[]> {
    if (ids.length === 0) return [];
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hmget(key.request(id), 'j', 'm');
    const results = (await pipeline.exec()) ?? [];
    return results.flatMap(([, fields]) => {
      const request = Array.isArray(fields) ? decode(fields as (string | null)[]) : undefined;
      return request ? [request] : [];
    });
  }

  async function readAudit(start: number, stop: number): Promise<AuditRecord[]> {
    await sealer.flush();
    const lines = await redis.lrange(key.audit, start, stop);
    return lines.map((line) => JSON.parse(line) as AuditRecord);
  }

  return {
    get,
    getMany,
    ...createLifecycleRecords({
      redis,
      keys: key,
      now,
      async commit(entry, call) {
        const reply = await call(entryJson(entry));
        return reply[0] === 'ok' ? sealedRecord(reply) : undefined;
      },
    }),

    async create(request, entry) {
      const stored = toStore(request, 1);
      const reply = await redis.jumpgateCommitRequest(...commitArgs('create', stored, 0, entry));
      if (reply[0] === 'exists') throw new JumpgateError('illegal_transition', `request ${request.id} already exists`);
      return sealedRecord(reply);
    },

    async createBreakglass(request, entry, limits: BreakglassLimits) {
      const stored = toStore(request, 1);
      const reply = await redis.jumpgateCommitBreakglass(
        ...commitArgs('create', stored, 0, entry).slice(0, 5),
        key.breakglassUses(request.requester),
        key.breakglassHold(request.requester, request.target),
        ...commitArgs('create', stored, 0, entry).slice(5),
        String(limits.windowStart),
        limits.maxInWindow === undefined ? '' : String(limits.maxInWindow),
        limits.onePerTarget ? '1' : '0',
        String(Math.max(1, Math.ceil(limits.holdMs))),
      );
      if (reply[0] === 'exists') throw new JumpgateError('illegal_transition', `request ${request.id} already exists`);
      if (reply[0] === 'limit') return { refused: 'limit', used: Number(reply[1]) } as const;
      if (reply[0] === 'held') return { refused: 'held', requestId: String(reply[1]) } as const;
      return { audit: await sealedRecord(reply) };
    },

    async update(next, expectedVersion, entry) {
      const stored = toStore(next, expectedVersion + 1);
      const reply = await redis.jumpgateCommitRequest(...commitArgs('update', stored, expectedVersion, entry));
      if (reply[0] === 'missing') throw new JumpgateError('not_found', `there is no request ${next.id}`);
      if (reply[0] !== 'ok') return undefined;
      const message = typeof reply[2] === 'string' ? (JSON.parse(reply[2]) as AccessRequest['message']) : next.message;
      return { request: message ? { ...stored, message } : stored, audit: await sealedRecord(reply) };
    },

    async statusesOf(ids) {
      const pipeline = redis.pipeline();
      for (const id of ids) pipeline.hget(key.request(id), 's');
      const results = (await pipeline.exec()) ?? [];
      const statuses = new Map<string, RequestStatus>();
      results.forEach(([, status], i) => {
        const id = ids[i];
        if (id !== undefined && typeof status === 'string') statuses.set(id, status as RequestStatus);
      });
      return statuses;
    },

    countBreakglass(userId, since) {
      return redis.zcount(key.breakglassUses(userId), since, '+inf');
    },

    async idsByStatus(status) {
      return redis.zrange(key.status(status), 0, -1);
    },

    async dueIds(status, until, limit) {
      return redis.zrangebyscore(key.status(status), '-inf', until, 'LIMIT', 0, limit);
    },

    async countByStatus(status) {
      return redis.zcard(key.status(status));
    },

    async forUser(userId, limit) {
      return getMany(await redis.zrevrange(key.user(userId), 0, limit - 1));
    },

    async setMessage(id, message) {
      await redis.hset(key.request(id), 'm', JSON.stringify(message));
    },

    async appendAudit(entry) {
      const byRequest = entry.requestId === null ? '' : key.auditOf(entry.requestId);
      return sealedRecord(
        await redis.jumpgateAppendAudit(key.auditPending, key.auditHead, byRequest, entryJson(entry)),
      );
    },

    async claim(claimKey, value, ttlMs) {
      const claimed = key.claim(claimKey);
      if ((await redis.set(claimed, value, 'PX', ttlMs, 'NX')) === 'OK') return value;
      return (await redis.get(claimed)) ?? value;
    },

    async getSshKey(userId) {
      return (await redis.get(key.sshKey(userId))) ?? undefined;
    },

    async setSshKey(userId, sshKey, entry) {
      return sealedRecord(
        await redis.jumpgateCommitSshKey(key.sshKey(userId), key.auditPending, key.auditHead, sshKey, entryJson(entry)),
      );
    },

    // The list index of seq n is n - 1.
    range(from, to) {
      return readAudit(Math.max(1, from) - 1, to === undefined ? -1 : to - 1);
    },

    tail(count) {
      return readAudit(-count, -1);
    },

    async forRequest(requestId) {
      await sealer.flush();
      const seqs = await redis.lrange(key.auditOf(requestId), 0, -1);
      const pipeline = redis.pipeline();
      for (const seq of seqs) pipeline.lindex(key.audit, Number(seq) - 1);
      const results = (await pipeline.exec()) ?? [];
      return results.flatMap(([, line]) => (typeof line === 'string' ? [JSON.parse(line) as AuditRecord] : []));
    },

    migrate() {
      return redis.jumpgateMigrateStatusSets(prefix, ...REQUEST_STATUSES);
    },

    close() {
      return sealer.close();
    },
  };
}
