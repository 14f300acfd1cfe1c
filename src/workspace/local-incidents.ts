import type { Incident, Incidents, OnCall, PagerDutyUser } from '../service/ports/incidents.js';
import type { DemoDirectory } from './demo-directory.js';

/**
 * The Incidents port when PAGERDUTY_TOKEN is unset in the local workspace: the page's incident
 * panel puts people on call and opens and resolves incidents; the bot asks it what it would ask
 * PagerDuty. PagerDuty users are the demo directory's people (found by email, as in PagerDuty).
 */
export interface LocalIncidents extends Incidents {
  /** Who is on call for each escalation policy (level 1), or nobody. */
  onCallNow(): ReadonlyMap<string, string>;
  setOnCall(escalationPolicyId: string, slackUserId: string | undefined): void;
  open(serviceId: string, title: string): Incident;
  resolve(incidentId: string): void;
  all(): readonly (Incident & { readonly notes: readonly string[] })[];
}

export function createLocalIncidents(deps: {
  directory: DemoDirectory;
  baseUrl: () => string;
  onChange: () => void;
}): LocalIncidents {
  const onCall = new Map<string, string>();
  const incidents = new Map<string, Incident & { notes: string[] }>();
  let number = 1000;
  const pdUserId = (slackId: string) => `P${slackId.slice(1)}`;
  const view = (incident: Incident & { notes: string[] }) => ({ ...incident, notes: [...incident.notes] });

  return {
    userByEmail(email) {
      const person = deps.directory.people.find((p) => p.email.toLowerCase() === email.toLowerCase());
      const user: PagerDutyUser | undefined = person
        ? { id: pdUserId(person.id), email: person.email, name: person.name }
        : undefined;
      return Promise.resolve(user);
    },
    onCalls(userId, escalationPolicyIds) {
      const entries: OnCall[] = escalationPolicyIds
        .filter((policy) => {
          const slackId = onCall.get(policy);
          return slackId !== undefined && pdUserId(slackId) === userId;
        })
        .map((policy) => ({ escalationPolicyId: policy, level: 1, userId }));
      return Promise.resolve(entries);
    },
    activeIncidents(serviceIds) {
      return Promise.resolve(
        [...incidents.values()].filter((i) => i.status !== 'resolved' && serviceIds.includes(i.serviceId)).map(view),
      );
    },
    incident(id) {
      const found = incidents.get(id);
      return Promise.resolve(found ? view(found) : undefined);
    },
    addNote(incidentId, content) {
      incidents.get(incidentId)?.notes.push(content);
      deps.onChange();
      return Promise.resolve();
    },
    onCallNow: () => new Map(onCall),
    setOnCall(policy, slackUserId) {
      if (slackUserId) onCall.set(policy, slackUserId);
      else onCall.delete(policy);
      deps.onChange();
    },
    open(serviceId, title) {
      number += 1;
      const id = `Q${number}LOCAL`;
      const incident = {
        id,
        number,
        title,
        status: 'triggered' as const,
        serviceId,
        url: `${deps.baseUrl()}/#incident-${number}`,
        assigneeIds: [...new Set(onCall.values())].map(pdUserId),
        notes: [],
      };
      incidents.set(id, incident);
      deps.onChange();
      return view(incident);
    },
    resolve(incidentId) {
      const found = incidents.get(incidentId);
      if (found) incidents.set(incidentId, { ...found, status: 'resolved' });
      deps.onChange();
    },
    all: () => [...incidents.values()].map(view),
  };
}
