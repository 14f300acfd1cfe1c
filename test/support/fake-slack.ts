import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small stand-in for Slack's Web API, for tests: the WebClient is pointed at `url` (its
 * `slackApiUrl`) and talks to it exactly as to Slack (POST /api/<method>, form-encoded or JSON
 * body, bearer token). Every call is recorded; answers have Slack's real shapes. It also takes
 * the JSON bodies Bolt's respond() posts to a response_url (see `responseUrl`).
 */

/** A recorded Web API call. Form values that are JSON (blocks, view…) are parsed; other form values stay strings. */
export interface SlackCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
  /** The token the call carried (Authorization: Bearer, or a `token` field). */
  readonly token?: string;
}

export interface FakeSlackUser {
  readonly id: string;
  readonly name?: string;
  readonly realName?: string;
  readonly displayName?: string;
  readonly email?: string;
  readonly deleted?: boolean;
  readonly isBot?: boolean;
}

/** `status`: answer with that HTTP status (429 carries `retryAfter` seconds); `error`: answer 200 `{ok:false, error}`. */
export type FakeFailure = { readonly status: number; readonly retryAfter?: number } | { readonly error: string };

export interface FakeSlackOptions {
  /** users.info answers from here; anyone else is `user_not_found`. */
  readonly users?: readonly FakeSlackUser[];
  /** usergroups.users.list answers from here; any other group is `no_such_subteam`. */
  readonly groups?: Readonly<Record<string, readonly string[]>>;
  /** When set, calls with another token get `invalid_auth` and calls without one `not_authed`. */
  readonly token?: string;
  readonly botUserId?: string;
  readonly teamId?: string;
  /** Told of each Web API call as it arrives, with its time (epoch ms, sub-ms precision): for load harnesses. */
  readonly onCall?: (call: SlackCall, atMs: number) => void;
  /** Told of each response_url post as it arrives, with its time (epoch ms, sub-ms precision). */
  readonly onResponse?: (post: ResponseUrlPost, atMs: number) => void;
  /**
   * false: keep no calls, posts or messages (a load run makes hundreds of thousands); chat.update
   * then answers ok for any message. Default true.
   */
  readonly retain?: boolean;
}

export interface ResponseUrlPost {
  readonly id: string;
  readonly body: Record<string, unknown>;
}

export interface FakeSlack {
  /** The Web API base URL, ending in `/api/`. */
  readonly url: string;
  /** Every Web API call so far (of one method, when given), oldest first. */
  calls(method?: string): SlackCall[];
  /** The calls Slack took (answered `ok: true`), oldest first: what people saw. */
  accepted(method?: string): SlackCall[];
  /** Polls the recorded calls until one of `method` matches; throws after `timeoutMs`. */
  waitFor(method: string, predicate?: (call: SlackCall) => boolean, timeoutMs?: number): Promise<SlackCall>;
  /** The next call of `method` fails (failures queue up, one per call). */
  failNext(method: string, failure: FakeFailure): void;
  /** Every call of `method` fails until `reset()` (or `failAlways(method, undefined)`). */
  failAlways(method: string, failure: FakeFailure | undefined): void;
  /** A response_url that records what is posted to it under `id`. */
  responseUrl(id: string): string;
  /** JSON bodies posted to response URLs (to `id`, when given), oldest first. */
  responses(id?: string): ResponseUrlPost[];
  waitForResponse(
    id: string,
    predicate?: (post: ResponseUrlPost) => boolean,
    timeoutMs?: number,
  ): Promise<ResponseUrlPost>;
  /** The current text and blocks of a posted message (after any chat.update). */
  message(channel: string, ts: string): Record<string, unknown> | undefined;
  setUser(user: FakeSlackUser): void;
  setGroup(groupId: string, members: readonly string[]): void;
  /** Forgets calls, response posts, messages and failures; keeps users and groups. */
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const botUserId = options.botUserId ?? 'U0JUMPGATE';
  const teamId = options.teamId ?? 'T0TEAM';
  const users = new Map((options.users ?? []).map((user) => [user.id, user]));
  const groups = new Map(Object.entries(options.groups ?? {}));
  const retain = options.retain ?? true;
  const nowMs = () => performance.timeOrigin + performance.now();
  let calls: SlackCall[] = [];
  let taken: SlackCall[] = [];
  let posts: ResponseUrlPost[] = [];
  let messages = new Map<string, Record<string, unknown>>();
  let once = new Map<string, FakeFailure[]>();
  let always = new Map<string, FakeFailure>();
  // Slack's ts: seconds and microseconds; unique and increasing, as clients rely on.
  let micros = 1_700_000_000_000_100;
  const nextTs = () => {
    micros += 100;
    return `${Math.floor(micros / 1e6)}.${String(micros % 1e6).padStart(6, '0')}`;
  };

