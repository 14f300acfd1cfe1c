import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { DemoDirectory } from './demo-directory.js';
import { BOT_USER_ID, dmOf, type WorkspaceState } from './workspace-state.js';

/** Web API requests and response_url posts are small; anything larger is refused. */
const MAX_BODY = 1024 * 1024;

/**
 * The Slack Web API methods the bot calls, answered with Slack's shapes, over the workspace's
 * state: `POST /api/<method>` (form-encoded or JSON, as the WebClient sends them) and the
 * response_url posts of Bolt's respond() (`POST /response/<id>`). Only the bot's token is taken.
 */
export function createLocalWebApi(deps: {
  readonly state: WorkspaceState;
  readonly directory: DemoDirectory;
  readonly botToken: string;
}): RequestListener {
  const { state, directory } = deps;

  const conversationOf = (id: unknown): string => {
    const channel = typeof id === 'string' ? id : '';
    return /^[UW]/.test(channel) ? dmOf(channel) : channel;
  };
  const content = (args: Record<string, unknown>) => ({
    text: typeof args.text === 'string' ? args.text : '',
    blocks: Array.isArray(args.blocks) ? (args.blocks as unknown[]) : [],
  });
  const asView = (value: unknown) =>
    typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  const viewAnswer = (id: string, view: Record<string, unknown>) => ({
    ok: true,
    view: {
      ...view,
      id,
      team_id: 'T0LOCAL',
      app_id: 'A0JUMPGATE',
      bot_id: 'B0JUMPGATE',
      hash: state.nextTs(),
      state: { values: {} },
      private_metadata: view.private_metadata ?? '',
      callback_id: view.callback_id ?? '',
    },
  });

  const methods: Record<string, (args: Record<string, unknown>) => Record<string, unknown>> = {
    'auth.test': () => ({
      ok: true,
      url: 'http://127.0.0.1/',
      team: 'Local workspace',
      user: 'jumpgate',
      team_id: 'T0LOCAL',
      user_id: BOT_USER_ID,
      bot_id: 'B0JUMPGATE',
      is_enterprise_install: false,
    }),
    'chat.postMessage': (args) => {
      const channel = conversationOf(args.channel);
      if (channel === '') return { ok: false, error: 'channel_not_found' };
      const threadTs = typeof args.thread_ts === 'string' ? args.thread_ts : undefined;
      const posted = state.post({ channel, user: BOT_USER_ID, ...content(args), ...(threadTs ? { threadTs } : {}) });
      return { ok: true, channel, ts: posted.ts, message: { type: 'message', user: BOT_USER_ID, ts: posted.ts } };
    },
    'chat.postEphemeral': (args) => {
      const channel = conversationOf(args.channel);
      const user = typeof args.user === 'string' ? args.user : '';
      if (channel === '' || user === '') return { ok: false, error: 'channel_not_found' };
      const posted = state.post({ channel, user: BOT_USER_ID, ephemeralFor: user, ...content(args) });
      return { ok: true, message_ts: posted.ts };
    },
    'chat.update': (args) => {
      const channel = conversationOf(args.channel);
      const message = state.find(channel, String(args.ts));
      if (!message) return { ok: false, error: 'message_not_found' };
      state.update(message, content(args));
      return { ok: true, channel, ts: message.ts, text: message.text };
    },
    'conversations.open': (args) => {
      const first = typeof args.users === 'string' ? args.users.split(',')[0] : undefined;
      return first ? { ok: true, channel: { id: dmOf(first) } } : { ok: false, error: 'users_list_not_supplied' };
    },
    'users.info': (args) => {
      const person = directory.people.find((p) => p.id === args.user);
      if (!person) return { ok: false, error: 'user_not_found' };
      return {
        ok: true,
        user: {
          id: person.id,
          team_id: 'T0LOCAL',
          name: person.email.split('@')[0],
          real_name: person.name,
          tz: person.tz,
          deleted: false,
          is_bot: false,
          profile: { email: person.email, display_name: person.name, real_name: person.name },
        },
      };
    },
    'usergroups.users.list': (args) => {
      const group = directory.groups[String(args.usergroup)];
      return group ? { ok: true, users: [...group.members] } : { ok: false, error: 'no_such_subteam' };
    },
    'views.open': (args) => {
      const user = state.takeTrigger(String(args.trigger_id));
      const view = asView(args.view);
      if (!user) return { ok: false, error: 'invalid_trigger_id' };
      if (!view) return { ok: false, error: 'invalid_arguments' };
      return viewAnswer(state.openModal(user, view).id, view);
    },
    'views.push': (args) => methods['views.open']?.(args) ?? { ok: false },
    'views.update': (args) => {
      const view = asView(args.view);
      if (!view) return { ok: false, error: 'invalid_arguments' };
      const updated = state.replaceView(String(args.view_id), view);
      return updated ? viewAnswer(updated.id, view) : { ok: false, error: 'not_found' };
    },
    'views.publish': (args) => {
      const view = asView(args.view);
      if (typeof args.user_id !== 'string' || !view) return { ok: false, error: 'invalid_arguments' };
      return viewAnswer(state.publishHome(args.user_id, view).id, view);
    },
  };

  /** What Bolt's respond() posts: a new ephemeral message, or a change to the one the button was on. */
  const respond = (id: string, body: Record<string, unknown>): Record<string, unknown> => {
    const target = state.responseTarget(id);
    if (!target) return { ok: false, error: 'expired_url' };
    const original = target.originalTs ? state.find(target.channel, target.originalTs) : undefined;
    if (body.delete_original === true && original) {
      state.remove(original);
      return { ok: true };
    }
    if (body.replace_original === true && original) {
      state.update(original, content(body));
      return { ok: true };
    }
    const inChannel = body.response_type === 'in_channel';
    state.post({
      channel: target.channel,
      user: BOT_USER_ID,
      ...(inChannel ? {} : { ephemeralFor: target.user }),
      ...content(body),
    });
    return { ok: true };
  };

  return (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) reply(res, 500, { ok: false, error: 'internal_error' });
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'POST') return reply(res, 405, { ok: false, error: 'method_not_allowed' });
    const raw = await readBody(req);
    if (raw === undefined) return reply(res, 413, { ok: false, error: 'request_too_large' });
    if (path.startsWith('/response/')) {
      return reply(res, 200, respond(decodeURIComponent(path.slice('/response/'.length)), parseObject(raw)));
    }
    const method = path.startsWith('/api/') ? methods[path.slice('/api/'.length)] : undefined;
    if (!method) return reply(res, 404, { ok: false, error: 'unknown_method' });
    const args = decodeArgs(raw, req.headers['content-type'] ?? '');
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? args.token;
    if (bearer !== deps.botToken) return reply(res, 200, { ok: false, error: bearer ? 'invalid_auth' : 'not_authed' });
    reply(res, 200, method(args));
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

/** The WebClient sends form fields, objects among them as JSON text (blocks, view). */
function decodeArgs(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/json')) return parseObject(raw);
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) args[key] = /^\s*[[{]/.test(value) ? parseOr(value) : value;
  return args;
}

function parseOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function parseObject(text: string): Record<string, unknown> {
  const parsed = parseOr(text);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : {};
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
