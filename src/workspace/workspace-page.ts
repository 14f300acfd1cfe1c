import { readFile } from 'node:fs/promises';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { z } from 'zod';
import { isLoopbackHost } from '../config.js';
import type { Policy } from '../domain/workflow.js';
import type { Logger } from '../service/ports/logger.js';
import type { DemoDirectory } from './demo-directory.js';
import type { LocalIncidents } from './local-incidents.js';
import { pageHtml } from './page/page-html.js';
import type { PageActions } from './page-actions.js';
import { incidentPanelHtml, sshPanelHtml } from './page-panels.js';
import type { RenderContext } from './render/html.js';
import { conversationHtml, GETTING_STARTED, homeHtml, modalHtml } from './render/screen-html.js';
import { describeCertificate, generateKeyPair } from './ssh-tools.js';
import { BOT_USER_ID, dmOf, type WorkspaceState } from './workspace-state.js';

export interface WorkspacePageDeps {
  readonly state: WorkspaceState;
  readonly directory: DemoDirectory;
  readonly policy: () => Policy;
  readonly actions: PageActions;
  /** Undefined when PagerDuty is configured (PAGERDUTY_TOKEN): the panel is then not shown. */
  readonly incidents?: LocalIncidents;
  readonly caPublicKey: () => Promise<string>;
  readonly baseUrl: () => string;
  readonly logger: Logger;
}

const MAX_BODY = 64 * 1024;

const userId = z.string().regex(/^[UW][A-Z0-9]+$/);
const schemas = {
  command: z.object({ user: userId, channel: z.string().min(1).max(40), text: z.string().max(8_000) }),
  click: z.object({
    user: userId,
    actionId: z.string().max(255),
    blockId: z.string().max(255),
    value: z.string().max(2_000),
    channel: z.string().max(40).optional(),
    ts: z.string().max(40).optional(),
    viewId: z.string().max(40).optional(),
  }),
  submit: z.object({
    user: userId,
    viewId: z.string().max(40),
    values: z.array(
      z.object({
        blockId: z.string(),
        actionId: z.string(),
        type: z.string(),
        value: z.string().max(10_000).optional(),
        values: z.array(z.string()).optional(),
      }),
    ),
  }),
  user: z.object({ user: userId }),
  inspect: z.object({ certificate: z.string().max(20_000) }),
  oncall: z.object({ policy: z.string().min(1), user: z.union([userId, z.literal('')]) }),
  incident: z.object({ service: z.string().min(1), title: z.string().min(1).max(200) }),
  resolve: z.object({ id: z.string().min(1) }),
};

/**
 * The local workspace's page on the bot's own listener: `/` and `/workspace/…`. Its actions are
 * sent to the bot as Slack would send them (see page-actions.ts); what the bot posts comes back
 * through the local Web API into the state, announced on `/workspace/events`.
 */
