import { z } from 'zod';

/**
 * What Jumpgate accepts from PagerDuty's REST API v2. Only the fields the port needs are
 * checked (PagerDuty adds fields over time, and extra ones are ignored); an answer without them
 * is a PagerDuty failure, never guessed at, because auto-approval rests on these values.
 */

/** PagerDuty's "reference" objects (`{id, type, summary, self, html_url}`): only the id matters here. */
const reference = z.object({ id: z.string().min(1) });

export const userBody = z.object({
  id: z.string().min(1),
  name: z.string(),
  email: z.string(),
});

export const onCallBody = z.object({
  escalation_policy: reference,
  escalation_level: z.number().int().positive(),
  user: reference,
});

export const incidentBody = z.object({
  id: z.string().min(1),
  incident_number: z.number().int().nonnegative(),
  title: z.string(),
  status: z.enum(['triggered', 'acknowledged', 'resolved']),
  service: reference,
  html_url: z.string(),
  assignments: z.array(z.object({ assignee: reference })),
});

export const oneIncidentResponse = z.object({ incident: incidentBody });

export const createdNoteResponse = z.object({
  note: z.object({ id: z.string().min(1), content: z.string() }),
});

/**
 * PagerDuty's classic pagination around every list: `limit`, `offset`, `more` (`total` is null
 * unless `total=true` was asked, and is not needed to walk the pages).
 */
const pagination = {
  limit: z.number().int().positive(),
  offset: z.number().int().nonnegative(),
  more: z.boolean(),
  total: z.number().int().nullish(),
};

export type PageEnvelope = { readonly limit: number; readonly offset: number; readonly more: boolean };

export const usersPage = z.object({ users: z.array(userBody), ...pagination });
export const onCallsPage = z.object({ oncalls: z.array(onCallBody), ...pagination });
export const incidentsPage = z.object({ incidents: z.array(incidentBody), ...pagination });

/** `{"error":{"message":…,"code":…,"errors":[…]}}`; loose, since it only feeds a message. */
const errorResponse = z.object({
  error: z.object({
    message: z.string().optional(),
    code: z.number().optional(),
    errors: z.array(z.string()).optional(),
  }),
});

/** PagerDuty's own words about a refused request, when its body says any. */
export function errorMessageOf(data: unknown): string | undefined {
  const parsed = errorResponse.safeParse(data);
  if (!parsed.success) return undefined;
  const { message, errors } = parsed.data.error;
  const words = [message, ...(errors ?? [])].filter((text): text is string => typeof text === 'string' && text !== '');
  return words.length > 0 ? words.join('; ') : undefined;
}

/** `path: problem` of the first issue, for messages. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}
