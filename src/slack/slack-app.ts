import type { RequestListener } from 'node:http';
import { App, HTTPReceiver, LogLevel, type Receiver, SocketModeReceiver } from '@slack/bolt';
import { lightFetch } from '../net/light-fetch.js';
import type { Logger } from '../service/ports/logger.js';
import { registerAppHomeListeners } from './listeners/app-home.js';
import { registerApprovalListeners } from './listeners/approval.js';
import { registerBreakglassListeners } from './listeners/breakglass.js';
import { registerCommandListener } from './listeners/command.js';
import { registerExtensionListeners } from './listeners/extension.js';
import { registerPeopleListeners } from './listeners/people.js';
import { registerRequestModalListener } from './listeners/request-modal.js';
import { registerVendorModalListener } from './listeners/vendor-modal.js';
import type { NoticeTimers } from './outage-notice.js';
import { type InFlight, useSlackMiddleware } from './slack-middleware.js';
import type { SlackUseCases } from './use-cases.js';

/** The largest body Bolt reads from /slack/events (Slack's payloads stay well under it). */
const SLACK_BODY_LIMIT = 64 * 1024;

export type SlackConnection =
  | { readonly kind: 'http'; readonly botToken: string; readonly signingSecret: string }
  | { readonly kind: 'socket'; readonly botToken: string; readonly appToken: string };

export interface SlackApp {
  readonly app: App;
  /** HTTP mode: the listener for /slack/events (verifies every request's signature). */
  readonly requestListener?: RequestListener;
  /** Commands, clicks and submissions being carried out (a clean stop waits for them). */
  readonly inFlight: InFlight;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The Bolt app in HTTP mode (our HTTP server hands it /slack/events; Bolt verifies signatures
 * and refuses requests older than five minutes) or Socket Mode. Listeners are thin: ack, one use
 * case, blocks.
 */
export async function createSlackApp(deps: {
  connection: SlackConnection;
  apiUrl: string;
  useCases: SlackUseCases;
  logger: Logger;
  /** False while Redis is unreachable: a slow answer then gets the outage notice. */
  storeAvailable?: () => boolean;
  /** Does Redis answer now (a hung server keeps its connection up)? */
  probeStore?: () => Promise<boolean>;
  timers?: NoticeTimers;
}): Promise<SlackApp> {
  const { connection } = deps;
  const boltLogger = toBoltLogger(deps.logger.child({ component: 'bolt' }));
  let receiver: Receiver;
  let httpReceiver: HTTPReceiver | undefined;
  let socketReceiver: SocketModeReceiver | undefined;
  if (connection.kind === 'http') {
    httpReceiver = new HTTPReceiver({
      signingSecret: connection.signingSecret,
      endpoints: '/slack/events',
      logger: boltLogger,
      processBeforeResponse: false,
      // Bolt buffers the body before it checks the signature: a stranger's body stops here (413).
      // The HTTP listener refuses a larger declared length before Bolt sees the request.
      bodyLimit: SLACK_BODY_LIMIT,
    });
    receiver = httpReceiver;
  } else {
    socketReceiver = new SocketModeReceiver({ appToken: connection.appToken, logger: boltLogger });
    receiver = socketReceiver;
  }
  const app = new App({
    token: connection.botToken,
    receiver,
    logger: boltLogger,
    deferInitialization: true,
    // Bolt's per-conversation state is unused here; its default store builds an Error for every event.
    convoStore: false,
    // Bounded retries: a Slack outage must not hold a listener (or a revocation) for minutes.
    clientOptions: {
      slackApiUrl: deps.apiUrl,
      retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2_000 },
      // Also what `respond` posts to response_url with.
      fetch: lightFetch,
    },
  });
  await app.init();

  // Before every listener: counts what is in flight, sends the outage notice.
  const inFlight = useSlackMiddleware(app, {
    logger: deps.logger,
    ...(deps.storeAvailable ? { storeAvailable: deps.storeAvailable } : {}),
    ...(deps.probeStore ? { probeStore: deps.probeStore } : {}),
    ...(deps.timers ? { timers: deps.timers } : {}),
  });
  const context = { useCases: deps.useCases, logger: deps.logger };
  registerCommandListener(app, context);
  registerApprovalListeners(app, context);
  registerBreakglassListeners(app, context);
  registerRequestModalListener(app, context);
  registerVendorModalListener(app, context);
  registerAppHomeListeners(app, context);
  registerExtensionListeners(app, context);
  registerPeopleListeners(app, context);
  app.error((error) => {
    deps.logger.error({ err: error }, 'unhandled Slack listener error');
    return Promise.resolve();
  });

  return {
    app,
    requestListener: httpReceiver?.requestListener,
    inFlight,
    async start() {
      if (socketReceiver) await socketReceiver.start();
    },
    async stop() {
      if (socketReceiver) await socketReceiver.stop();
    },
  };
}

function toBoltLogger(logger: Logger) {
  let level = LogLevel.INFO;
  const write =
    (method: 'debug' | 'info' | 'warn' | 'error') =>
    (...messages: unknown[]) =>
      logger[method]({}, messages.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' '));
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    setLevel: (next: LogLevel) => (level = next),
    getLevel: () => level,
    setName: () => undefined,
  };
}
