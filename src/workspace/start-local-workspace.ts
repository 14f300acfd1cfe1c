import { randomBytes } from 'node:crypto';
import http, { type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Policy } from '../domain/workflow.js';
import type { Logger } from '../service/ports/logger.js';
import { loadDemoDirectory } from './demo-directory.js';
import { createLocalIncidents, type LocalIncidents } from './local-incidents.js';
import { createLocalWebApi } from './local-web-api.js';
import { createPageActions } from './page-actions.js';
import { createSlackRequester } from './slack-requests.js';
import { createWorkspacePage } from './workspace-page.js';
import { WorkspaceState } from './workspace-state.js';

/** What the composition root needs to run the bot against the local workspace instead of Slack. */
export interface LocalWorkspace {
  /** The bot token and signing secret of this run: made up at start, good only for it. */
  readonly botToken: string;
  readonly signingSecret: string;
  /** The local Web API (SLACK_API_URL of this run). */
  readonly apiUrl: string;
  /** The Incidents port the page drives; undefined when PagerDuty is configured. */
  readonly incidents?: LocalIncidents;
  /** The page's routes (`/`, `/workspace/…`) for the bot's HTTP listener. */
  readonly page: RequestListener;
  /** Tells the workspace where the bot's listener is, once it listens. */
  attach(port: number): void;
  close(): Promise<void>;
}

export async function startLocalWorkspace(deps: {
  readonly policy: () => Policy;
  readonly logger: Logger;
  readonly withIncidents: boolean;
  readonly caPublicKey: () => Promise<string>;
}): Promise<LocalWorkspace> {
  const directory = await loadDemoDirectory();
  const state = new WorkspaceState();
  const botToken = `xoxb-local-${randomBytes(12).toString('hex')}`;
  const signingSecret = randomBytes(32).toString('hex');
  const api = http.createServer(createLocalWebApi({ state, directory, botToken }));
  await new Promise<void>((resolve, reject) => {
    api.once('error', reject);
    api.listen(0, '127.0.0.1', resolve);
  });
  const apiBase = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  let port = 0;
  const baseUrl = () => `http://127.0.0.1:${port}`;
  const incidents = deps.withIncidents
    ? createLocalIncidents({ directory, baseUrl, onChange: () => state.emit({ kind: 'incidents' }) })
    : undefined;
  const slack = createSlackRequester({ eventsUrl: () => `${baseUrl()}/slack/events`, signingSecret });
  const actions = createPageActions({
    state,
    directory,
    slack,
    responseUrl: (id) => `${apiBase}/response/${encodeURIComponent(id)}`,
  });
  const page = createWorkspacePage({
    state,
    directory,
    policy: deps.policy,
    actions,
    ...(incidents ? { incidents } : {}),
    caPublicKey: deps.caPublicKey,
    baseUrl,
    logger: deps.logger.child({ component: 'local-workspace' }),
  });
  return {
    botToken,
    signingSecret,
    apiUrl: `${apiBase}/api/`,
    ...(incidents ? { incidents } : {}),
    page,
    attach: (listening) => void (port = listening),
    close: () =>
      new Promise<void>((resolve) => {
        api.close(() => resolve());
        api.closeAllConnections();
      }),
  };
}
