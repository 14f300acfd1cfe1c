import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small stand-in for PagerDuty's REST API v2, for tests: PAGERDUTY_API_URL is pointed at `url`.
 * It answers List users, List on-calls, List incidents, Get an incident and Create a note with
 * PagerDuty's response shapes, filters and classic pagination (`limit`, `offset`, `more`,
 * `total`), checks `Authorization: Token token=…` and the `From` header on notes, and records
 * every request.
 */

export interface FakePagerDutyUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
}

export interface FakeOnCall {
  readonly userId: string;
  readonly escalationPolicyId: string;
  /** 1 = first tier. */
  readonly level: number;
  /** Null (the default) means the user is on the escalation rule directly, not through a schedule. */
  readonly scheduleId?: string;
}

export interface FakeIncident {
  readonly id: string;
  readonly number: number;
  readonly title: string;
  readonly status: 'triggered' | 'acknowledged' | 'resolved';
  readonly serviceId: string;
  readonly assigneeIds?: readonly string[];
}

/** `status`: answer with it (and `body` as is, else PagerDuty's error body); `delayMs`: answer normally, that late. */
export type FakePagerDutyFailure = { readonly status: number; readonly body?: string } | { readonly delayMs: number };

export interface FakePagerDutyRequest {
  readonly method: string;
  readonly path: string;
  /** Each parameter's values in order (`user_ids[]` may repeat). */
  readonly query: Readonly<Record<string, readonly string[]>>;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body; undefined when there was none. */
  readonly body: unknown;
}

export interface FakeNote {
  readonly id: string;
  readonly content: string;
  /** The `From` header it was written with. */
  readonly from: string;
}

export interface FakePagerDutyOptions {
  /** The token requests must carry; default `pd-test-token`. */
  readonly token?: string;
  /** The largest page served whatever `limit` the client asks for, so tests can force pagination. */
  readonly pageSize?: number;
  readonly users?: readonly FakePagerDutyUser[];
  readonly onCalls?: readonly FakeOnCall[];
  readonly incidents?: readonly FakeIncident[];
}

export interface FakePagerDuty {
  /** Base URL, no trailing slash (as PAGERDUTY_API_URL). */
  readonly url: string;
  readonly token: string;
  setUsers(users: readonly FakePagerDutyUser[]): void;
  setOnCalls(onCalls: readonly FakeOnCall[]): void;
  setIncidents(incidents: readonly FakeIncident[]): void;
  /** The incident becomes resolved (and, as in PagerDuty, loses its assignments). */
  resolve(incidentId: string): void;
  /** The next request whose path starts with `pathPrefix` fails (failures queue up, one per request). */
  failNext(pathPrefix: string, failure: FakePagerDutyFailure): void;
  /** Every request whose path starts with `pathPrefix` fails, until `failAlways(pathPrefix, undefined)` or `reset()`. */
  failAlways(pathPrefix: string, failure: FakePagerDutyFailure | undefined): void;
  /** Requests so far (whose path starts with `pathPrefix`, when given), oldest first. */
  requests(pathPrefix?: string): FakePagerDutyRequest[];
  /** Notes written on the incident, oldest first. */
  notes(incidentId: string): FakeNote[];
  /** Forgets requests and failures; keeps users, on-calls, incidents and notes. */
  reset(): void;
  /** Stops listening; closing again is harmless. */
  close(): Promise<void>;
}

const HTML_BASE = 'https://jumpgate-test.pagerduty.com';
const CREATED_AT = '2024-05-01T09:00:00Z';
const ERRORS: Readonly<Record<number, { message: string; code: number }>> = {
  400: { message: 'Invalid Input Provided', code: 2001 },
  401: { message: 'Authentication failed', code: 2006 },
  403: { message: 'Access Denied', code: 2010 },
  404: { message: 'Not Found', code: 2100 },
  429: { message: 'Rate Limit Exceeded', code: 2020 },
};

