import type { AccessRequest } from '../domain/access-request.js';
import { JumpgateError } from '../domain/errors.js';
import { REQUEST_STATUSES, type RequestStatus } from '../domain/request-status.js';
import type { AuditEntry, AuditReader, AuditRecord, CommittedAudit } from '../service/ports/audit.js';
import type { Clock } from '../service/ports/clock.js';
import type { LifecycleRecords } from '../service/ports/lifecycle-records.js';
import type { BreakglassLimits, Store } from '../service/ports/store.js';
import { GENESIS, type PendingEntry, pendingEntry } from './audit-chain.js';
import { createAuditSealer } from './audit-sealer.js';
import { indexScore, redisKeys } from './redis-keys.js';
import { createLifecycleRecords } from './redis-lifecycle.js';
import type { RedisClient } from './redis-topology.js';
import { createReplicaWait } from './replica-wait.js';
import { type StoreCommands, withStoreCommands } from './store-commands.js';

export interface RedisStoreDeps {
  readonly redis: RedisClient;
  /** JUMPGATE_PREFIX: every key starts with it. */
  readonly prefix: string;
  readonly now: Clock;
  /** Called with the records of each seal, in seq order (e.g. to copy them to AUDIT_LOG_FILE). */
  readonly onAudit?: (records: readonly AuditRecord[]) => void;
  /** A background seal failed (it is tried again; nothing committed is lost). */
  readonly onSealError?: (error: unknown) => void;
  /** REDIS_WAIT_REPLICAS: each write resolves once this many replicas have it (replica-wait.ts). */
  readonly waitReplicas?: { readonly replicas: number; readonly timeoutMs: number };
  /** The replicas did not acknowledge in time: the write stands, not yet on a replica. */
  readonly onReplicaShort?: (acknowledged: number) => void;
}

export interface RedisStore extends Store, AuditReader, LifecycleRecords {
  /** Moves status indexes written by an earlier version to the current layout (start-up). */
  migrate(): Promise<number>;
  /** Retention's cut: records through this seq left Redis (0: none did), and that record's hash. */
  retainedCut(): Promise<{ readonly seq: number; readonly hash: string }>;
  /**
   * Removes records through `nextCut` and the given finished requests, and appends the checkpoint
   * entry, in one step; undefined when something moved since the plan was made (nothing removed).
   */
  retain(plan: RetentionPlan): Promise<CommittedAudit | undefined>;
  /** Seals every committed entry (e.g. left pending by a process that died before sealing). */
  sealPending(): Promise<void>;
  /** Closes what the store opened itself (not the connection it was given). */
  close(): Promise<void>;
}

type Reply = (string | number | false | null)[];

/** What one retention step removes (see retention.ts); every field as read just before. */
export interface RetentionPlan {
  readonly cut: number;
  readonly nextCut: number;
  readonly nextCutHash: string;
  readonly requests: readonly {
    readonly id: string;
    readonly requester: string;
    readonly status: RequestStatus;
    readonly version: number;
  }[];
  readonly checkpoint: AuditEntry;
}

/**
 * Store and AuditReader over Redis (ioredis). Every write is one script call that lands the state
 * change and its audit entry together, and resolves with the committed entry (its seq fixed);
 * the entry is then sealed into the hash chain in the background (see audit-sealer.ts). Readers of
 * the trail seal what is pending first, so they see every committed entry, sealed.
 */
