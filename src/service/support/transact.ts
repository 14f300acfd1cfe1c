import type { AccessRequest } from '../../domain/access-request.js';
import { JumpgateError } from '../../domain/errors.js';
import type { RequestChange } from '../../domain/request-change.js';
import type { CommittedAudit } from '../ports/audit.js';
import type { Store } from '../ports/store.js';

/** A committed change: the request as written, its audit record, and the request it replaced. */
export interface Committed {
  readonly request: AccessRequest;
  readonly audit: CommittedAudit;
  readonly previous: AccessRequest;
}

/** Concurrent writers to one request are a handful of people clicking; this many losses means a bug. */
const MAX_ATTEMPTS = 20;

/**
 * Read, decide, compare-and-set: `decide` sees the current request and returns the change (a
 * domain transition: the next record and its audit entry), undefined for nothing to do, or throws
 * the JumpgateError a person reads. When another writer got there first, it runs again on the
 * newer request, so every decision is made on what is really stored. Throws `not_found` for an
 * unknown id. A decision that always changes something always commits something.
 */
export function transact(
  store: Store,
  id: string,
  decide: (current: AccessRequest) => RequestChange,
): Promise<Committed>;
export function transact(
  store: Store,
  id: string,
  decide: (current: AccessRequest) => RequestChange | undefined,
): Promise<Committed | undefined>;
export async function transact(
  store: Store,
  id: string,
  decide: (current: AccessRequest) => RequestChange | undefined,
): Promise<Committed | undefined> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const current = await store.get(id);
    if (!current) throw new JumpgateError('not_found', `there is no request ${id}`, { details: { id } });
    const change = decide(current);
    if (!change) return undefined;
    const written = await store.update(change.next, current.version, change.audit);
    if (written) return { ...written, previous: current };
  }
  throw new Error(`request ${id} kept changing under ${MAX_ATTEMPTS} attempts to update it`);
}
