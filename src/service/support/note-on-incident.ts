import type { AccessRequest } from '../../domain/access-request.js';
import type { ServiceDeps } from '../deps.js';

/**
 * Writes on the justifying incident who got access to what and until when, so the incident
 * record shows it ("access to prod-db granted to alice@… until 14:05 UTC by Jumpgate"). Best
 * effort: a failure is logged, the access stands.
 */
export async function noteOnIncident(
  deps: Pick<ServiceDeps, 'incidents' | 'directory' | 'logger'>,
  request: AccessRequest,
  how: string,
): Promise<void> {
  if (!deps.incidents || !request.incident || !request.grant) return;
  const person = await deps.directory.user(request.requester).catch(() => undefined);
  const who = person?.email ?? person?.name ?? request.requester;
  const until = new Date(request.grant.notAfter)
    .toISOString()
    .replace(/:\d\d\.\d+Z$/, ' UTC')
    .replace('T', ' ');
  const content =
    `Jumpgate: access to ${request.target} (${request.grant.principals.join(', ')} on ${request.grant.hosts.join(', ')}) ` +
    `granted to ${who} until ${until} (${how}). Reason: ${request.reason}. Request ${request.id}.`;
  try {
    await deps.incidents.addNote(request.incident.id, content);
  } catch (error) {
    deps.logger.warn(
      { err: error, requestId: request.id, incident: request.incident.id },
      'could not write the note on the incident',
    );
  }
}
