import { SYSTEM_ACTOR } from '../../../domain/audit-entry.js';
import type { ServiceDeps } from '../../deps.js';
import { endGrant } from '../grant/end-access.js';

/**
 * Access that ends with its incident (`end_with_incident`): looks at the incident of every such
 * active grant and revokes the grant once the incident is resolved, saying why. When PagerDuty
 * cannot answer, the grant keeps its window (it ends at notAfter regardless) and the next run
 * looks again. Returns how many grants it ended.
 */
export function createWatchIncidents(
  deps: Pick<ServiceDeps, 'store' | 'broker' | 'scheduler' | 'notifier' | 'incidents' | 'policy' | 'now' | 'logger'>,
) {
  return async function watchIncidents(): Promise<number> {
    const incidents = deps.incidents;
    if (!incidents) return 0;
    let ended = 0;
    for (const request of await deps.store.getMany(await deps.store.idsByStatus('active'))) {
      const id = request.id;
      const incident = request.incident;
      if (!incident?.endWithIncident) continue;
      try {
        const now = await incidents.incident(incident.id);
        // An incident PagerDuty no longer knows cannot justify access either.
        if (now && now.status !== 'resolved') continue;
        const reason = now
          ? `incident #${incident.number} was resolved`
          : `incident #${incident.number} no longer exists in PagerDuty`;
        if (await endGrant(deps, request, { status: 'revoked', actor: SYSTEM_ACTOR, reason })) ended += 1;
      } catch (error) {
        deps.logger.warn(
          { err: error, requestId: id, incident: incident.id },
          'could not check whether the incident was resolved; looking again on the next run',
        );
      }
    }
    return ended;
  };
}