export function createRedisStore(deps: RedisStoreDeps): RedisStore {
  const { prefix, now } = deps;
  const redis = withStoreCommands(deps.redis);
  const key = redisKeys(prefix);
  const sealer = createAuditSealer({
    redis,
    keys: key,
    ...(deps.onAudit ? { onSealed: deps.onAudit } : {}),
    ...(deps.onSealError ? { onError: deps.onSealError } : {}),
  });
  const replicaWait = deps.waitReplicas
    ? createReplicaWait({ redis, ...deps.waitReplicas, now, onShort: (n) => deps.onReplicaShort?.(n) })
    : undefined;
  /** Resolves with `value` once the writes so far are on the replicas asked for (at once without REDIS_WAIT_REPLICAS). */
  const replicated = <T>(value: T): T | Promise<T> => (replicaWait ? replicaWait().then(() => value) : value);

  /** The entry as the script commits it, and its JSON (built once). */
  const commitEntry = (entry: AuditEntry) => {
    const pending = pendingEntry(entry, now());
    return { pending, json: JSON.stringify(pending) };
  };

  function commitArgs(
    mode: 'create' | 'update',
    next: AccessRequest,
    expectedVersion: number,
    entryJson: string,
  ): string[] {
    return [
      key.request(next.id),
      key.user(next.requester),
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
      entryJson,
    ];
  }

  /** The record as stored: the version it will have, no message ref (that is metadata). */
  function toStore(request: AccessRequest, version: number): AccessRequest {
    const { message: _message, ...rest } = request;
    return { ...rest, version };
  }

  /** The committed entry of a script's reply (`{status, seq, …}`), handed to the sealer. */
  function committed(pending: PendingEntry, reply: Reply): CommittedAudit {
    const seq = Number(reply[1]);
    sealer.committed(seq);
    return { ...pending, seq };
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

  /**
   * Sealed records as stored, oldest first, each given its `prev`: the list keeps a record
   * without it (it is the hash of the record before, so storing it would only cost memory), and
   * `before` is the hash preceding the first line (GENESIS at seq 1). A record stored with its
   * prev (by an earlier version) keeps it, so verification still compares the two.
   */
  function withPrev(lines: readonly string[], before: string): AuditRecord[] {
    let prev = before;
    return lines.map((line) => {
      const stored = JSON.parse(line) as Omit<AuditRecord, 'prev'> & { prev?: string };
      const record = { ...stored, prev: stored.prev ?? prev } as AuditRecord;
      prev = record.hash;
      return record;
    });
  }

  const hashOf = (line: string | null | undefined) =>
    line ? (JSON.parse(line) as Pick<AuditRecord, 'hash'>).hash : GENESIS;

  /** One slice of the chain by seq (see AUDIT_SLICE): the records kept in Redis, each with its prev. */
  function slice(reply: Reply): AuditRecord[] {
    const [cut, cutHash, first, from, ...lines] = reply as [number, string | null, number, number, ...string[]];
    if (first === from - 1) return withPrev(lines.slice(1), hashOf(lines[0]));
    return withPrev(lines, first === 1 ? GENESIS : (cutHash ?? GENESIS)).filter((record) => record.seq > cut);
  }

  /** Records with seq in [from, to] (to -1: the newest) that Redis still keeps. */
  async function readAudit(from: number, to: number): Promise<AuditRecord[]> {
    await sealer.flush();
    return slice(await redis.jumpgateAuditSlice(key.audit, key.auditHead, String(from), String(to)));
  }

  return {
    get,
    getMany,
    ...createLifecycleRecords({
      redis,
      keys: key,
      now,
      async commit(entry, call) {
        const { pending, json } = commitEntry(entry);
        const reply = await call(json);
        return reply[0] === 'ok' ? replicated(committed(pending, reply)) : undefined;
      },
    }),

    async create(request, entry) {
      const stored = toStore(request, 1);
      const { pending, json } = commitEntry(entry);
      const reply = await redis.jumpgateCommitRequest(...commitArgs('create', stored, 0, json));
      if (reply[0] === 'exists') throw new JumpgateError('illegal_transition', `request ${request.id} already exists`);
      return replicated(committed(pending, reply));
    },

    async createBreakglass(request, entry, limits: BreakglassLimits) {
      const stored = toStore(request, 1);
      const { pending, json } = commitEntry(entry);
      const args = commitArgs('create', stored, 0, json);
      const reply = await redis.jumpgateCommitBreakglass(
        ...args.slice(0, 4),
        key.breakglassUses(request.requester),
        key.breakglassHold(request.requester, request.target),
        ...args.slice(4),
        String(limits.windowStart),
        limits.maxInWindow === undefined ? '' : String(limits.maxInWindow),
        limits.onePerTarget ? '1' : '0',
        String(Math.max(1, Math.ceil(limits.holdMs))),
      );
      if (reply[0] === 'exists') throw new JumpgateError('illegal_transition', `request ${request.id} already exists`);
      if (reply[0] === 'limit') return { refused: 'limit', used: Number(reply[1]) } as const;
      if (reply[0] === 'held') return { refused: 'held', requestId: String(reply[1]) } as const;
      return replicated({ audit: committed(pending, reply) });
    },

    async update(next, expectedVersion, entry) {
      const stored = toStore(next, expectedVersion + 1);
      const { pending, json } = commitEntry(entry);
      const reply = await redis.jumpgateCommitRequest(...commitArgs('update', stored, expectedVersion, json));
      if (reply[0] === 'missing') throw new JumpgateError('not_found', `there is no request ${next.id}`);
      if (reply[0] !== 'ok') return undefined;
      const message = typeof reply[2] === 'string' ? (JSON.parse(reply[2]) as AccessRequest['message']) : next.message;
      return replicated({ request: message ? { ...stored, message } : stored, audit: committed(pending, reply) });
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
      const { requestId } = entry;
      const { pending, json } = commitEntry(entry);
      const reply = await redis.jumpgateAppendAudit(
        key.auditPending,
        key.auditHead,
        requestId === null ? key.auditPending : key.request(requestId),
        requestId === null ? key.auditPending : key.auditOf(requestId),
        json,
        requestId === null ? '0' : '1',
      );
      return replicated(committed(pending, reply));
    },

    async claim(claimKey, value, ttlMs) {
      const claimed = key.claim(claimKey);
      // Replicated too: a claim lost in a failover would let the same action run twice.
      if ((await redis.set(claimed, value, 'PX', ttlMs, 'NX')) === 'OK') return replicated(value);
      return (await redis.get(claimed)) ?? value;
    },

    async getSshKey(userId) {
      return (await redis.get(key.sshKey(userId))) ?? undefined;
    },

    async setSshKey(userId, sshKey, entry) {
      const { pending, json } = commitEntry(entry);
      return replicated(
        committed(
          pending,
          await redis.jumpgateCommitSshKey(key.sshKey(userId), key.auditPending, key.auditHead, sshKey, json),
        ),
      );
    },

    range(from, to) {
      return readAudit(Math.max(1, from), to ?? -1);
    },

    async tail(count) {
      await sealer.flush();
      return slice(await redis.jumpgateAuditSlice(key.audit, key.auditHead, 'tail', String(count)));
    },

    async forRequest(requestId) {
      await sealer.flush();
      const [[, inHash], [, inList]] = (await redis
        .multi()
        .hget(key.request(requestId), 'a')
        .lrange(key.auditOf(requestId), 0, -1)
        .exec()) as [[unknown, string | null], [unknown, string[]]];
      const seqs = [...new Set([...(inHash ? inHash.split(',') : []), ...inList].map(Number))].sort((a, b) => a - b);
      // Defined commands are on pipelines too (ioredis), though not in its types.
      const pipeline = redis.pipeline() as ReturnType<typeof redis.pipeline> & StoreCommands;
      for (const seq of seqs) void pipeline.jumpgateAuditSlice(key.audit, key.auditHead, String(seq), String(seq));
      const results = (await pipeline.exec()) ?? [];
      // A seq at or before the cut left Redis with retention (it is in the archive).
      return results.flatMap(([, reply]) => (Array.isArray(reply) ? slice(reply as Reply) : []));
    },

    async retainedCut() {
      const [cut, cutHash] = await redis.hmget(key.auditHead, 'cut', 'cutHash');
      return { seq: Number(cut ?? 0), hash: cutHash ?? GENESIS };
    },

    async retain(plan) {
      const { pending, json } = commitEntry(plan.checkpoint);
      const reply = await redis.jumpgateRetain(
        key.audit,
        key.auditHead,
        key.auditPending,
        String(plan.cut),
        String(plan.nextCut),
        plan.nextCutHash,
        prefix,
        json,
        ...plan.requests.flatMap((r) => [r.id, r.requester, r.status, String(r.version)]),
      );
      return reply[0] === 'ok' ? committed(pending, reply) : undefined;
    },

    migrate() {
      return redis.jumpgateMigrateStatusSets(key.auditHead, prefix, ...REQUEST_STATUSES);
    },

    sealPending() {
      return sealer.flush();
    },

    close() {
      return sealer.close();
    },
  };
}
