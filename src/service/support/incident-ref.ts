import type { IncidentRef } from '../../domain/access-request.js';
import type { Incident } from '../ports/incidents.js';

/** What a request keeps of the incident that justified it. */
export function incidentRef(incident: Incident, endWithIncident: boolean): IncidentRef {
  return {
    id: incident.id,
    number: incident.number,
    title: incident.title,
    url: incident.url,
    serviceId: incident.serviceId,
    endWithIncident,
  };
}
