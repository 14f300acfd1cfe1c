import type { AuditType } from '../../domain/audit-entry.js';
import type { RequestStatus } from '../../domain/request-status.js';
import type { Store } from '../ports/store.js';
import type { Telemetry } from '../ports/telemetry.js';

/**
 * The audit records that end a request, and the status each leaves it in. Each is written once per
 * request (the change into a final status, under the request's compare-and-set), so counting them
 * counts every request once, whichever use case ended it.
 */
const ENDINGS: Partial<Record<AuditType, RequestStatus>> = {
  denied: 'denied',
  cancelled: 'cancelled',
  timed_out: 'timed_out',
  grant_failed: 'failed',
  expired: 'expired',
  revoked: 'revoked',
};

/** The store, telling `telemetry` about each request that reached its final status. */
export function countOutcomes<S extends Store>(store: S, telemetry: Telemetry): S {
  return {
    ...store,
    async update(next, expectedVersion, entry) {
      const written = await store.update(next, expectedVersion, entry);
      const outcome = ENDINGS[entry.type];
      if (written && outcome === written.request.status) telemetry.requestEnded(outcome);
      return written;
    },
  };
}
