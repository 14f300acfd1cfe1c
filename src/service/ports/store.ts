import type { AccessRequest } from '../../domain/access-request.js';
import type { RequestStatus } from '../../domain/request-status.js';
import type { AuditEntry, CommittedAudit } from './audit.js';

/**
 * Where requests, keys and the audit trail live (Redis in production: src/store/).
 * Writes are compare-and-set on `version` and carry their audit record, applied atomically:
 * either both land or neither does.
 */
export interface Store {
  get(id: string): Promise<AccessRequest | undefined>;
  /**
   * Creates a request (version 1) and appends its audit record. Throws `illegal_transition`
   * if the id exists.
   */
  create(request: AccessRequest, audit: AuditEntry): Promise<CommittedAudit>;
  /**
   * Replaces `next.id` if its stored version is still `expectedVersion` (the record written gets
   * version expectedVersion + 1) and appends the audit record. Returns undefined when the
   * version moved on (someone else changed it first): re-read and decide again.
   */
  update(
    next: AccessRequest,
    expectedVersion: number,
    audit: AuditEntry,
  ): Promise<{ request: AccessRequest; audit: CommittedAudit } | undefined>;
  /** Requests by id, in the order given; ids that do not exist are left out. One round trip. */
  getMany(ids: readonly string[]): Promise<readonly AccessRequest[]>;
  /**
   * Creates a breakglass request (like `create`) only when the person is within `limits`, counted
   * and reserved in the same atomic step, so concurrent confirmations cannot all pass the count.
   */
  createBreakglass(request: AccessRequest, audit: AuditEntry, limits: BreakglassLimits): Promise<BreakglassCreated>;
  /** The status of each of these requests that exists (one round trip, no records read). */
  statusesOf(ids: readonly string[]): Promise<ReadonlyMap<string, RequestStatus>>;
  /** How many breakglass requests the person created since `since` (epoch ms). */
  countBreakglass(userId: string, since: number): Promise<number>;
  /** Ids of requests in a status (for timeouts, reconciliation). */
  idsByStatus(status: RequestStatus): Promise<readonly string[]>;
  /**
   * Ids in a status that are due by `until`, soonest first, at most `limit`: active grants by
   * notAfter, pending requests by creation, approved requests by their last change.
   */
  dueIds(status: RequestStatus, until: number, limit: number): Promise<readonly string[]>;
  countByStatus(status: RequestStatus): Promise<number>;
  /** A person's requests, newest first (as requester or sponsor). */
  forUser(userId: string, limit: number): Promise<readonly AccessRequest[]>;

  /**
   * Remembers where the request's approval message is. Metadata, not state: it neither bumps
   * the version nor makes an audit record.
   */
  setMessage(id: string, message: { channel: string; ts: string }): Promise<void>;
  /** Appends an audit record that goes with no request change (e.g. a grant found only at the broker). */
  appendAudit(audit: AuditEntry): Promise<CommittedAudit>;

  /**
   * Claims `key` for `value` unless it is claimed already (for `ttlMs`), atomically; returns the
   * value that holds the claim. Makes a repeated action (a double click) harmless.
   */
  claim(key: string, value: string, ttlMs: number): Promise<string>;

  getSshKey(userId: string): Promise<string | undefined>;
  /** Stores a person's SSH public key and appends the audit record, atomically. */
  setSshKey(userId: string, key: string, audit: AuditEntry): Promise<CommittedAudit>;
}

export interface BreakglassLimits {
  /** Breakglass requests created before this (epoch ms) no longer count. */
  readonly windowStart: number;
  /** At most this many in the window (the workflow's max_per_day); undefined: no limit. */
  readonly maxInWindow?: number;
  /** Refuse while the person holds a pending, approved or active breakglass on the same target. */
  readonly onePerTarget: boolean;
  /** How long that hold can matter at most (the longest breakglass grant and its set-up). */
  readonly holdMs: number;
}

export type BreakglassCreated =
  | { readonly audit: CommittedAudit }
  /** `used` breakglass requests in the window already. */
  | { readonly refused: 'limit'; readonly used: number }
  /** The person holds `requestId` on this target. */
  | { readonly refused: 'held'; readonly requestId: string };
