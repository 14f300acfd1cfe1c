import type { AccessRequest } from '../../domain/access-request.js';
import type { RequestStatus } from '../../domain/request-status.js';
import type { AuditEntry, AuditRecord } from './audit.js';

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
  create(request: AccessRequest, audit: AuditEntry): Promise<AuditRecord>;
  /**
   * Replaces `next.id` if its stored version is still `expectedVersion` (the record written gets
   * version expectedVersion + 1) and appends the audit record. Returns undefined when the
   * version moved on (someone else changed it first): re-read and decide again.
   */
  update(next: AccessRequest, expectedVersion: number, audit: AuditEntry): Promise<{ request: AccessRequest; audit: AuditRecord } | undefined>;
  /** Ids of requests in a status (for timeouts, reconciliation). */
  idsByStatus(status: RequestStatus): Promise<readonly string[]>;
  /** A person's requests, newest first (as requester or sponsor). */
  forUser(userId: string, limit: number): Promise<readonly AccessRequest[]>;

  /**
   * Remembers where the request's approval message is. Metadata, not state: it neither bumps
   * the version nor makes an audit record.
   */
  setMessage(id: string, message: { channel: string; ts: string }): Promise<void>;
  /** Appends an audit record that goes with no request change (e.g. a grant found only at the broker). */
  appendAudit(audit: AuditEntry): Promise<AuditRecord>;

  /**
   * Claims `key` for `value` unless it is claimed already (for `ttlMs`), atomically; returns the
   * value that holds the claim. Makes a repeated action (a double click) harmless.
   */
  claim(key: string, value: string, ttlMs: number): Promise<string>;

  getSshKey(userId: string): Promise<string | undefined>;
  /** Stores a person's SSH public key and appends the audit record, atomically. */
  setSshKey(userId: string, key: string, audit: AuditEntry): Promise<AuditRecord>;
}
