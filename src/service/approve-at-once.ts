import { grantIdFor, type AccessRequest } from '../domain/access-request.js';
import { grantWindow } from '../domain/grant-window.js';
import { assertTransition } from '../domain/request-status.js';
import type { Target } from '../domain/workflow.js';
import type { ServiceDeps } from './deps.js';
import type { AuditEntry } from './ports/audit.js';
import { transact } from './transact.js';

/**
 * pending → approved without a click (auto-approval, breakglass): fixes the grant window from
 * now, adds what the caller records about why, and writes its audit record (the grant id filled
 * in). Returns the approved request, or undefined when it was no longer pending.
 */
export async function approveAtOnce(
  deps: Pick<ServiceDeps, 'store' | 'now'>,
  requestId: string,
  target: Target,
  decide: (current: AccessRequest, at: number) => { fields: Partial<AccessRequest>; audit: Pick<AuditEntry, 'type' | 'actor' | 'detail'> },
): Promise<AccessRequest | undefined> {
  const written = await transact(deps.store, requestId, (current) => {
    if (current.status !== 'pending') return undefined;
    assertTransition(current.status, 'approved');
    const at = deps.now();
    const { fields, audit } = decide(current, at);
    const durationMs = fields.durationMs ?? current.durationMs;
    const grantId = grantIdFor(current.id);
    return {
      next: {
        ...current,
        ...fields,
        status: 'approved',
        updatedAt: at,
        durationMs,
        grant: { id: grantId, ...grantWindow(at, durationMs), principals: target.principals, hosts: target.hosts },
      },
      audit: { ...audit, requestId: current.id, grantId, target: current.target },
    };
  });
  return written?.request;
}
