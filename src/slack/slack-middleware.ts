import type { AnyMiddlewareArgs, App } from '@slack/bolt';
import { ACTION_IDS } from './action-ids.js';
import { OUTAGE_NOTICE, OUTAGE_RETRY_NOTICE, type OutageNoticeDeps, withOutageNotice } from './outage-notice.js';

import { parseCommand } from './parse-command.js';

export interface InFlight {
  /** Commands, clicks and submissions being carried out now. */
  count(): number;
  /** Resolves once none is in flight, or after `timeoutMs`; answers how many were left. */
  drain(timeoutMs: number): Promise<number>;
}

interface Body {
  readonly type?: string;
  readonly command?: string;
  readonly text?: string;
  readonly user_id?: string;
  readonly user?: { readonly id?: string };
  readonly actions?: readonly { readonly action_id?: string }[];
}

/**
 * Global middleware around every listener: it counts what is in flight (a clean stop waits for
 * it) and sends the outage notice (outage-notice.ts) to a command, click or form submission that
 * waits for Redis past Slack's window: through the response_url when there is one, else by DM
 * (a form submission, a click on App Home). Events (app_home_opened, user_change) have no one
 * waiting on an answer: no notice. Runs before the listener's ack and does not delay it.
 */
export function useSlackMiddleware(app: App, deps: OutageNoticeDeps): InFlight {
  let inFlight = 0;
  app.use(async (args) => {
    inFlight += 1;
    try {
      const notify = noticeFor(args);
      await (notify ? withOutageNotice(deps, notify, args.next) : args.next());
    } finally {
      inFlight -= 1;
    }
  });
  return {
    count: () => inFlight,
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      return inFlight;
    },
  };
}

function noticeFor(args: AnyMiddlewareArgs & { client: App['client'] }): (() => Promise<unknown>) | undefined {
  const body = args.body as Body;
  const respond = 'respond' in args ? args.respond : undefined;
  let text: string;
  if (body.command !== undefined) {
    text = opensForm(body.text ?? '') ? OUTAGE_RETRY_NOTICE : OUTAGE_NOTICE;
  } else if (body.type === 'block_actions') {
    // App Home's button opens the request form (a trigger id lasts 3 s too).
    text = body.actions?.some((a) => a.action_id === ACTION_IDS.openRequestModal) ? OUTAGE_RETRY_NOTICE : OUTAGE_NOTICE;
  } else if (body.type === 'view_submission') {
    text = OUTAGE_NOTICE;
  } else {
    return undefined;
  }
  if (respond) return () => respond({ response_type: 'ephemeral', replace_original: false, text });
  const userId = body.user?.id ?? body.user_id;
  if (userId === undefined) return undefined;
  return () => args.client.chat.postMessage({ channel: userId, text });
}

/** `/jump` and `/jump vendor …` answer with a form, whose trigger id lasts 3 s. */
function opensForm(text: string): boolean {
  try {
    const { name } = parseCommand(text);
    return name === 'request-modal' || name === 'vendor';
  } catch {
    return false;
  }
}
