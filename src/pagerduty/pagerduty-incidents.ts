import type { z } from 'zod';
import { JumpgateError } from '../domain/errors.js';
import type { Incident, Incidents, OnCall, PagerDutyUser } from '../service/ports/incidents.js';
import type { Logger } from '../service/ports/logger.js';
import { createAnswerCache } from './answer-cache.js';
import { malformed } from './pagerduty-failures.js';
import { readAllPages } from './pagerduty-pages.js';
import {
  createdNoteResponse,
  describeIssue,
  type incidentBody,
  incidentsPage,
  onCallsPage,
  oneIncidentResponse,
  usersPage,
} from './pagerduty-responses.js';
import { createPagerDutyTransport } from './pagerduty-transport.js';

export interface PagerDutyIncidentsOptions {
  readonly token: string;
  /** e.g. `https://api.pagerduty.com` (PAGERDUTY_API_URL). */
  readonly apiUrl: string;
  /** Email of the PagerDuty user notes are written as (PAGERDUTY_FROM); without it addNote refuses. */
  readonly from?: string;
  /** For one port call, all its pages included: the caller is waiting, and fails safe after it. */
  readonly timeoutMs?: number;
  /** How long a user, on-call or active-incident answer is reused. */
  readonly cacheTtlMs?: number;
  /** How long one incident is reused: short, since it is read to notice that it was resolved. */
  readonly incidentTtlMs?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
  /** Told of each failed API request by method and path shape (`jumpgate_pagerduty_api_errors_total`). */
  readonly onApiError?: (method: string) => void;
}

const ACTIVE_STATUSES = ['triggered', 'acknowledged'] as const;

/**
 * The Incidents port over PagerDuty's REST API v2 (with pdjs, see pagerduty-transport.ts).
 * Never retries: a caller that hears `incidents_unavailable` fails safe at once (no
 * auto-approval), which is better than making a person wait on a struggling PagerDuty.
 */
export function createPagerDutyIncidents(options: PagerDutyIncidentsOptions): Incidents {
  const { from, logger } = options;
  const cacheTtlMs = options.cacheTtlMs ?? 30_000;
  const incidentTtlMs = Math.min(options.incidentTtlMs ?? 5_000, cacheTtlMs);
  const transport = createPagerDutyTransport({
    token: options.token,
    apiUrl: options.apiUrl,
    timeoutMs: options.timeoutMs ?? 3_000,
    logger,
    ...(options.onApiError ? { onError: options.onApiError } : {}),
  });
  const cache = createAnswerCache(options.now ?? Date.now);

  return {
    userByEmail(email: string): Promise<PagerDutyUser | undefined> {
      const wanted = email.toLowerCase();
      // PagerDuty's `query` matches names and emails partially: only an exact email is the person.
      const isWanted = (user: PagerDutyUser) => user.email.toLowerCase() === wanted;
      return cache.remember(`user ${wanted}`, cacheTtlMs, () =>
        transport.call(async (send) => {
          const users = await readAllPages(
            send,
            {
              path: '/users',
              query: { query: email },
              page: usersPage,
              items: (page) => page.users,
              enough: (read) => read.some(isWanted),
            },
            logger,
          );
          const user = users.find(isWanted);
          return user === undefined ? undefined : { id: user.id, email: user.email, name: user.name };
        }),
      );
    },

    async onCalls(userId: string, escalationPolicyIds: readonly string[]): Promise<readonly OnCall[]> {
      const policies = distinct(escalationPolicyIds);
      // Without a policy filter PagerDuty would list every on-call of the user: none is asked for.
      if (policies.length === 0) return [];
      return cache.remember(`oncalls ${userId} ${policies.join(',')}`, cacheTtlMs, () =>
        transport.call(async (send) => {
          const onCalls = await readAllPages(
            send,
            {
              path: '/oncalls',
              query: { 'user_ids[]': [userId], 'escalation_policy_ids[]': policies },
              page: onCallsPage,
              items: (page) => page.oncalls,
            },
            logger,
          );
          return (
            onCalls
              // Auto-approval rests on this answer: an entry outside the filter asked for is not taken.
              .filter((onCall) => onCall.user.id === userId && policies.includes(onCall.escalation_policy.id))
              .map((onCall) => ({
                escalationPolicyId: onCall.escalation_policy.id,
                level: onCall.escalation_level,
                userId: onCall.user.id,
              }))
          );
        }),
      );
    },

    async activeIncidents(serviceIds: readonly string[]): Promise<readonly Incident[]> {
      const services = distinct(serviceIds);
      if (services.length === 0) return [];
      return cache.remember(`incidents ${services.join(',')}`, cacheTtlMs, () =>
        transport.call(async (send) => {
          const incidents = await readAllPages(
            send,
            {
              path: '/incidents',
              // PagerDuty lists the last month unless told otherwise; an older incident can still be open.
              query: { 'service_ids[]': services, 'statuses[]': ACTIVE_STATUSES, date_range: 'all' },
              page: incidentsPage,
              items: (page) => page.incidents,
            },
            logger,
          );
          return incidents
            .filter((incident) => incident.status !== 'resolved' && services.includes(incident.service.id))
            .map(toIncident);
        }),
      );
    },

    incident(id: string): Promise<Incident | undefined> {
      return cache.remember(`incident ${id}`, incidentTtlMs, () =>
        transport.call(async (send) => {
          const path = `/incidents/${encodeURIComponent(id)}` as const;
          const answer = await send({ method: 'GET', path, notFoundIsAnswer: true });
          if (answer.status === 404) return undefined;
          const parsed = oneIncidentResponse.safeParse(answer.data);
          if (!parsed.success) throw malformed(`GET ${path}`, describeIssue(parsed.error), parsed.error);
          return toIncident(parsed.data.incident);
        }),
      );
    },

    async addNote(incidentId: string, content: string): Promise<void> {
      if (from === undefined || from === '') {
        throw new JumpgateError(
          'incidents_unavailable',
          'PAGERDUTY_FROM is not set: PagerDuty needs the email of a user as From to write notes',
        );
      }
      await transport.call(async (send) => {
        const path = `/incidents/${encodeURIComponent(incidentId)}/notes` as const;
        const answer = await send({ method: 'POST', path, headers: { From: from }, body: { note: { content } } });
        const parsed = createdNoteResponse.safeParse(answer.data);
        if (!parsed.success) throw malformed(`POST ${path}`, describeIssue(parsed.error), parsed.error);
      });
    },
  };
}

function toIncident(incident: z.output<typeof incidentBody>): Incident {
  return {
    id: incident.id,
    number: incident.incident_number,
    title: incident.title,
    status: incident.status,
    serviceId: incident.service.id,
    url: incident.html_url,
    assigneeIds: incident.assignments.map((assignment) => assignment.assignee.id),
  };
}

/** Sorted and without repeats: the same question asked in another order hits the same cache entry. */
function distinct(ids: readonly string[]): string[] {
  return [...new Set(ids)].sort();
}
