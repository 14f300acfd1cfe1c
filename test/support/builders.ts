import type { AccessRequest } from '../../src/domain/access-request.js';
import type { AuditEntry, AuditRecord, CommittedAudit } from '../../src/service/ports/audit.js';

let counter = 0;

/** A pending standard request with sensible values; override what a test is about. */
export function accessRequest(overrides: Partial<AccessRequest> = {}): AccessRequest {
  counter += 1;
  return {
    id: `req_test${counter.toString().padStart(4, '0')}`,
    kind: 'standard',
    status: 'pending',
    workflow: 'production',
    target: 'prod-db',
    requester: 'U0ALICE',
    sshPublicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGy8kC8ex5zG6hZ0Ok3bJkS4w7O3XnE9tP1rJw2m8Q1a alice@laptop',
    durationMs: 30 * 60_000,
    reason: 'fix replication INC-42',
    ticket: 'INC-42',
    createdAt: 1_800_000_000_000,
    updatedAt: 1_800_000_000_000,
    approvalsRequired: 1,
    approvals: [],
    version: 1,
    ...overrides,
  };
}

export function auditEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return { type: 'requested', requestId: 'req_x', actor: 'U0ALICE', target: 'prod-db', detail: {}, ...overrides };
}

/** A sealed record without what sealing added (prev, hash): the entry as it was committed. */
export function unsealed(record: AuditRecord | undefined): CommittedAudit | undefined {
  if (record === undefined) return undefined;
  const { prev: _prev, hash: _hash, ...committed } = record;
  return committed;
}
