import type { AccessRequest } from '../../../domain/access-request.js';
import { SYSTEM_ACTOR } from '../../../domain/audit-entry.js';
import type { ServiceDeps } from '../../deps.js';
import { endGrant } from './end-access.js';

/** Jobs may fire this much early (clock skew between replicas); earlier than that is a stale job. */
const EARLY_TOLERANCE_MS = 1_000;

/**
 * The revocation at notAfter. Does nothing for a grant that is no longer active, or whose
 * notAfter is still ahead (a job scheduled before an extension). Throws when the broker fails,
 * so the job is retried.
 */
export function createExpireGrant(
  deps: Pick<ServiceDeps, 'store' | 'broker' | 'scheduler' | 'notifier' | 'policy' | 'now' | 'logger' | 'telemetry'>,
) {
  return async function expireGrant(requestId: string): Promise<AccessRequest | undefined> {
    const request = await deps.store.get(requestId);
    if (!request?.grant || request.status !== 'active') return undefined;
    if (request.grant.notAfter > deps.now() + EARLY_TOLERANCE_MS) return undefined;
    const ended = await endGrant(deps, request, { status: 'expired', actor: SYSTEM_ACTOR });
    // The revocation lag: when the expiry was recorded (after the broker revoked) against notAfter.
    if (ended) deps.telemetry?.revoked(Math.max(0, ended.updatedAt - request.grant.notAfter));
    return ended;
  };
}