  const answer = (method: string, args: Record<string, unknown>): Record<string, unknown> => {
    const channelOf = (id: unknown) => (typeof id !== 'string' ? '' : /^[UW]/.test(id) ? `D${id.slice(1)}` : id);
    switch (method) {
      case 'chat.postMessage': {
        const channel = channelOf(args.channel);
        const ts = nextTs();
        const message = {
          type: 'message',
          user: botUserId,
          bot_id: 'B0JUMPGATE',
          text: args.text ?? '',
          blocks: args.blocks,
          ts,
          ...(args.thread_ts ? { thread_ts: args.thread_ts } : {}),
        };
        if (retain) messages.set(`${channel}/${ts}`, message);
        return { ok: true, channel, ts, message };
      }
      case 'chat.update': {
        const channel = channelOf(args.channel);
        const key = `${channel}/${String(args.ts)}`;
        const existing = messages.get(key);
        if (!existing && !retain)
          return {
            ok: true,
            channel,
            ts: args.ts,
            text: args.text ?? '',
            message: { type: 'message', text: args.text ?? '', blocks: args.blocks, ts: args.ts },
          };
        if (!existing) return { ok: false, error: 'message_not_found' };
        messages.set(key, {
          ...existing,
          text: args.text ?? '',
          blocks: args.blocks,
          edited: { user: botUserId, ts: nextTs() },
        });
        return { ok: true, channel, ts: args.ts, text: args.text ?? '', message: messages.get(key) };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: nextTs() };
      case 'conversations.open':
        return {
          ok: true,
          channel: { id: channelOf(typeof args.users === 'string' ? args.users.split(',')[0] : undefined) },
        };
      case 'users.info': {
        const user = users.get(String(args.user));
        return user ? { ok: true, user: userShape(user, teamId) } : { ok: false, error: 'user_not_found' };
      }
      case 'usergroups.users.list': {
        const members = groups.get(String(args.usergroup));
        return members ? { ok: true, users: [...members] } : { ok: false, error: 'no_such_subteam' };
      }
      case 'views.open':
      case 'views.update':
      case 'views.publish': {
        const view = typeof args.view === 'object' && args.view !== null ? (args.view as Record<string, unknown>) : {};
        const id = typeof args.view_id === 'string' ? args.view_id : `V${nextTs().replace('.', '')}`;
        return {
          ok: true,
          view: {
            ...view,
            id,
            team_id: teamId,
            app_id: 'A0JUMPGATE',
            bot_id: 'B0JUMPGATE',
            hash: nextTs(),
            state: { values: {} },
            private_metadata: view.private_metadata ?? '',
            callback_id: view.callback_id ?? '',
          },
        };
      }
      case 'auth.test':
        return {
          ok: true,
          url: 'https://jumpgate-test.slack.com/',
          team: 'Jumpgate Test',
          user: 'jumpgate',
          team_id: teamId,
          user_id: botUserId,
          bot_id: 'B0JUMPGATE',
          is_enterprise_install: false,
        };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    if (path.startsWith('/response/')) {
      const post = { id: decodeURIComponent(path.slice('/response/'.length)), body: parseJsonObject(raw) };
      if (retain) posts.push(post);
      options.onResponse?.(post, nowMs());
      return reply(200, { ok: true });
    }
    if (req.method !== 'POST' || !path.startsWith('/api/')) return reply(404, { ok: false, error: 'not_found' });
    const method = path.slice('/api/'.length);
    const args = decodeArgs(raw, req.headers['content-type'] ?? '');
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? (typeof args.token === 'string' ? args.token : undefined);
    const call = { method, args, ...(token === undefined ? {} : { token }) };
    if (retain) calls.push(call);
    options.onCall?.(call, nowMs());

    const failure = once.get(method)?.shift() ?? always.get(method);
    if (failure && 'status' in failure) {
      const headers: Record<string, string> =
        failure.retryAfter === undefined ? {} : { 'retry-after': String(failure.retryAfter) };
      // Slack's 429 says `ratelimited` in its body; other statuses are an outage's page.
      const error = failure.status === 429 ? 'ratelimited' : 'fake_http_failure';
      return reply(failure.status, { ok: false, error }, headers);
    }
    if (failure) return reply(200, { ok: false, error: failure.error });
    if (options.token !== undefined && token !== options.token)
      return reply(200, { ok: false, error: token === undefined ? 'not_authed' : 'invalid_auth' });
    const answered = answer(method, args);
    if (retain && answered.ok === true) taken.push(call);
    return reply(200, answered);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${base}/api/`,
    calls: (method) => calls.filter((call) => method === undefined || call.method === method),
    accepted: (method) => taken.filter((call) => method === undefined || call.method === method),
    waitFor: (method, predicate = () => true, timeoutMs = 5_000) =>
      poll(
        () => calls.find((call) => call.method === method && predicate(call)),
        timeoutMs,
        () => `a ${method} call (calls so far: ${calls.map((c) => c.method).join(', ') || 'none'})`,
      ),
    failNext(method, failure) {
      once.set(method, [...(once.get(method) ?? []), failure]);
    },
    failAlways(method, failure) {
      if (failure === undefined) always.delete(method);
      else always.set(method, failure);
    },
    responseUrl: (id) => `${base}/response/${encodeURIComponent(id)}`,
    responses: (id) => posts.filter((post) => id === undefined || post.id === id),
    waitForResponse: (id, predicate = () => true, timeoutMs = 5_000) =>
      poll(
        () => posts.find((post) => post.id === id && predicate(post)),
        timeoutMs,
        () => `a post to response URL ${id} (posts so far: ${posts.length})`,
      ),
    message: (channel, ts) => messages.get(`${channel}/${ts}`),
    setUser: (user) => void users.set(user.id, user),
    setGroup: (groupId, members) => void groups.set(groupId, members),
    reset() {
      calls = [];
      taken = [];
      posts = [];
      messages = new Map();
      once = new Map();
      always = new Map();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function userShape(user: FakeSlackUser, teamId: string) {
  const name = user.name ?? user.id.toLowerCase();
  const realName = user.realName ?? name;
  return {
    id: user.id,
    team_id: teamId,
    name,
    real_name: realName,
    deleted: user.deleted ?? false,
    is_bot: user.isBot ?? false,
    profile: { email: user.email, display_name: user.displayName ?? '', real_name: realName },
  };
}

function decodeArgs(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return parseJsonObject(raw);
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = /^\s*[[{]/.test(value) ? parseJsonOr(value) : value;
  }
  return args;
}

function parseJsonOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function parseJsonObject(text: string): Record<string, unknown> {
  const parsed = parseJsonOr(text);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : { raw: text };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function poll<T>(find: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() >= deadline) throw new Error(`fake Slack: no ${what()} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