export async function startFakePagerDuty(options: FakePagerDutyOptions = {}): Promise<FakePagerDuty> {
  const token = options.token ?? 'pd-test-token';
  let users = [...(options.users ?? [])];
  let onCalls = [...(options.onCalls ?? [])];
  const incidents = new Map((options.incidents ?? []).map((incident) => [incident.id, incident]));
  const notes = new Map<string, FakeNote[]>();
  let recorded: FakePagerDutyRequest[] = [];
  let once: { prefix: string; failure: FakePagerDutyFailure }[] = [];
  let always = new Map<string, FakePagerDutyFailure>();
  const timers = new Set<NodeJS.Timeout>();
  let noteCount = 0;
  let base = '';

  const ref = (type: string, id: string, summary: string, htmlPath: string, apiPath: string) => ({
    id,
    type: `${type}_reference`,
    summary,
    self: `${base}/${apiPath}/${id}`,
    html_url: `${HTML_BASE}/${htmlPath}/${id}`,
  });
  const userRef = (id: string) => ref('user', id, users.find((user) => user.id === id)?.name ?? id, 'users', 'users');
  const userShape = (user: FakePagerDutyUser) => ({
    id: user.id,
    type: 'user',
    summary: user.name,
    self: `${base}/users/${user.id}`,
    html_url: `${HTML_BASE}/users/${user.id}`,
    name: user.name,
    email: user.email,
    time_zone: 'Etc/UTC',
    color: 'green',
    role: 'user',
    avatar_url: `${HTML_BASE}/avatars/${user.id}.png`,
    description: null,
    invitation_sent: false,
    job_title: null,
    teams: [],
    contact_methods: [],
    notification_rules: [],
  });
  const onCallShape = (onCall: FakeOnCall) => ({
    escalation_policy: ref(
      'escalation_policy',
      onCall.escalationPolicyId,
      `Policy ${onCall.escalationPolicyId}`,
      'escalation_policies',
      'escalation_policies',
    ),
    escalation_level: onCall.level,
    schedule:
      onCall.scheduleId === undefined
        ? null
        : ref('schedule', onCall.scheduleId, `Schedule ${onCall.scheduleId}`, 'schedules', 'schedules'),
    user: userRef(onCall.userId),
    start: onCall.scheduleId === undefined ? null : '2024-05-01T00:00:00Z',
    end: onCall.scheduleId === undefined ? null : '2099-01-01T00:00:00Z',
  });
  const incidentShape = (incident: FakeIncident) => ({
    id: incident.id,
    type: 'incident',
    summary: `[#${incident.number}] ${incident.title}`,
    self: `${base}/incidents/${incident.id}`,
    html_url: `${HTML_BASE}/incidents/${incident.id}`,
    incident_number: incident.number,
    title: incident.title,
    description: incident.title,
    created_at: CREATED_AT,
    updated_at: CREATED_AT,
    last_status_change_at: CREATED_AT,
    status: incident.status,
    incident_key: null,
    urgency: 'high',
    teams: [],
    service: ref('service', incident.serviceId, `Service ${incident.serviceId}`, 'service-directory', 'services'),
    assignments:
      incident.status === 'resolved'
        ? []
        : (incident.assigneeIds ?? []).map((id) => ({ at: CREATED_AT, assignee: userRef(id) })),
    acknowledgements: [],
    escalation_policy: ref('escalation_policy', 'PFAKEEP', 'Default', 'escalation_policies', 'escalation_policies'),
    alert_counts: {
      all: 1,
      triggered: incident.status === 'resolved' ? 0 : 1,
      resolved: incident.status === 'resolved' ? 1 : 0,
    },
    ...(incident.status === 'resolved' ? { resolved_at: CREATED_AT } : {}),
  });

  /** PagerDuty's classic pagination over already filtered items. */
  const page = (key: string, items: readonly unknown[], query: Record<string, string[]>) => {
    const asked = Number(query.limit?.[0] ?? 25);
    const limit = Math.max(1, Math.min(Number.isFinite(asked) ? asked : 25, 100, options.pageSize ?? 100));
    const offset = Math.max(0, Number(query.offset?.[0] ?? 0) || 0);
    const slice = items.slice(offset, offset + limit);
    return {
      [key]: slice,
      limit,
      offset,
      more: offset + slice.length < items.length,
      total: query.total?.[0] === 'true' ? items.length : null,
    };
  };
  const anyOf = (values: readonly string[] | undefined, value: string) =>
    values === undefined || values.length === 0 || values.includes(value);

  const route = (
    method: string,
    path: string,
    query: Record<string, string[]>,
    headers: IncomingHttpHeaders,
    body: unknown,
  ): [number, unknown] => {
    if (method === 'GET' && path === '/users') {
      const text = (query.query?.[0] ?? '').toLowerCase();
      const found = users.filter(
        (user) => user.email.toLowerCase().includes(text) || user.name.toLowerCase().includes(text),
      );
      return [200, page('users', found.map(userShape), query)];
    }
    if (method === 'GET' && path === '/oncalls') {
      const found = onCalls.filter(
        (onCall) =>
          anyOf(query['user_ids[]'], onCall.userId) &&
          anyOf(query['escalation_policy_ids[]'], onCall.escalationPolicyId) &&
          (query['schedule_ids[]'] === undefined ||
            (onCall.scheduleId !== undefined && query['schedule_ids[]'].includes(onCall.scheduleId))),
      );
      return [200, page('oncalls', found.map(onCallShape), query)];
    }
    if (method === 'GET' && path === '/incidents') {
      const found = [...incidents.values()].filter(
        (incident) =>
          anyOf(query['service_ids[]'], incident.serviceId) &&
          anyOf(query['statuses[]'], incident.status) &&
          (query['user_ids[]'] === undefined ||
            (incident.status !== 'resolved' &&
              (incident.assigneeIds ?? []).some((id) => query['user_ids[]']?.includes(id)))),
      );
      return [200, page('incidents', found.map(incidentShape), query)];
    }
    const one = /^\/incidents\/([^/]+)$/.exec(path);
    if (method === 'GET' && one) {
      const incident = incidents.get(decodeURIComponent(one[1]!));
      return incident ? [200, { incident: incidentShape(incident) }] : [404, { error: ERRORS[404] }];
    }
    const notesOf = /^\/incidents\/([^/]+)\/notes$/.exec(path);
    if (method === 'POST' && notesOf) {
      const incidentId = decodeURIComponent(notesOf[1]!);
      const from = headers.from;
      if (typeof from !== 'string' || from === '') {
        return [400, { error: { ...ERRORS[400], errors: ['A valid From header is required'] } }];
      }
      const content = contentOf(body);
      if (content === undefined) return [400, { error: { ...ERRORS[400], errors: ['Note content is required'] } }];
      if (!incidents.has(incidentId)) return [404, { error: ERRORS[404] }];
      noteCount += 1;
      const note = { id: `PNOTE${noteCount}`, content, from };
      notes.set(incidentId, [...(notes.get(incidentId) ?? []), note]);
      const author = users.find((user) => user.email.toLowerCase() === from.toLowerCase());
      return [
        201,
        {
          note: {
            id: note.id,
            user: userRef(author?.id ?? 'PUNKNOWN'),
            channel: { summary: 'The PagerDuty website or APIs' },
            content,
            created_at: CREATED_AT,
          },
        },
      ];
    }
    return [404, { error: ERRORS[404] }];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://fake');
    const query: Record<string, string[]> = {};
    for (const [key, value] of url.searchParams) (query[key] ??= []).push(value);
    const method = req.method ?? 'GET';
    const body = raw === '' ? undefined : parseJson(raw);
    recorded.push({ method, path: url.pathname, query, headers: req.headers, body });
    const send = (status: number, payload: string) => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(payload);
    };

    const queued = once.findIndex((entry) => url.pathname.startsWith(entry.prefix));
    const failure =
      queued >= 0
        ? once.splice(queued, 1)[0]?.failure
        : [...always].find(([prefix]) => url.pathname.startsWith(prefix))?.[1];
    if (failure && 'delayMs' in failure) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => (timers.delete(timer), resolve()), failure.delayMs);
        timers.add(timer);
      });
    } else if (failure) {
      return send(
        failure.status,
        failure.body ??
          JSON.stringify({ error: ERRORS[failure.status] ?? { message: 'Internal Server Error', code: 2000 } }),
      );
    }
    if (req.headers.authorization !== `Token token=${token}`) return send(401, JSON.stringify({ error: ERRORS[401] }));
    const [status, payload] = route(method, url.pathname, query, req.headers, body);
    send(status, JSON.stringify(payload));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    token,
    setUsers: (next) => void (users = [...next]),
    setOnCalls: (next) => void (onCalls = [...next]),
    setIncidents(next) {
      incidents.clear();
      for (const incident of next) incidents.set(incident.id, incident);
    },
    resolve(incidentId) {
      const incident = incidents.get(incidentId);
      if (!incident) throw new Error(`fake PagerDuty: no incident ${incidentId} to resolve`);
      incidents.set(incidentId, { ...incident, status: 'resolved' });
    },
    failNext: (pathPrefix, failure) => void once.push({ prefix: pathPrefix, failure }),
    failAlways(pathPrefix, failure) {
      if (failure === undefined) always.delete(pathPrefix);
      else always.set(pathPrefix, failure);
    },
    requests: (pathPrefix = '/') => recorded.filter((request) => request.path.startsWith(pathPrefix)),
    notes: (incidentId) => [...(notes.get(incidentId) ?? [])],
    reset() {
      recorded = [];
      once = [];
      always = new Map();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function contentOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('note' in body)) return undefined;
  const note = body.note;
  if (typeof note !== 'object' || note === null || !('content' in note)) return undefined;
  return typeof note.content === 'string' && note.content !== '' ? note.content : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
