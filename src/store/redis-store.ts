import type { Redis } from 'ioredis';
import type { AccessRequest } from '../domain/access-request.js';
import { JumpgateError } from '../domain/errors.js';
import type { RequestStatus } from '../domain/request-status.js';
import type { AuditEntry, AuditReader, AuditRecord } from '../service/ports/audit.js';
import type { Clock } from '../service/ports/clock.js';
import type { Store } from '../service/ports/store.js';
import { GENESIS, sealRecord } from './audit-chain.js';
import { APPEND_ONLY, COMMIT_REQUEST, COMMIT_SSH_KEY } from './lua.js';

export interface RedisStoreDeps {
  readonly redis: Redis;
  /** JUMPGATE_PREFIX: every key starts with it. */
  readonly prefix: string;
  readonly now: Clock;
  /** Called after each audit record lands (e.g. to copy it to AUDIT_LOG_FILE). */
  readonly onAudit?: (record: AuditRecord) => void;
}

type CommitResult = 'ok' | 'exists' | 'missing' | 'stale' | 'audit_moved';

/** The audit head moves on every write anywhere; losing that race this often means something is wrong. */
const MAX_AUDIT_RACES = 200;

/** Store and AuditReader over Redis (ioredis). */
export function createRedisStore(deps: RedisStoreDeps): Store & AuditReader {
  const { redis, prefix, now } = deps;
  const key = {
    request: (id: string) => `${prefix}:req:${id}`,
    status: (status: RequestStatus) => `${prefix}:status:${status}`,
    user: (userId: string) => `${prefix}:user:${userId}`,
    sshKey: (userId: string) => `${prefix}:sshkey:${userId}`,
    audit: `${prefix}:audit`,
    auditHead: `${prefix}:audit:head`,
    auditOf: (requestId: string) => `${prefix}:audit:req:${requestId}`,
  };

  /** Seals the record against the current head and runs the script; re-seals when another write won. */
  async function appendWith(entry: AuditEntry, run: (record: AuditRecord) => Promise<CommitResult>): Promise<{ result: CommitResult; record: AuditRecord }> {
    for (let attempt = 0; attempt < MAX_AUDIT_RACES; attempt += 1) {
      const [seq, hash] = await redis.hmget(key.auditHead, 'seq', 'hash');
      const record = sealRecord(entry, Number(seq ?? 0) + 1, now(), hash ?? GENESIS);
      const result = await run(record);
      if (result !== 'audit_moved') {
        if (result === 'ok') deps.onAudit?.(record);
        return { result, record };
      }
    }
    throw new Error(`audit head kept moving: gave up after ${MAX_AUDIT_RACES} attempts`);
  }

  function commitRequest(mode: 'create' | 'update', next: AccessRequest, expectedVersion: number, oldStatus: RequestStatus, entry: AuditEntry) {
    return appendWith(entry, async (record) =>
      (await redis.eval(
        COMMIT_REQUEST,
        7,
        key.audit, key.auditHead, key.request(next.id), key.status(next.status), key.user(next.requester), key.auditOf(next.id), key.status(oldStatus),
        record.prev, String(record.seq), JSON.stringify(record), record.hash, GENESIS,
        mode, String(expectedVersion), JSON.stringify(next), String(next.version), String(next.createdAt), next.id,
      )) as CommitResult,
    );
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
    const lines = await redis.lrange(key.audit, start, stop);
    return lines.map((line) => JSON.parse(line) as AuditRecord);
  }

  return {
    get,

    async create(request, entry) {
      const { message: _message, ...stored0 } = request;
      const stored = { ...stored0, version: 1 };
      const { result, record } = await commitRequest('create', stored, 0, request.status, entry);
      if (result === 'exists') throw new JumpgateError('illegal_transition', `request ${request.id} already exists`);
      return record;
    },

    async update(next, expectedVersion, entry) {
      const current = await get(next.id);
      if (!current) throw new JumpgateError('not_found', `there is no request ${next.id}`);
      if (current.version !== expectedVersion) return undefined;
      const { message, ...rest } = next;
      const stored = { ...rest, version: expectedVersion + 1 };
      const { result, record } = await commitRequest('update', stored, expectedVersion, current.status, entry);
      if (result === 'missing') throw new JumpgateError('not_found', `there is no request ${next.id}`);
      const merged = current.message ?? message;
      return result === 'ok' ? { request: merged ? { ...stored, message: merged } : stored, audit: record } : undefined;
    },

    async idsByStatus(status) {
      return redis.smembers(key.status(status));
    },

    async forUser(userId, limit) {
      return getMany(await redis.zrevrange(key.user(userId), 0, limit - 1));
    },

    async setMessage(id, message) {
      await redis.hset(key.request(id), 'm', JSON.stringify(message));
    },

    async appendAudit(entry) {
      const { record } = await appendWith(entry, async (sealed) =>
        (await redis.eval(APPEND_ONLY, 2, key.audit, key.auditHead, sealed.prev, String(sealed.seq), JSON.stringify(sealed), sealed.hash, GENESIS)) as CommitResult,
      );
      return record;
    },

    async claim(claimKey, value, ttlMs) {
      const key_ = `${prefix}:claim:${claimKey}`;
      if ((await redis.set(key_, value, 'PX', ttlMs, 'NX')) === 'OK') return value;
      return (await redis.get(key_)) ?? value;
    },

    async getSshKey(userId) {
      return (await redis.get(key.sshKey(userId))) ?? undefined;
    },

    async setSshKey(userId, sshKey, entry) {
      const { record } = await appendWith(entry, async (sealed) =>
        (await redis.eval(
          COMMIT_SSH_KEY, 3, key.audit, key.auditHead, key.sshKey(userId),
          sealed.prev, String(sealed.seq), JSON.stringify(sealed), sealed.hash, GENESIS, sshKey,
        )) as CommitResult,
      );
      return record;
    },

    // The list index of seq n is n - 1.
    range(from, to) {
      return readAudit(Math.max(1, from) - 1, to === undefined ? -1 : to - 1);
    },

    tail(count) {
      return readAudit(-count, -1);
    },

    async forRequest(requestId) {
      const seqs = await redis.lrange(key.auditOf(requestId), 0, -1);
      const pipeline = redis.pipeline();
      for (const seq of seqs) pipeline.lindex(key.audit, Number(seq) - 1);
      const results = (await pipeline.exec()) ?? [];
      return results.flatMap(([, line]) => (typeof line === 'string' ? [JSON.parse(line) as AuditRecord] : []));
    },
  };
}
