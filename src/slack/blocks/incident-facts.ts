import type { AccessRequest, IncidentRef } from '../../domain/access-request.js';
import { formatDuration } from '../../domain/duration.js';
import { escapeClipped, link, mentionUser } from '../mrkdwn.js';

/*
 * How messages show the PagerDuty side of a request: the incident that justified it and why
 * nobody had to click. Incident titles are typed by whoever opened the incident: escaped here.
 */

/** Incident titles are one line in PagerDuty; a message never needs more of one than this. */
const MAX_TITLE = 200;

/** `<url|#42 Database down>`, or the label alone when the URL is not an http(s) link. */
export function incidentLink(incident: IncidentRef): string {
  return link(incident.url, `#${incident.number} ${incident.title}`, MAX_TITLE + 12);
}

/** `<url|#42>`: the incident by number only, for the requester (who is working on it). */
export function incidentNumberLink(incident: IncidentRef): string {
  return link(incident.url, `#${incident.number}`);
}

/** The approvers' line on an auto-approved request: who was on call, for which incident. */
export function autoApprovalLine(request: AccessRequest): string | undefined {
  const auto = request.autoApproval;
  if (!auto) return undefined;
  const incident = request.incident ? `incident ${incidentLink(request.incident)}` : 'an incident';
  const line =
    `:zap: Auto-approved: ${mentionUser(request.requester)} is on call for ${escapeClipped(auto.escalationPolicyId, 100)} ` +
    `(level ${auto.level}) and ${incident} is active.`;
  const capped = cappedLine(request);
  return capped === undefined ? line : `${line}\n${capped}`;
}

/** `Asked for 2h; auto-approval gives at most 1h.` when the auto-approve cap shortened the request. */
export function cappedLine(request: AccessRequest): string | undefined {
  const asked = request.autoApproval?.requestedMs;
  if (asked === undefined) return undefined;
  return `Asked for ${formatDuration(asked)}; auto-approval gives at most ${formatDuration(request.durationMs)}.`;
}