export function createWorkspacePage(deps: WorkspacePageDeps): RequestListener {
  let client: Promise<string> | undefined;
  const { state, directory } = deps;
  const names = {
    users: new Map([[BOT_USER_ID, 'Jumpgate'], ...directory.people.map((p) => [p.id, p.name] as const)]),
    groups: new Map(Object.entries(directory.groups).map(([id, g]) => [id, g.name])),
  };

  const channels = () => {
    const ids = new Set<string>();
    for (const w of deps.policy().workflows) {
      ids.add(w.access.channel);
      if (w.breakglass) ids.add(w.breakglass.notifyChannel);
    }
    return [...ids].map((id) => ({ id, name: directory.channels[id] ?? id }));
  };
  const contextFor = (viewer: string): RenderContext => ({
    ...names,
    channels: new Map(channels().map((c) => [c.id, c.name])),
    timeZone: directory.people.find((p) => p.id === viewer)?.tz ?? 'UTC',
    now: Date.now(),
  });

  // The CA key does not change while the broker runs: asked once, asked again only after a failure.
  let caKey: Promise<string> | undefined;
  const caPublicKey = () => {
    caKey ??= deps.caPublicKey().catch(() => {
      caKey = undefined;
      return '(the broker did not answer; reload to ask again)';
    });
    return caKey;
  };

  const screen = async (viewer: string, conversation: string) => {
    const context = contextFor(viewer);
    const counts = state.counts(viewer);
    const modal = state.modal(viewer);
    const list = [
      ...channels().map((c) => ({ id: c.id, name: `# ${c.name}`, count: counts[c.id] ?? 0 })),
      { id: dmOf(viewer), name: 'Jumpgate (DM)', count: counts[dmOf(viewer)] ?? 0 },
    ];
    return {
      people: directory.people.map((p) => ({ id: p.id, name: p.name, role: p.role, tz: p.tz })),
      conversations: list,
      html:
        conversation === 'home'
          ? homeHtml(state.home(viewer), context)
          : conversationHtml(
              state.conversation(conversation, viewer),
              context,
              conversation === dmOf(viewer) ? GETTING_STARTED : undefined,
            ),
      modal: modal ? modalHtml(modal, context) : null,
      incidents: deps.incidents ? incidentPanelHtml(deps.policy(), directory, deps.incidents) : null,
      ssh: sshPanelHtml({ caPublicKey: await caPublicKey(), baseUrl: deps.baseUrl() }),
    };
  };

  const post: Record<string, (body: unknown) => Promise<unknown>> = {
    '/workspace/command': async (body) => {
      const input = schemas.command.parse(body);
      await deps.actions.command(input.user, input.channel, input.text.replace(/^\s*\/jump\b\s*/, ''));
      return {};
    },
    '/workspace/click': async (body) => void (await deps.actions.click(schemas.click.parse(body))),
    '/workspace/submit': async (body) => {
      const input = schemas.submit.parse(body);
      await deps.actions.submit(input.user, input.viewId, input.values);
      return {};
    },
    '/workspace/close': (body) => Promise.resolve(deps.actions.close(schemas.user.parse(body).user)),
    '/workspace/home': async (body) => void (await deps.actions.openHome(schemas.user.parse(body).user)),
    '/workspace/keygen': async (body) => {
      const { user } = schemas.user.parse(body);
      const person = directory.people.find((p) => p.id === user);
      const short = person?.email.split('@')[0] ?? 'you';
      const key = await generateKeyPair(`${short}@jumpgate-local`);
      await deps.actions.command(user, dmOf(user), `key ${key.publicKey}`);
      const targets = [...deps.policy().targets.values()];
      return {
        privateKey: key.privateKey,
        publicKey: key.publicKey,
        file: `~/.ssh/jumpgate-${short}`,
        commands: targets.map(
          ({ target }) =>
            `ssh -i ~/.ssh/jumpgate-${short} ${target.principals[0] ?? short}@${target.hosts[0] ?? target.name}`,
        ),
      };
    },
    '/workspace/inspect': async (body) => ({
      summary: await describeCertificate(schemas.inspect.parse(body).certificate),
    }),
    '/workspace/oncall': (body) => {
      const input = schemas.oncall.parse(body);
      deps.incidents?.setOnCall(input.policy, input.user || undefined);
      return Promise.resolve({});
    },
    '/workspace/incident': (body) => {
      const input = schemas.incident.parse(body);
      return Promise.resolve(deps.incidents?.open(input.service, input.title) ?? {});
    },
    '/workspace/resolve': (body) => {
      deps.incidents?.resolve(schemas.resolve.parse(body).id);
      return Promise.resolve({});
    },
  };

  return (req, res) => {
    route(req, res).catch((error: unknown) => {
      deps.logger.warn({ err: error, path: req.url }, 'local workspace request failed');
      const message = error instanceof z.ZodError ? 'bad request' : error instanceof Error ? error.message : 'failed';
      if (!res.headersSent) send(res, 400, 'application/json', JSON.stringify({ error: message }));
    });
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // A page on another site may reach loopback too (DNS rebinding, cross-site posts): only a
    // request addressed to this machine by a loopback name, from no origin or a loopback one, is
    // taken. The page acts as anyone in the directory, so nothing else may drive it.
    if (
      !isLoopbackAddress(req.headers.host) ||
      (req.headers.origin && !isLoopbackAddress(originHost(req.headers.origin)))
    ) {
      return send(
        res,
        403,
        'application/json',
        JSON.stringify({ error: 'only the workspace page on this machine may do this' }),
      );
    }
    if (req.method === 'GET') {
      switch (url.pathname) {
        case '/':
          return send(res, 200, 'text/html; charset=utf-8', pageHtml());
        case '/workspace/client.js':
          client ??= transpileClient();
          return send(res, 200, 'text/javascript; charset=utf-8', await client);
        case '/workspace/style.css':
          return send(
            res,
            200,
            'text/css; charset=utf-8',
            await readFile(new URL('page/style.css', import.meta.url), 'utf8'),
          );
        case '/workspace/screen': {
          const viewer = userId.parse(url.searchParams.get('user'));
          const body = await screen(viewer, url.searchParams.get('conversation') ?? dmOf(viewer));
          return send(res, 200, 'application/json', JSON.stringify(body));
        }
        case '/workspace/events':
          return events(res);
      }
      return send(res, 404, 'text/plain', 'not found');
    }
    const action = req.method === 'POST' ? post[url.pathname] : undefined;
    if (!action) return send(res, 404, 'text/plain', 'not found');
    // JSON only: a cross-site form cannot send it without a preflight this listener never answers.
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return send(res, 415, 'application/json', JSON.stringify({ error: 'send JSON, as the workspace page does' }));
    }
    const result = await action(JSON.parse(await readBody(req)) as unknown);
    send(res, 200, 'application/json', JSON.stringify(result ?? {}));
  }

  function events(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(': connected\n\n');
    const stop = state.onChange((change) => res.write(`data: ${JSON.stringify(change)}\n\n`));
    // A comment now and then keeps proxies and the browser from closing an idle stream.
    const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
    res.on('close', () => {
      stop();
      clearInterval(ping);
    });
  }
}

/** The page's script is TypeScript (typed against the DOM); it is served as the compiler's output. */
async function transpileClient(): Promise<string> {
  const { default: ts } = await import('typescript');
  const source = await readFile(new URL('page/client.ts', import.meta.url), 'utf8');
  return ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
}

/** `127.0.0.1:3000`, `localhost:3000`, `[::1]:3000`: a Host header (or an origin's host) that names this machine. */
function isLoopbackAddress(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.replace(/:\d+$/, '');
  return isLoopbackHost(name);
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error('request too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8') || '{}';
}
